#!/usr/bin/env python3
"""Verifies that charrnn and PyTorch agree, both ways, and measures half-precision exports.

    python3 interop/verify.py [--charrnn .build/release/charrnn] [--corpus corpora/tinyshakespeare.txt]

1. charrnn -> PyTorch: charrnn trains small LSTM and GRU models (one-hot and embedding input);
   load_charrnn() loads each in PyTorch; the logits of both on a held-out text are compared
   (largest absolute difference) along with the mean loss.
2. PyTorch -> charrnn: a model trained in PyTorch is saved with save_charrnn(); `charrnn eval`
   must report PyTorch's loss.
3. `charrnn export --dtype f16|bf16`: file sizes and the perplexity change.
Without torch it prints that it was skipped and why, and exits 0 (CI has no torch)."""
import argparse, json, math, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--charrnn", default=os.path.join(ROOT, ".build", "release", "charrnn"))
p.add_argument("--corpus", default=os.path.join(ROOT, "corpora", "tinyshakespeare.txt"))
p.add_argument("--steps", type=int, default=300)
a = p.parse_args()

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import safetensors  # noqa: F401
except ImportError as e:
    print(f"interop verification skipped: {e.name} is not installed (pip install -r interop/requirements.txt)")
    sys.exit(0)
if not os.path.exists(a.charrnn):
    sys.exit(f"{a.charrnn}: not built; run `swift build -c release` first")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from charrnn_interop import CharRNN, Vocabulary, load_charrnn, save_charrnn  # noqa: E402

torch.set_num_threads(2)
work = tempfile.mkdtemp(prefix="charrnn-interop-")
text = open(a.corpus, encoding="utf-8").read()
train_path, held_path = os.path.join(work, "train.txt"), os.path.join(work, "held.txt")
open(train_path, "w", encoding="utf-8").write(text[:300_000])
held = text[-3000:]
open(held_path, "w", encoding="utf-8").write(held)


def charrnn(*args):
    r = subprocess.run([a.charrnn, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"charrnn {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def charrnn_eval(ckpt, logits_path=None):
    extra = ["--logits", logits_path] if logits_path else []
    return json.loads(charrnn("eval", ckpt, "--text", held_path, "--streams", "1", "--format", "json", *extra))[0]


def torch_logits(model, vocab):
    x = torch.tensor([vocab.encode(held)])
    with torch.no_grad():
        out, _ = model.double()(x)
        model.float()
    return out[0].numpy()


print("1. charrnn-trained checkpoints loaded in PyTorch (float64), logits on 3000 held-out characters")
for arch in ("lstm", "gru"):
    for emb in (0, 32):
        name = f"{arch}-emb{emb}"
        charrnn("train", train_path, "--arch", arch, "--layers", "2", "--hidden", "96", "--embedding", str(emb),
                "--steps", str(a.steps), "--checkpoint-dir", work, "--name", name, "--quiet")
        ckpt = os.path.join(work, name, "best.ckpt")
        bin_path = os.path.join(work, name + ".logits")
        ours = charrnn_eval(ckpt, bin_path)
        model, vocab = load_charrnn(ckpt)
        theirs = torch_logits(model, vocab)
        mine = np.fromfile(bin_path, dtype="<f4").reshape(theirs.shape)
        diff = np.abs(mine - theirs).max()
        y = torch.tensor(vocab.encode(held)[1:])
        loss = nn.functional.cross_entropy(torch.tensor(theirs[:-1]), y).item()
        print(f"   {name:10s} largest |logit difference| {diff:.2e}  (logits up to {np.abs(theirs).max():.1f}); "
              f"loss charrnn {ours['natsPerCharacter']:.6f} / PyTorch {loss:.6f}")
        assert diff < 1e-3, f"{name}: logits differ by {diff}"

print("2. a PyTorch-trained model saved with save_charrnn, scored by `charrnn eval`")
vocab = Vocabulary.from_text(text)
torch.manual_seed(0)
for arch in ("lstm", "gru"):
    model = CharRNN(arch, len(vocab), 64, 2, 0, 0.0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    data = torch.tensor(vocab.encode(text[:200_000]))
    for step in range(150):
        i = torch.randint(0, len(data) - 65, (16,))
        x = torch.stack([data[j:j + 64] for j in i]); y = torch.stack([data[j + 1:j + 65] for j in i])
        out, _ = model(x)
        loss = nn.functional.cross_entropy(out.reshape(-1, len(vocab)), y.reshape(-1))
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    path = os.path.join(work, f"torch-{arch}.ckpt")
    save_charrnn(model, vocab, path)
    logits = torch_logits(model, vocab)
    ref = nn.functional.cross_entropy(torch.tensor(logits[:-1]), torch.tensor(vocab.encode(held)[1:])).item()
    ours = charrnn_eval(path)["natsPerCharacter"]
    print(f"   {arch}: PyTorch loss {ref:.6f} nats/char, charrnn eval {ours:.6f} (difference {abs(ours - ref):.1e})")
    assert abs(ours - ref) < 1e-4
    charrnn("inspect", path); charrnn("sample", path, "--length", "50", "--seed", "1")

print("3. half-precision exports (LSTM 2x96, one-hot)")
src = os.path.join(work, "lstm-emb0", "best.ckpt")
base = charrnn_eval(src)
print(f"   {'training checkpoint':22s} {os.path.getsize(src):>9,d} bytes  perplexity {base['perplexity']:.5f}")
for dtype in ("f32", "f16", "bf16"):
    out = os.path.join(work, f"export-{dtype}.ckpt")
    charrnn("export", src, "--dtype", dtype, "--weights-only", "--output", out)
    r = charrnn_eval(out)
    print(f"   {('export ' + dtype):22s} {os.path.getsize(out):>9,d} bytes  perplexity {r['perplexity']:.5f} "
          f"({100 * (r['perplexity'] / base['perplexity'] - 1):+.3f}%)")
print("all interop checks passed")
