"""PyTorch reference of the LLaMA / Qwen2 decoder for the C# tests, written from transformers'
modeling_llama / modeling_qwen2 semantics without the transformers or safetensors packages.

It reads the same Hugging Face directory the C# model loads (config.json + model.safetensors, or shards
listed by model.safetensors.index.json; F32, F16 or BF16) and computes in float64, so it is the oracle.

Commands (results are one JSON document on stdout):
  make DIR --model-type llama|qwen2 [--tie] [--attention-bias] [--heads H] [--kv-heads Hkv] [--layers N]
           [--dtype F32|F16|BF16] [--shards N] [--seed S] [--rope-theta X] [--vocab V] [--std W]
      writes a tiny random checkpoint in Hugging Face layout (by hand, numpy only)
  forward DIR [--lora ADAPTER_DIR] [--prefix ADAPTER_DIR] [--soft-prompt ADAPTER_DIR]
      stdin {"ids": [[...]], "positions": null | [T] | [[T]...], "padding_mask": null | [[0/1]...],
             "targets": null | [[...]] (-100 ignored; one per token, none for soft prompt positions)}
      prints {"logits": [...], "hidden_states": [[...]...], "loss": x, "grads": {name: [...]}}; the grads are
      those of the mean cross-entropy with respect to the adapters' tensors (when targets are given)
  greedy DIR --max-new-tokens N [--eos ID ...]
      stdin {"ids": [...]}: the argmax of the last position, appended and the whole sequence run again, until
      N tokens or an eos id (included); prints {"generated": [...], "margins": [top-1 minus top-2 logit per step]}
  check-logits DIR FILE
      reads FILE (safetensors, parsed by hand with json and numpy: logits F32 (T, V), input_ids I64 (T)), runs
      the model on its input_ids and prints {"dtypes": {name: dtype}, "shapes": {name: shape},
      "input_ids": [...], "max_abs_error": max |logits - reference|}
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

DTYPE_SIZE = {"F32": 4, "F16": 2, "BF16": 2}


# ---------------------------------------------------------------------------------------------
# safetensors by hand: 8-byte little-endian header length, JSON header, data buffer

def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        chunk = data[begin:end]
        dtype = entry["dtype"]
        if dtype == "F32":
            values = np.frombuffer(chunk, dtype="<f4")
        elif dtype == "F16":
            values = np.frombuffer(chunk, dtype="<f2").astype(np.float32)
        elif dtype == "BF16":
            values = (np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f"{path}: {name} has unsupported dtype {dtype}")
        tensors[name] = torch.from_numpy(values.astype(np.float64).reshape(entry["shape"]))
    return tensors


def encode(values, dtype):
    values = np.ascontiguousarray(values, dtype=np.float32)
    if dtype == "F32":
        return values.astype("<f4").tobytes()
    if dtype == "F16":
        return values.astype("<f2").tobytes()
    bits = values.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest, ties to even
    return rounded.astype("<u2").tobytes()


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        blob = encode(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_checkpoint(directory):
    single = os.path.join(directory, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(directory, "model.safetensors.index.json")) as f:
        weight_map = json.load(f)["weight_map"]
    tensors = {}
    for shard in sorted(set(weight_map.values())):
        tensors.update(read_safetensors(os.path.join(directory, shard)))
    return tensors


# ---------------------------------------------------------------------------------------------
# make: a tiny random checkpoint

def make(args):
    rng = np.random.default_rng(args.seed)
    C, H, Hkv, I, V, L = 32, args.heads, args.kv_heads, 48, args.vocab, args.layers
    D = C // H
    config = {
        "architectures": ["Qwen2ForCausalLM" if args.model_type == "qwen2" else "LlamaForCausalLM"],
        "model_type": args.model_type, "vocab_size": V, "hidden_size": C, "intermediate_size": I,
        "num_hidden_layers": L, "num_attention_heads": H, "num_key_value_heads": Hkv, "hidden_act": "silu",
        "rms_norm_eps": 1e-5, "rope_theta": args.rope_theta, "max_position_embeddings": 128,
        "tie_word_embeddings": args.tie, "torch_dtype": "float32",
    }
    if args.model_type == "llama":
        config["attention_bias"] = args.attention_bias
    qkv_bias = args.model_type == "qwen2" or args.attention_bias
    o_bias = args.model_type == "llama" and args.attention_bias

    def w(*shape, std=args.std):
        return rng.standard_normal(shape).astype(np.float32) * std

    t = {"model.embed_tokens.weight": w(V, C, std=1.0), "model.norm.weight": 1 + w(C, std=0.1)}
    if not args.tie:
        t["lm_head.weight"] = w(V, C, std=0.2)
    for i in range(L):
        p = f"model.layers.{i}."
        t[p + "self_attn.q_proj.weight"] = w(H * D, C)
        t[p + "self_attn.k_proj.weight"] = w(Hkv * D, C)
        t[p + "self_attn.v_proj.weight"] = w(Hkv * D, C)
        t[p + "self_attn.o_proj.weight"] = w(C, H * D)
        if qkv_bias:
            t[p + "self_attn.q_proj.bias"] = w(H * D, std=0.1)
            t[p + "self_attn.k_proj.bias"] = w(Hkv * D, std=0.1)
            t[p + "self_attn.v_proj.bias"] = w(Hkv * D, std=0.1)
        if o_bias:
            t[p + "self_attn.o_proj.bias"] = w(C, std=0.1)
        t[p + "mlp.gate_proj.weight"] = w(I, C)
        t[p + "mlp.up_proj.weight"] = w(I, C)
        t[p + "mlp.down_proj.weight"] = w(C, I)
        t[p + "input_layernorm.weight"] = 1 + w(C, std=0.1)
        t[p + "post_attention_layernorm.weight"] = 1 + w(C, std=0.1)

    os.makedirs(args.dir, exist_ok=True)
    with open(os.path.join(args.dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    if args.shards == 1:
        write_safetensors(os.path.join(args.dir, "model.safetensors"), t, args.dtype)
    else:
        names = sorted(t)
        weight_map, total = {}, 0
        for s in range(args.shards):
            shard = f"model-{s + 1:05d}-of-{args.shards:05d}.safetensors"
            part = {n: t[n] for n in names[s::args.shards]}
            write_safetensors(os.path.join(args.dir, shard), part, args.dtype)
            weight_map.update({n: shard for n in part})
            total += sum(v.size * DTYPE_SIZE[args.dtype] for v in part.values())
        with open(os.path.join(args.dir, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    print(json.dumps({"tensors": len(t)}))


# ---------------------------------------------------------------------------------------------
# the model, as transformers' LlamaForCausalLM / Qwen2ForCausalLM

def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, positions, theta):  # x (B, H, T, D), positions (B, T)
    D = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    freqs = positions[..., None].double() * inv_freq  # (B, T, D/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return x * emb.cos()[:, None] + rotate_half(x) * emb.sin()[:, None]


class Lora:
    def __init__(self, directory):
        with open(os.path.join(directory, "adapter_config.json")) as f:
            cfg = json.load(f)
        assert cfg["peft_type"] == "LORA"
        self.scaling = cfg["lora_alpha"] / cfg["r"]
        self.tensors = {k: v.clone().requires_grad_(True) for k, v in read_safetensors(os.path.join(directory, "adapter_model.safetensors")).items()}

    def delta(self, layer, block, module, x):
        key = f"base_model.model.model.layers.{layer}.{block}.{module}."
        if key + "lora_A.weight" not in self.tensors:
            return 0
        return x @ self.tensors[key + "lora_A.weight"].T @ self.tensors[key + "lora_B.weight"].T * self.scaling


class Model:
    def __init__(self, directory, lora=None, prefix=None, soft_prompt=None):
        with open(os.path.join(directory, "config.json")) as f:
            self.cfg = json.load(f)
        self.w = read_checkpoint(directory)
        self.lora, self.prefix, self.soft_prompt = lora, prefix, soft_prompt

    def project(self, x, layer, block, module):
        p = f"model.layers.{layer}.{block}.{module}."
        y = x @ self.w[p + "weight"].T
        if p + "bias" in self.w:
            y = y + self.w[p + "bias"]
        if self.lora is not None:
            y = y + self.lora.delta(layer, block, module, x)
        return y

    def attention(self, x, i, positions, padding):
        cfg = self.cfg
        B, T, C = x.shape
        H, Hkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        D = cfg.get("head_dim", C // H)
        q = self.project(x, i, "self_attn", "q_proj").view(B, T, H, D).transpose(1, 2)
        k = self.project(x, i, "self_attn", "k_proj").view(B, T, Hkv, D).transpose(1, 2)
        v = self.project(x, i, "self_attn", "v_proj").view(B, T, Hkv, D).transpose(1, 2)
        theta = cfg.get("rope_theta", 10000.0)
        q, k = apply_rope(q, positions, theta), apply_rope(k, positions, theta)
        P = 0
        if self.prefix is not None:
            # PEFT's layout: view (P, layers * 2, Hkv, D); block 2i is layer i's keys, 2i + 1 its values.
            table = self.prefix.view(self.prefix.shape[0], -1, Hkv, D)
            P = table.shape[0]
            pk = table[:, 2 * i].transpose(0, 1)[None].expand(B, Hkv, P, D)
            pv = table[:, 2 * i + 1].transpose(0, 1)[None].expand(B, Hkv, P, D)
            k, v = torch.cat([pk, k], 2), torch.cat([pv, v], 2)
        k = k.repeat_interleave(H // Hkv, dim=1)
        v = v.repeat_interleave(H // Hkv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(D)  # (B, H, T, P + T)
        query = torch.arange(T)[:, None]
        key = torch.arange(P + T)[None, :]
        allowed = (key < P) | (key - P <= query)  # (T, P + T)
        key_padded = torch.cat([torch.zeros(B, P, dtype=torch.bool), padding], 1)  # (B, P + T)
        allowed = allowed[None, None] & ~key_padded[:, None, None, :]
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
        y = torch.softmax(scores, -1) @ v
        y = y.transpose(1, 2).reshape(B, T, H * D)
        return self.project(y, i, "self_attn", "o_proj")

    def mlp(self, x, i):
        gate = torch.nn.functional.silu(self.project(x, i, "mlp", "gate_proj"))
        return self.project(gate * self.project(x, i, "mlp", "up_proj"), i, "mlp", "down_proj")

    def forward(self, ids, positions, padding):
        cfg, eps = self.cfg, self.cfg["rms_norm_eps"]
        x = self.w["model.embed_tokens.weight"][ids]  # (B, T, C)
        B = x.shape[0]
        if self.soft_prompt is not None:
            Ps = self.soft_prompt.shape[0]
            x = torch.cat([self.soft_prompt[None].expand(B, Ps, -1), x], 1)
            padding = torch.cat([torch.zeros(B, Ps, dtype=torch.bool), padding], 1)
        T = x.shape[1]
        if positions is None:
            start = 0 if self.prefix is None else self.prefix.shape[0]
            positions = torch.arange(start, start + T)[None].expand(B, T)
        hidden = []
        for i in range(cfg["num_hidden_layers"]):
            hidden.append(x)
            p = f"model.layers.{i}."
            x = x + self.attention(rms_norm(x, self.w[p + "input_layernorm.weight"], eps), i, positions, padding)
            x = x + self.mlp(rms_norm(x, self.w[p + "post_attention_layernorm.weight"], eps), i)
        x = rms_norm(x, self.w["model.norm.weight"], eps)
        hidden.append(x)
        head = self.w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else self.w["lm_head.weight"]
        return x @ head.T, hidden


def read_prompt(directory, peft_type):
    with open(os.path.join(directory, "adapter_config.json")) as f:
        assert json.load(f)["peft_type"] == peft_type
    return read_safetensors(os.path.join(directory, "adapter_model.safetensors"))["prompt_embeddings"].clone().requires_grad_(True)


def forward(args):
    request = json.load(sys.stdin)
    lora = Lora(args.lora) if args.lora else None
    prefix = read_prompt(args.prefix, "PREFIX_TUNING") if args.prefix else None
    soft_prompt = read_prompt(args.soft_prompt, "PROMPT_TUNING") if args.soft_prompt else None
    model = Model(args.dir, lora, prefix, soft_prompt)
    ids = torch.tensor(request["ids"], dtype=torch.long)
    B, T = ids.shape
    padding = torch.tensor(request["padding_mask"], dtype=torch.bool) if request.get("padding_mask") else torch.zeros(B, T, dtype=torch.bool)
    positions = request.get("positions")
    if positions is not None:
        positions = torch.tensor(positions, dtype=torch.long)
        if positions.dim() == 1:
            positions = positions[None].expand(B, -1)
    logits, hidden = model.forward(ids, positions, padding)
    result = {"logits": logits.flatten().tolist(), "hidden_states": [h.detach().flatten().tolist() for h in hidden]}
    if request.get("targets") is not None:
        targets = torch.tensor(request["targets"], dtype=torch.long)
        if soft_prompt is not None:  # targets cover the tokens; the prompt positions predict nothing
            targets = torch.cat([torch.full((B, soft_prompt.shape[0]), -100), targets], 1)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
        trainable = {}
        if lora is not None:
            trainable.update(lora.tensors)
        if prefix is not None:
            trainable["prefix.prompt_embeddings"] = prefix
        if soft_prompt is not None:
            trainable["soft_prompt.prompt_embeddings"] = soft_prompt
        if trainable:
            loss.backward()
        result["loss"] = loss.item()
        result["grads"] = {name: t.grad.flatten().tolist() for name, t in trainable.items()}
    print(json.dumps(result))


def greedy(args):
    ids = json.load(sys.stdin)["ids"]
    model = Model(args.dir)
    generated, margins = [], []
    with torch.no_grad():
        while len(generated) < args.max_new_tokens:
            sequence = torch.tensor([ids + generated], dtype=torch.long)
            logits, _ = model.forward(sequence, None, torch.zeros(sequence.shape, dtype=torch.bool))
            top = torch.topk(logits[0, -1], 2)
            generated.append(int(top.indices[0]))
            margins.append(float(top.values[0] - top.values[1]))
            if generated[-1] in args.eos:
                break
    print(json.dumps({"generated": generated, "margins": margins}))


def check_logits(args):
    with open(args.file, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    numpy_dtype = {"F32": "<f4", "I64": "<i8", "I32": "<i4"}

    def tensor(name):
        entry = header[name]
        begin, end = entry["data_offsets"]
        return np.frombuffer(data[begin:end], dtype=numpy_dtype[entry["dtype"]]).reshape(entry["shape"])

    ids, logits = tensor("input_ids"), tensor("logits")
    with torch.no_grad():
        sequence = torch.from_numpy(ids.astype(np.int64))[None]
        reference, _ = Model(args.dir).forward(sequence, None, torch.zeros(sequence.shape, dtype=torch.bool))
    error = float((torch.from_numpy(logits.astype(np.float64)) - reference[0]).abs().max())
    names = [k for k in header if k != "__metadata__"]
    print(json.dumps({"dtypes": {k: header[k]["dtype"] for k in names}, "shapes": {k: header[k]["shape"] for k in names},
                      "input_ids": ids.tolist(), "max_abs_error": error}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir")
    m.add_argument("--model-type", default="llama", choices=["llama", "qwen2"])
    m.add_argument("--tie", action="store_true")
    m.add_argument("--attention-bias", action="store_true")
    m.add_argument("--heads", type=int, default=4)
    m.add_argument("--kv-heads", type=int, default=2)
    m.add_argument("--layers", type=int, default=3)
    m.add_argument("--dtype", default="F32", choices=["F32", "F16", "BF16"])
    m.add_argument("--shards", type=int, default=1)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--rope-theta", type=float, default=10000.0)
    m.add_argument("--vocab", type=int, default=64)
    m.add_argument("--std", type=float, default=0.15, help="of the projection weights; larger ones sharpen attention")
    f = sub.add_parser("forward")
    f.add_argument("dir")
    f.add_argument("--lora")
    f.add_argument("--prefix")
    f.add_argument("--soft-prompt")
    g = sub.add_parser("greedy")
    g.add_argument("dir")
    g.add_argument("--max-new-tokens", type=int, required=True)
    g.add_argument("--eos", type=int, nargs="*", default=[])
    c = sub.add_parser("check-logits")
    c.add_argument("dir")
    c.add_argument("file")
    args = parser.parse_args()
    {"make": make, "forward": forward, "greedy": greedy, "check-logits": check_logits}[args.command](args)


if __name__ == "__main__":
    main()
