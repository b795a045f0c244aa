"""PyTorch twin of the Swift Engine's GPT (same structure and parameter names).

Used by make_parity_fixture.py and bench_torch.py. Written for torch 2.13.0+cpu
(`pip install torch==2.13.0+cpu safetensors numpy`).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.gelu(x)  # exact (erf) GELU, as the Swift engine
        return x


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, fused=False):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        if fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
            att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
            y = att @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, d, heads, ratio):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = Attention(d, heads)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = MLP([d, ratio * d, d])

    def forward(self, x, fused=False):
        x = x + self.attn(self.ln1(x), fused)
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """Token + position embeddings, optional conditioning prefix, pre-norm blocks, untied head."""

    def __init__(self, vocab, context, d, heads, layers, ratio=4, cond_dim=0):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(context, d)
        self.cond = nn.Linear(cond_dim, d) if cond_dim > 0 else None
        self.blocks = nn.ModuleList(Block(d, heads, ratio) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        for name, p in self.named_parameters():
            if name.endswith("weight") and p.dim() == 2:
                nn.init.normal_(p, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, tokens, condition=None, fused=False):
        x = self.wte(tokens)
        p = 0
        if condition is not None:
            x = torch.cat([self.cond(condition), x], dim=1)
            p = condition.shape[1]
        x = x + self.wpe(torch.arange(x.shape[1], device=x.device))
        for blk in self.blocks:
            x = blk(x, fused)
        return self.head(self.ln_f(x[:, p:]))
