"""Writes .npy files with numpy for the C# NpyFile tests and prints what a reader must get.

  write DIR   writes DIR/<case>.npy for each readable case and DIR/bad_<case>.npy for each unsupported one;
              prints {"cases": {case: {"shape": [...], "fortran": bool, "version": [major, minor],
              "f32_bits": [...]}}, "bad": [case, ...]}, the values in C order as float32 bits
              (float64 rounded to nearest by numpy's astype).
"""
import json
import os
import sys

import numpy as np


def cases():
    rng = np.random.default_rng(5)
    yield "f4_1d", np.arange(7, dtype="<f4") * np.float32(0.25) - 1, (1, 0)
    yield "f4_2d", rng.standard_normal((3, 5)).astype("<f4"), (1, 0)
    yield "f8_2d", rng.standard_normal((4, 3)) * 1e3, (1, 0)  # not representable in float32: rounding is checked
    yield "f2_2d", rng.standard_normal((2, 6)).astype("<f2"), (1, 0)
    yield "f4_fortran_2d", np.asfortranarray(rng.standard_normal((5, 3)).astype("<f4")), (1, 0)
    yield "f8_fortran_3d", np.asfortranarray(rng.standard_normal((2, 3, 4))), (1, 0)
    yield "f4_v2", rng.standard_normal((3, 2)).astype("<f4"), (2, 0)
    yield "f4_v3", rng.standard_normal((2, 2)).astype("<f4"), (3, 0)
    yield "f4_scalar", np.array(3.5, dtype="<f4"), (1, 0)
    yield "f4_empty", np.zeros((4, 0), dtype="<f4"), (1, 0)


def bad():
    yield "big_endian", np.arange(6, dtype=">f4").reshape(2, 3)
    yield "object", np.array([1, "a", None], dtype=object)
    yield "int64", np.arange(6, dtype="<i8")
    yield "structured", np.zeros(3, dtype=[("x", "<f4"), ("y", "<f4")])


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "write":
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    folder = sys.argv[2]
    out = {"cases": {}, "bad": []}
    for name, array, version in cases():
        with open(os.path.join(folder, name + ".npy"), "wb") as f:
            np.lib.format.write_array(f, array, version=version)
        values = np.ascontiguousarray(array.astype(np.float32)).reshape(-1)
        out["cases"][name] = {
            "shape": list(array.shape),
            "fortran": bool(array.flags.f_contiguous and not array.flags.c_contiguous),
            "version": list(version),
            "f32_bits": values.view(np.uint32).tolist(),
        }
    for name, array in bad():
        with open(os.path.join(folder, "bad_" + name + ".npy"), "wb") as f:
            np.lib.format.write_array(f, array, allow_pickle=True)
        out["bad"].append(name)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
