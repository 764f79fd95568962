#!/usr/bin/python3
"""The NumPy reference for bench/origin.sh: per-tensor centred Pearson correlation and cosine
similarity between two safetensors checkpoints (single files, F32/F16/BF16), tensors matched
by name, streamed in chunks of CHUNK elements with float64 sums, as kaieval origin compare
computes them. Prints JSON: {"tensors": [{"name", "pearson", "cosine"}], "bytes": N}.
Usage: origin_numpy.py CANDIDATE.safetensors REFERENCE.safetensors [CHUNK]"""
import json
import struct
import sys

import numpy as np


def header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n)), 8 + n


def as_float(raw, dtype):
    if dtype == "BF16":
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    if dtype == "F16":
        return raw.view(np.float16).astype(np.float32)
    return raw.view(np.float32)


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    chunk = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 22
    ha, start_a = header(a_path)
    hb, start_b = header(b_path)
    ma = np.memmap(a_path, dtype=np.uint8, mode="r")
    mb = np.memmap(b_path, dtype=np.uint8, mode="r")
    rows, total = [], 0
    for name, ta in ha.items():
        if name == "__metadata__" or name not in hb or hb[name]["shape"] != ta["shape"]:
            continue
        tb = hb[name]
        size = 2 if ta["dtype"] in ("BF16", "F16") else 4
        a0, a1 = (start_a + o for o in ta["data_offsets"])
        b0 = start_b + tb["data_offsets"][0]
        n = (a1 - a0) // size
        sx = sy = sxx = syy = sxy = 0.0
        for i in range(0, n, chunk):
            m = min(chunk, n - i)
            x = as_float(ma[a0 + i * size:a0 + (i + m) * size], ta["dtype"]).astype(np.float64)
            y = as_float(mb[b0 + i * size:b0 + (i + m) * size], tb["dtype"]).astype(np.float64)
            sx += x.sum()
            sy += y.sum()
            sxx += x.dot(x)
            syy += y.dot(y)
            sxy += x.dot(y)
        va, vb = sxx - sx * sx / n, syy - sy * sy / n
        pearson = (sxy - sx * sy / n) / np.sqrt(va * vb) if va > 0 and vb > 0 else None
        cosine = sxy / np.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None
        rows.append({"name": name, "pearson": pearson, "cosine": cosine})
        total += 2 * (a1 - a0)
    print(json.dumps({"tensors": rows, "bytes": total}))


if __name__ == "__main__":
    main()
