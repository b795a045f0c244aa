"""Writes Tests/EngineTests/Fixtures/gpt_parity.safetensors for the Swift parity test.

Made with torch 2.13.0+cpu, safetensors 0.8.0 (`pip install torch==2.13.0+cpu safetensors numpy`).
Run from the package root: `python3 scripts/engine/make_parity_fixture.py`.

Contents: `param.<name>` (initial weights), `input.tokens` / `input.targets` (I64, [B, T]),
`input.mask` (F32 0/1, [B, T]), `input.condition` ([B, P, 2]), `loss` ([1]), `grad.<name>`
(gradient of the masked mean cross-entropy) and `after.<name>` (weights after one AdamW step with
the hyper-parameters stored in the metadata).
"""
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(__file__))
from tiny_gpt import GPT  # noqa: E402

torch.manual_seed(1234)
V, CTX, D, H, L, COND, P, B, T = 13, 12, 16, 2, 2, 2, 3, 2, 7
LR, WD, B1, B2, EPS = 1e-2, 0.1, 0.9, 0.999, 1e-8

model = GPT(V, CTX, D, H, L, ratio=4, cond_dim=COND)
with torch.no_grad():  # non-trivial norms and biases so their gradients are exercised
    for name, p in model.named_parameters():
        if "ln" in name or name.endswith("bias"):
            p.add_(0.1 * torch.randn_like(p))
        else:
            p.mul_(10)  # std 0.2 so the loss is not flat
tokens = torch.randint(0, V, (B, T))
targets = torch.randint(0, V, (B, T))
mask = torch.rand(B, T) > 0.25
condition = torch.randn(B, P, COND)

params = {f"param.{n}": p.detach().clone() for n, p in model.named_parameters()}
logits = model(tokens, condition)
loss = torch.nn.functional.cross_entropy(logits[mask], targets[mask])
loss.backward()
grads = {f"grad.{n}": p.grad.detach().clone() for n, p in model.named_parameters()}
opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(B1, B2), eps=EPS, weight_decay=WD)
opt.step()
after = {f"after.{n}": p.detach().clone() for n, p in model.named_parameters()}

out = {**params, **grads, **after,
       "input.tokens": tokens, "input.targets": targets, "input.mask": mask.float(),
       "input.condition": condition, "loss": loss.detach().reshape(1)}
meta = {"vocab": str(V), "context": str(CTX), "d_model": str(D), "heads": str(H), "layers": str(L),
        "cond_dim": str(COND), "lr": str(LR), "weight_decay": str(WD), "beta1": str(B1), "beta2": str(B2),
        "eps": str(EPS), "torch": torch.__version__}
path = os.path.join("Tests", "EngineTests", "Fixtures", "gpt_parity.safetensors")
save_file({k: v.contiguous() for k, v in out.items()}, path, metadata=meta)
print(f"wrote {path} ({os.path.getsize(path)} bytes), loss {loss.item():.6f}")
