#!/usr/bin/env python3
"""The FAST tokenizer pipeline in Python, timed on the chunks the Swift benchmark writes.

Pipeline (written for this workbench from the published description of FAST):
  fit     per-dimension 1st/99th percentiles (numpy.quantile, linear), constant dimensions -> 0;
          integer coefficients = around(dct(normalised, type=2, norm="ortho", axis=time) * gamma),
          flattened low frequencies first; each coefficient c becomes the character
          chr(OFFSET + c - min); a Hugging Face `tokenizers` BPE (no normaliser, no pre-tokeniser,
          so a chunk is one "word") is trained on those strings with BpeTrainer(vocab_size,
          min_frequency=2, initial_alphabet=every character of the fitted range).
  encode  normalise, DCT, scale, round, clip to the fitted range, to characters, encode_batch.
  decode  decode_batch (Fuse decoder: the pieces are concatenated), characters back to integers,
          a sequence of the wrong length decodes to zeros (counted), / gamma, inverse DCT,
          denormalise.

Usage (from the repository root; the Swift side normally runs this for you):
  /tmp/fastvenv/bin/python benchmarks/fast_reference.py --data chunks.npy --threads 1 2
It runs one worker process per thread count (so that OpenBLAS, scipy.fft and the Rust thread pool
of `tokenizers` start with that count) and prints one JSON object on the last line of stdout.
"""
import argparse
import json
import os
import subprocess
import sys
import time

OFFSET = 0x100  # first character of the alphabet (skips ASCII and Latin-1 control characters)


def worker(args):
    import numpy as np
    import scipy
    import scipy.fft
    import tokenizers
    from tokenizers import Tokenizer, decoders, models, trainers

    threads = args.threads[0]
    data = np.load(args.data)
    n, t, d = data.shape

    def coefficients(x, q01, q99, constant):
        norm = np.clip(2 * (x - q01) / (q99 - q01 + 1e-8) - 1, -1, 1)
        norm[..., constant] = 0
        c = scipy.fft.dct(norm, type=2, norm="ortho", axis=1, workers=threads)
        return np.around(c * args.gamma).astype(np.int64).reshape(x.shape[0], -1)

    # Fit.
    start = time.perf_counter()
    flat = data.reshape(-1, d)
    q01, q99 = np.quantile(flat, 0.01, axis=0), np.quantile(flat, 0.99, axis=0)
    constant = flat.min(axis=0) == flat.max(axis=0)
    coeff = coefficients(data, q01, q99, constant)
    lo, hi = int(coeff.min()), int(coeff.max())
    to_text = lambda c: [row.tobytes().decode("utf-32-le") for row in (c - lo + OFFSET).astype("<u4")]
    tok = Tokenizer(models.BPE(cache_capacity=0))
    tok.decoder = decoders.Fuse()
    trainer = trainers.BpeTrainer(vocab_size=args.vocabulary, min_frequency=2, show_progress=False,
                                  initial_alphabet=[chr(OFFSET + i) for i in range(hi - lo + 1)])
    tok.train_from_iterator(to_text(coeff), trainer=trainer)
    fit_seconds = time.perf_counter() - start

    failures = [0]

    def encode(x):
        c = np.clip(coefficients(x, q01, q99, constant), lo, hi)
        return [e.ids for e in tok.encode_batch(to_text(c))]

    def decode(ids):
        texts = tok.decode_batch(ids)
        out = np.zeros((len(ids), t * d))
        for i, s in enumerate(texts):
            v = np.frombuffer(s.encode("utf-32-le"), dtype="<u4").astype(np.int64)
            if v.size == t * d:
                out[i] = v - OFFSET + lo
            else:
                failures[0] += 1
        x = scipy.fft.idct(out.reshape(-1, t, d) / args.gamma, type=2, norm="ortho", axis=1, workers=threads)
        x = (x + 1) / 2 * (q99 - q01 + 1e-8) + q01
        x[..., constant] = q01[constant]
        return x

    def rate(body):
        runs, begin = 0, time.perf_counter()
        while True:
            body()
            runs += 1
            if time.perf_counter() - begin >= args.seconds:
                return runs * n / (time.perf_counter() - begin)

    ids = encode(data)
    decoded = decode(ids)
    norm = lambda x: np.clip(2 * (x - q01) / (q99 - q01 + 1e-8) - 1, -1, 1)
    rmse = float(np.sqrt(np.mean((norm(decoded) - norm(data)) ** 2)))
    result = {
        "threads": threads, "chunks": n, "steps": t, "dims": d, "fit_seconds": fit_seconds,
        "vocabulary": tok.get_vocab_size(), "base_size": hi - lo + 1, "min_coefficient": lo,
        "tokens_per_chunk": sum(map(len, ids)) / n, "normalised_rmse": rmse,
        "encode_per_second": rate(lambda: encode(data)),
        "decode_per_second": rate(lambda: decode(ids)),
        "decode_failures": failures[0],
        "first_tokens": ids[:100],
        "numpy": np.__version__, "scipy": scipy.__version__, "tokenizers": tokenizers.__version__,
    }
    print(json.dumps(result))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help=".npy file of shape (chunks, steps, dims), float64")
    p.add_argument("--gamma", type=float, default=10.0)
    p.add_argument("--vocabulary", type=int, default=1024)
    p.add_argument("--seconds", type=float, default=2.0, help="minimum seconds to time each operation")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args)
    results = {}
    for n in args.threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(n), OMP_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n),
                   RAYON_NUM_THREADS=str(n), RAYON_RS_NUM_CPUS=str(n),
                   TOKENIZERS_PARALLELISM="true" if n > 1 else "false")
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--data", args.data, "--gamma", str(args.gamma),
               "--vocabulary", str(args.vocabulary), "--seconds", str(args.seconds), "--threads", str(n)]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        results[str(n)] = json.loads(out.strip().splitlines()[-1])
        print(f"threads {n}: encode {results[str(n)]['encode_per_second']:.0f} chunks/s, "
              f"decode {results[str(n)]['decode_per_second']:.0f} chunks/s, "
              f"{results[str(n)]['tokens_per_chunk']:.1f} tokens/chunk", file=sys.stderr)
    print(json.dumps({"python": sys.version.split()[0], "results": results}))


if __name__ == "__main__":
    main()
