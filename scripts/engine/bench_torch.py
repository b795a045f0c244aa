"""PyTorch twin of the Swift engine's training benchmark (TrainBenchmark in Sources/Benchmarks).

Same models (reference: vocab 258, d_model 128, 4 heads, 2 layers, MLP 4x, context 64; tiny:
d_model 64, 1 layer), batch 32, AdamW (lr 1e-3), random tokens, same thread count.
Made for torch 2.13.0+cpu (`pip install torch==2.13.0+cpu`).

Usage: python3 scripts/engine/bench_torch.py --steps 500 --threads 2
Prints key=value lines: torch_version, threads, <model>_steps_per_s, <model>_tokens_per_s and
<model>_final_loss (training throughput only; generation latency is measured on the Swift side).
The Swift benchmark (TrainBenchmark.run with torchScript) runs this script and prints the ratio.
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_gpt import GPT  # noqa: E402

MODELS = {"reference": dict(d=128, layers=2), "tiny": dict(d=64, layers=1)}
VOCAB, CONTEXT, HEADS, BATCH, POOL, WARMUP = 258, 64, 4, 32, 8, 5


def bench(name, d, layers, steps, fused):
    torch.manual_seed(1)
    model = GPT(VOCAB, CONTEXT, d, HEADS, layers)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    data = torch.randint(0, VOCAB, (POOL, BATCH, CONTEXT + 1))

    def step(i):
        seq = data[i % POOL]
        logits = model(seq[:, :-1], fused=fused)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), seq[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(WARMUP):
        step(i)
    t0 = time.perf_counter()
    for i in range(1, steps + 1):
        loss = step(i)
    elapsed = time.perf_counter() - t0
    return steps / elapsed, steps * BATCH * CONTEXT / elapsed, loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fused-attention", action="store_true",
                    help="use F.scaled_dot_product_attention instead of the explicit softmax(QK^T)V")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch_version={torch.__version__}")
    print(f"threads={torch.get_num_threads()}")
    for name, cfg in MODELS.items():
        sps, tps, loss = bench(name, cfg["d"], cfg["layers"], args.steps, args.fused_attention)
        print(f"{name}_steps_per_s={sps:.3f}")
        print(f"{name}_tokens_per_s={tps:.0f}")
        print(f"{name}_final_loss={loss:.4f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
