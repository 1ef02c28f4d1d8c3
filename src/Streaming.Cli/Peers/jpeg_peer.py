"""JPEG peer for `streaming bench video`: Pillow (libjpeg-turbo) encoding and decoding the same rgb24 frames.

usage: jpeg_peer.py FRAMES_FILE COUNT WIDTH HEIGHT QUALITY SECONDS
Prints one JSON document: {"pillow": version, "encode_fps", "decode_fps"}, each the median of 5 rounds of about
SECONDS / 5 over the frames in turn, after a warm-up round as long. Decoding reads back the peer's own encodings.
"""
import io
import json
import statistics
import sys
import time

from PIL import Image, __version__ as pillow_version

path, count, width, height, quality, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
with open(path, "rb") as f:
    data = f.read()
size = width * height * 3
frames = [data[i * size:(i + 1) * size] for i in range(count)]


def encode(raw):
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), raw).save(out, "JPEG", quality=quality)
    return out.getvalue()


def decode(jpeg):
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def rate(work, items):
    rates = []
    for _ in range(6):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5 or done == 0:
            work(items[done % len(items)])
            done += 1
        rates.append(done / (time.perf_counter() - start))
    return statistics.median(rates[1:])


jpegs = [encode(f) for f in frames]
print(json.dumps({"pillow": pillow_version, "encode_fps": rate(encode, frames), "decode_fps": rate(decode, jpegs)}))
