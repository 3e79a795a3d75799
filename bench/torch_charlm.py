#!/usr/bin/env python3
"""The PyTorch yardstick for `charrnn bench`: the same model shapes, timed the same three ways.

Model: Embedding(V, H) -> LSTM or GRU (L layers, H units, batch-first) -> Linear(H, V), trained
with Adam (lr 2e-3) and global-norm clipping at 5. The batch is B contiguous windows of T
characters taken at spread-out offsets of the corpus; speed does not depend on which text is read.

Prints one line of key=value pairs (the first token is "torch", the second PyTorch's version):
train_chars_per_s, eval_chars_per_s (forward only, no gradients) and sample_chars_per_s (one
stream, one character per forward call, temperature 0.8), plus params and the last loss.
With --precision bf16 every forward pass runs under torch.autocast("cpu", dtype=torch.bfloat16):
PyTorch's one line for bf16 (oneDNN's bf16 matmul and RNN kernels; AMX where the CPU has it).

Usage: torch_charlm.py CORPUS [--arch lstm|gru] [--hidden H] [--layers L] [--batch B] [--seq T]
                              [--steps N] [--threads N] [--sample N] [--precision fp32|bf16]
PyTorch is not needed by charrnn; install it in a virtual environment outside the repository:
    python3 -m venv ~/torchenv && ~/torchenv/bin/pip install torch numpy
"""
import argparse
import time

import torch
import torch.nn as nn


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus")
    p.add_argument("--arch", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seq", type=int, default=64)
    p.add_argument("--steps", type=int, default=30, help="timed training steps (after 3 warm-up steps)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sample", type=int, default=2000, help="characters to sample")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="bf16: autocast")
    return p.parse_args()


class CharModel(nn.Module):
    def __init__(self, arch, vocab, hidden, layers):
        super().__init__()
        self.emb = nn.Embedding(vocab, hidden)
        cell = nn.LSTM if arch == "lstm" else nn.GRU
        self.rnn = cell(hidden, hidden, layers, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens, state=None):
        y, state = self.rnn(self.emb(tokens), state)
        return self.out(y), state


def main():
    a = parse()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.corpus, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)
    vocab = len(chars)

    model = CharModel(a.arch, vocab, a.hidden, a.layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.CrossEntropyLoss()
    params = sum(t.numel() for t in model.parameters())

    span = len(data) - a.seq - 1

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16")

    def windows(step):
        # B windows spread over the corpus by a prime stride, moving on by T each step.
        offsets = [(b * 7919 + step * a.seq) % span for b in range(a.batch)]
        x = torch.stack([data[o:o + a.seq] for o in offsets])
        y = torch.stack([data[o + 1:o + a.seq + 1] for o in offsets])
        return x, y

    def train_step(step):
        x, y = windows(step)
        with autocast():
            logits, _ = model(x)
            loss = criterion(logits.reshape(-1, vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        return loss.item()

    for step in range(3):
        train_step(step)
    start = time.perf_counter()
    for step in range(a.steps):
        loss = train_step(3 + step)
    train_cps = a.steps * a.batch * a.seq / (time.perf_counter() - start)

    with torch.no_grad(), autocast():
        eval_steps = max(1, a.steps // 3)
        model(windows(10_000)[0])
        start = time.perf_counter()
        for step in range(eval_steps):
            model(windows(10_001 + step)[0])
        eval_cps = eval_steps * a.batch * a.seq / (time.perf_counter() - start)

        state = None
        token = torch.zeros(1, 1, dtype=torch.long)
        start = time.perf_counter()
        for _ in range(a.sample):
            logits, state = model(token, state)
            probabilities = torch.softmax(logits[0, -1].float() / 0.8, dim=-1)
            token = torch.multinomial(probabilities, 1).view(1, 1)
        sample_cps = a.sample / (time.perf_counter() - start)

    print(f"torch {torch.__version__} precision={a.precision} arch={a.arch} H={a.hidden} L={a.layers} B={a.batch} T={a.seq} "
          f"params={params} train_chars_per_s={train_cps:.0f} eval_chars_per_s={eval_cps:.0f} "
          f"sample_chars_per_s={sample_cps:.0f} loss={loss:.3f}")


if __name__ == "__main__":
    main()
