#!/usr/bin/env bash
# The main job (set-up included): `streaming demo` (skeleton streams: recognition by LLM-AR and anticipation with
# samples/llm-ar), then `streaming demo --anticipation` (action-label streams: ActionLLM's anticipated futures), then
# `streaming demo --dataset msr-action3d` (held-out MSR Action3D sequences with LLM-AR, samples/llm-ar-msr), then
# `streaming demo --video` (the sample clips as live camera streams: MoveNet pose, then samples/llm-ar-2d; annotated videos).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run --project src/Streaming.Cli -c Release -- demo "$@"
dotnet run --project src/Streaming.Cli -c Release --no-build -- demo --anticipation
dotnet run --project src/Streaming.Cli -c Release --no-build -- demo --dataset msr-action3d
dotnet run --project src/Streaming.Cli -c Release --no-build -- demo --video
