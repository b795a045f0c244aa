"""Checks that the Python `safetensors` package reads a checkpoint the Swift engine wrote.

Usage:
  SAFETENSORS_CROSSCHECK_DIR=/tmp/st swift test --disable-swift-testing \
      --filter SafeTensorsCrossCheckTests
  python3 scripts/engine/check_safetensors.py /tmp/st      # needs numpy and safetensors

Compares every tensor's dtype, shape and values (exactly: both sides hold the same float32 bits)
and the metadata with expected.json, which the Swift test wrote beside the checkpoint. Exits
non-zero and names the first mismatch.
"""
import json
import sys
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def main(folder: Path) -> int:
    expected = json.loads((folder / "expected.json").read_text())
    path = folder / "swift_gpt.safetensors"
    tensors = load_file(str(path))
    with safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    if metadata != expected.pop("__metadata__"):
        print(f"metadata differs: {metadata}")
        return 1
    if sorted(tensors) != sorted(expected):
        print(f"names differ: {sorted(tensors)} against {sorted(expected)}")
        return 1
    for name, want in expected.items():
        got = tensors[name]
        if got.dtype != np.float32 or list(got.shape) != want["shape"]:
            print(f"{name}: {got.dtype} {list(got.shape)}, expected float32 {want['shape']}")
            return 1
        if not np.array_equal(got.ravel(), np.asarray(want["values"], dtype=np.float32)):
            print(f"{name}: values differ")
            return 1
    print(f"safetensors {__import__('safetensors').__version__} read {len(tensors)} tensors and the metadata exactly as written")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
