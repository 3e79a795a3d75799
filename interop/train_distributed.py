#!/usr/bin/env python3
"""Trains charrnn's model with PyTorch DistributedDataParallel and writes charrnn checkpoints.

    torchrun --nproc_per_node=2 interop/train_distributed.py CORPUS --arch lstm --hidden 256 --steps 500 --out checkpoints/ddp

Backend: NCCL when CUDA is available, gloo on the CPU. Every rank builds the same vocabulary from
the whole file; the training part (all but the last --val-fraction) is cut into one contiguous
slice per rank, and each rank runs --batch streams over its slice with truncated BPTT and carried
hidden state (charrnn's scheme), so the global batch is world_size × --batch streams. Gradients
are averaged by DDP; clipping, Adam and the cosine schedule match charrnn's. Rank 0 validates and
writes best.ckpt and latest.ckpt (charrnn format, readable by `charrnn sample|eval|compare|inspect`).
"""
import argparse, math, os, sys, time

import torch
import torch.distributed as dist
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from charrnn_interop import CharRNN, Vocabulary, save_charrnn  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("corpus")
p.add_argument("--arch", default="lstm", choices=["lstm", "gru"])
p.add_argument("--layers", type=int, default=2)
p.add_argument("--hidden", type=int, default=256)
p.add_argument("--embedding", type=int, default=0)
p.add_argument("--dropout", type=float, default=0.0)
p.add_argument("--batch", type=int, default=32, help="streams per rank")
p.add_argument("--seq", type=int, default=64)
p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--clip", type=float, default=5.0)
p.add_argument("--steps", type=int, default=1000)
p.add_argument("--warmup", type=int, default=100)
p.add_argument("--val-fraction", type=float, default=0.1)
p.add_argument("--eval-every", type=int, default=200)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--out", default="checkpoints/ddp")
a = p.parse_args()

cuda = torch.cuda.is_available()
dist.init_process_group("nccl" if cuda else "gloo")
rank, world = dist.get_rank(), dist.get_world_size()
device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu")
if not cuda:
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
torch.manual_seed(a.seed)  # same initial weights on every rank (DDP also broadcasts rank 0's)

text = open(a.corpus, encoding="utf-8").read()
if text.startswith("\ufeff"):
    text = text[1:]
vocab = Vocabulary.from_text(text)
ids = torch.tensor(vocab.encode(text), dtype=torch.long)
n_val = int(round(len(ids) * a.val_fraction))
train, val = ids[: len(ids) - n_val], ids[len(ids) - n_val:]
# This rank's contiguous slice of the training text, then charrnn's B streams over it.
lo, hi = rank * len(train) // world, (rank + 1) * len(train) // world
mine = train[lo:hi]
L = (len(mine) - 1) // a.batch
if L < a.seq:
    sys.exit(f"rank {rank}: slice of {len(mine)} characters is too small for --batch {a.batch} x --seq {a.seq}")
X = mine[: L * a.batch].view(a.batch, L)
Y = mine[1: L * a.batch + 1].view(a.batch, L)

model = CharRNN(a.arch, len(vocab), a.hidden, a.layers, a.embedding, a.dropout).to(device)
ddp = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if cuda else None)
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
lossf = nn.CrossEntropyLoss()


def lr_at(step):
    warm = min(1.0, (step + 1) / a.warmup) if a.warmup else 1.0
    return a.lr * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / a.steps)))


@torch.no_grad()
def validate():
    model.eval()
    total, count, h = 0.0, 0, None
    vx, vy = val[:-1].to(device), val[1:].to(device)
    for i in range(0, len(vx), 1024):
        out, h = model(vx[i:i + 1024].view(1, -1), h)
        total += nn.functional.cross_entropy(out[0], vy[i:i + 1024], reduction="sum").item()
        count += len(vy[i:i + 1024])
    model.train()
    return total / count


os.makedirs(a.out, exist_ok=True)
pos, h, best, t0 = 0, None, float("inf"), time.time()
history = []
for step in range(a.steps):
    if pos + a.seq > L:
        pos, h = 0, None
    x, y = X[:, pos:pos + a.seq].to(device), Y[:, pos:pos + a.seq].to(device)
    pos += a.seq
    if h is not None:
        h = tuple(t.detach() for t in h) if isinstance(h, tuple) else h.detach()
    for g in opt.param_groups:
        g["lr"] = lr_at(step)
    out, h = ddp(x, h)
    loss = lossf(out.reshape(-1, len(vocab)), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), a.clip)
    opt.step()
    last = step + 1 == a.steps
    if (step + 1) % a.eval_every == 0 or last:
        if rank == 0:
            v = validate()
            seen = (step + 1) * a.batch * a.seq * world
            history.append({"step": step + 1, "epoch": seen / len(train), "characters": seen, "seconds": time.time() - t0,
                            "trainLoss": loss.item(), "validationLoss": v, "learningRate": lr_at(step)})
            training = {"runName": os.path.basename(a.out.rstrip("/")), "settings": {
                "trainFile": a.corpus, "validationFraction": a.val_fraction, "bytes": False, "batch": a.batch * world,
                "sequence": a.seq, "learningRate": a.lr, "finalLearningRateFraction": 0.1, "warmupSteps": a.warmup,
                "schedule": "cosine", "clip": a.clip, "weightDecay": 0, "seed": a.seed, "evalEvery": a.eval_every,
                "steps": a.steps}, "progress": {
                "step": step + 1, "epoch": int(seen // len(train)), "batchInEpoch": 0, "charactersSeen": seen,
                "elapsedSeconds": time.time() - t0, "random": [], "lastValidationLoss": v, "lastTrainingLoss": loss.item(),
                "bestValidationLoss": min(best, v), "bestStep": step + 1, "learningRateScale": 1}}
            save_charrnn(model, vocab, os.path.join(a.out, "latest.ckpt"), training, history)
            if v < best:
                best = v
                save_charrnn(model, vocab, os.path.join(a.out, "best.ckpt"), training, history)
            print(f"step {step + 1} loss {loss.item():.4f} val_loss {v:.4f} ({world} ranks, {time.time() - t0:.0f}s)", file=sys.stderr)
        dist.barrier()
dist.destroy_process_group()
