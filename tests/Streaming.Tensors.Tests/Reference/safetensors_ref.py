"""Independent safetensors peer for the C# tests, written from the format description alone.

The format: 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}},
then the data buffer (offsets are relative to it), little-endian, covered by the tensors without holes.
numpy converts F16 and the integer types, torch BF16; nothing here uses the safetensors package.

Commands (results are one JSON document on stdout; a failed check exits 1 with the reason on stderr):
  write PATH   write a file by hand (odd layout on purpose) and print the float32 bits a reader must get
  check PATH   stdin {"dtype", "metadata", "tensors": {name: {"shape", "f32_bits"}}}: check that PATH is
               the reference layout and holds those float32 values, rounded to dtype by numpy / torch;
               an integer tensor is {"shape", "dtype": "I64" | "I32", "ints"} and must hold exactly those
  convert      stdin {"f32_bits", "f16_bits", "bf16_bits"} (any subset): print each list converted
               (f32_to_f16, f32_to_bf16 as stored bits; f16_to_f32, bf16_to_f32 as float32 bits)
"""
import json
import struct
import sys

import numpy as np

np.seterr(all="ignore")  # the conversions overflow to infinity on purpose

SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def bf16_bits_from_f32(values):
    import torch  # imported only where needed: it takes a second to load
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32)).to(torch.bfloat16) \
        .view(torch.int16).numpy().view(np.uint16)


def f32_from_bf16_bits(bits):
    import torch
    return torch.from_numpy(np.array(bits, dtype=np.uint16).view(np.int16)) \
        .view(torch.bfloat16).to(torch.float32).numpy()


def f16_bits_from_f32(values):
    return np.asarray(values, dtype=np.float32).astype(np.float16).view(np.uint16)


def f32_bits(values):
    return np.asarray(values, dtype=np.float32).view(np.uint32).tolist()


def specials():
    # -0, infinities, NaN, float32 subnormals, float16 subnormals and overflow, bf16 rounding ties
    return np.array([-0.0, np.inf, -np.inf, np.nan, 1e-45, -3e-39, 6e-8, -5.9604645e-08, 65504.0, 65520.0,
                     1e5, 1.00390625, 1.01171875, -2.5], dtype=np.float32)


def write(path):
    rng = np.random.default_rng(1234)
    f32 = np.concatenate([specials()[:12], rng.standard_normal(3 * 4 * 2 - 12).astype(np.float32)]).reshape(2, 3, 4)
    f16 = f16_bits_from_f32(np.concatenate([specials(), rng.standard_normal(16).astype(np.float32) * 100])) \
        .view(np.float16).reshape(5, 6)
    bf16_source = np.concatenate([specials(), rng.standard_normal(7).astype(np.float32) * 1e3]).reshape(3, 7)
    bf16_bits = bf16_bits_from_f32(bf16_source)

    # (name, dtype, shape, stored bytes, the float32 a reader must produce)
    tensors = [
        ("mask", "BOOL", [3], np.array([True, False, True]).tobytes(), np.array([1, 0, 1], dtype=np.float32)),
        ("model.layers.0.weight", "F32", [2, 3, 4], f32.astype("<f4").tobytes(), f32),
        ("half", "F16", [5, 6], f16.astype("<f2").tobytes(), f16.astype(np.float32)),
        ("brain", "BF16", [3, 7], bf16_bits.astype("<u2").tobytes(), f32_from_bf16_bits(bf16_bits)),
        ("scalar", "F32", [], struct.pack("<f", 3.5), np.array([3.5], dtype=np.float32)),
        ("empty", "F16", [0, 4], b"", np.zeros(0, dtype=np.float32)),
        ("ids", "I64", [2, 2], np.array([[-7, 0], [1 << 40, 123456789]], dtype="<i8").tobytes(),
         np.array([-7, 0, 1 << 40, 123456789], dtype=np.int64).astype(np.float32)),
        ("counts", "I32", [3], np.array([5, -2147483648, 2147483647], dtype="<i4").tobytes(),
         np.array([5, -2147483648, 2147483647], dtype=np.int32).astype(np.float32)),
        ("double", "F64", [2], np.array([0.1, -1e300], dtype="<f8").tobytes(),
         np.array([0.1, -1e300]).astype(np.float32)),
        ("bytes", "U8", [2], bytes([0, 255]), np.array([0, 255], dtype=np.float32)),
        ("\u00fcn\u00ef.c\u00f6de", "F32", [1], struct.pack("<f", -1.25), np.array([-1.25], dtype=np.float32)),
    ]

    # Data in list order (BOOL first, so what follows is unaligned), JSON keys in another order,
    # metadata last, default separators with spaces, no padding: all allowed, none what we write.
    header, offset, data = {}, 0, b""
    for name, dtype, shape, raw, _ in tensors:
        assert len(raw) == int(np.prod(shape, dtype=np.int64)) * SIZE[dtype]
        header[name] = {"data_offsets": [offset, offset + len(raw)], "shape": shape, "dtype": dtype}
        offset += len(raw)
        data += raw
    ordered = dict(sorted(header.items(), key=lambda item: item[0][::-1]))
    ordered["__metadata__"] = {"format": "pt", "note": "h\u00e9llo \"quoted\""}
    header_bytes = json.dumps(ordered, ensure_ascii=False).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        f.write(data)

    expected = {name: {"dtype": dtype, "shape": shape, "f32_bits": f32_bits(values.ravel())}
                for name, dtype, shape, _, values in tensors}
    print(json.dumps({"metadata": ordered["__metadata__"], "tensors": expected}))


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail(f"duplicate keys in {keys}")
    return dict(pairs)


def check(path):
    spec = json.load(sys.stdin)
    dtype = spec["dtype"]
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail(f"{path}: {len(blob)} bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        fail(f"header length {n} is not a multiple of 8")
    raw = blob[8:8 + n]
    text = raw.decode("utf-8")
    body = text.rstrip(" ")
    header = json.loads(body, object_pairs_hook=no_duplicates)
    if len(text) - len(body) >= 8:
        fail(f"{len(text) - len(body)} bytes of padding; at most 7 are needed")

    # The reference layout: compact JSON, metadata first, then tensors sorted by name (UTF-8 bytes).
    names = [k for k in header if k != "__metadata__"]
    if names != sorted(names, key=lambda s: s.encode("utf-8")):
        fail(f"tensors not sorted by name: {names}")
    if "__metadata__" in header and next(iter(header)) != "__metadata__":
        fail("__metadata__ is not the first key")
    compact = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
    if compact != body:
        fail(f"header is not compact JSON:\n{body}\n{compact}")
    if header.get("__metadata__") != spec.get("metadata"):
        fail(f"metadata {header.get('__metadata__')} != {spec.get('metadata')}")
    if sorted(names) != sorted(spec["tensors"]):
        fail(f"tensors {names} != {sorted(spec['tensors'])}")

    data = blob[8 + n:]
    offset = 0
    for name in names:
        entry, want = header[name], spec["tensors"][name]
        tensor_dtype = want.get("dtype", dtype)
        if entry["dtype"] != tensor_dtype or entry["shape"] != want["shape"]:
            fail(f"{name}: {entry['dtype']} {entry['shape']}, expected {tensor_dtype} {want['shape']}")
        begin, end = entry["data_offsets"]
        if begin != offset or end - begin != int(np.prod(want["shape"], dtype=np.int64)) * SIZE[tensor_dtype]:
            fail(f"{name}: data_offsets {entry['data_offsets']} (previous tensor ended at {offset})")
        offset = end
        if tensor_dtype in ("I64", "I32"):
            stored = np.frombuffer(data[begin:end], dtype="<i8" if tensor_dtype == "I64" else "<i4").tolist()
            if stored != want["ints"]:
                fail(f"{name}: stored {stored}, expected {want['ints']}")
            continue
        source = np.array(want["f32_bits"], dtype=np.uint32).view(np.float32)
        if dtype == "F32":
            stored = np.frombuffer(data[begin:end], dtype="<u4")
            expected, stored_nan = source.view(np.uint32), np.isnan(stored.view(np.float32))
        elif dtype == "F16":
            stored = np.frombuffer(data[begin:end], dtype="<u2")
            expected, stored_nan = f16_bits_from_f32(source), np.isnan(stored.view(np.float16))
        else:
            stored = np.frombuffer(data[begin:end], dtype="<u2")
            expected, stored_nan = bf16_bits_from_f32(source), np.isnan(f32_from_bf16_bits(stored))
        # NaN payloads differ between converters and carry no value: any NaN matches a NaN.
        ok = (stored == expected) | (stored_nan & np.isnan(source))
        if not ok.all():
            i = int(np.argmin(ok))
            fail(f"{name}[{i}]: stored bits {int(stored[i]):#x}, expected {int(expected[i]):#x} for {source[i]!r}")
    if offset != len(data):
        fail(f"tensors cover {offset} of {len(data)} data bytes")
    print(json.dumps({"ok": True, "tensors": len(names)}))


def convert():
    request = json.load(sys.stdin)
    result = {}
    if "f32_bits" in request:
        values = np.array(request["f32_bits"], dtype=np.uint32).view(np.float32)
        result["f32_to_f16"] = f16_bits_from_f32(values).tolist()
        result["f32_to_bf16"] = bf16_bits_from_f32(values).tolist()
    if "f16_bits" in request:
        result["f16_to_f32"] = f32_bits(np.array(request["f16_bits"], dtype=np.uint16).view(np.float16).astype(np.float32))
    if "bf16_bits" in request:
        result["bf16_to_f32"] = f32_bits(f32_from_bf16_bits(np.array(request["bf16_bits"], dtype=np.uint16)))
    print(json.dumps(result))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "write" and len(sys.argv) == 3:
        write(sys.argv[2])
    elif command == "check" and len(sys.argv) == 3:
        check(sys.argv[2])
    elif command == "convert" and len(sys.argv) == 2:
        convert()
    else:
        fail(__doc__)
