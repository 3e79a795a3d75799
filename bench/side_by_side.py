#!/usr/bin/env python3
"""Runs `charrnn bench` and the PyTorch yardstick (bench/torch_charlm.py) back to back on
the same configurations and prints each ratio (charrnn / PyTorch; > 1 means charrnn is faster,
and for memory < 1 means charrnn uses less).

Usage: python3 bench/side_by_side.py [--torch-python /root/torchenv/bin/python] [--steps 30]
Needs a release build (`swift build -c release`); PyTorch is optional (without it only charrnn's
figures are printed, with the reason)."""
import argparse, json, os, resource, subprocess, sys, datetime, platform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON", "/root/torchenv/bin/python"))
p.add_argument("--yardstick", default=os.path.join(ROOT, "bench", "torch_charlm.py"))
p.add_argument("--corpus", default=os.path.join(ROOT, "corpora", "tinyshakespeare.txt"))
p.add_argument("--charrnn", default=os.path.join(ROOT, ".build", "release", "charrnn"))
p.add_argument("--steps", type=int, default=60)
p.add_argument("--repeat", type=int, default=3, help="runs per side and configuration; the best figure of each kind is kept")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--configs", default="lstm:2x128:50:50,gru:2x128:50:50,lstm:2x512:64:64,gru:2x512:64:64")
a = p.parse_args()

def run_torch(arch, layers, hidden, batch, seq):
    # Peak RSS of the PyTorch process itself, measured from inside it after the run.
    code = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__'); "
            "print('peak_rss_kb=%d' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    cmd = [a.torch_python, "-c", code, a.yardstick, a.corpus, "--arch", arch, "--hidden", str(hidden), "--layers", str(layers),
           "--batch", str(batch), "--seq", str(seq), "--steps", str(a.steps), "--threads", str(a.threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    kv = dict(tok.split("=", 1) for tok in out.split() if "=" in tok)
    return {"train": float(kv["train_chars_per_s"]), "eval": float(kv["eval_chars_per_s"]),
            "sample": float(kv["sample_chars_per_s"]), "rss": int(kv["peak_rss_kb"]) * 1024, "version": out.split()[1]}

def run_charrnn(arch, layers, hidden, batch, seq):
    cmd = [a.charrnn, "bench", "--format", "json", "--arch", arch, "--size", f"{layers}x{hidden}:{batch}:{seq}",
           "--steps", str(a.steps), "--threads", str(a.threads)]
    doc = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    r = doc["results"][0]
    return {"train": r["trainCharsPerSecond"], "eval": r["evalCharsPerSecond"], "sample": r["sampleCharsPerSecond"],
            "rss": r["peakResidentBytes"], "gflops": r["trainGFLOPs"], "ceiling": doc["matmulCeilingGFLOPs"]}

if not os.path.exists(a.charrnn):
    sys.exit(f"{a.charrnn}: not built; run `swift build -c release` first")
torch_ok, why = True, ""
try:
    subprocess.run([a.torch_python, "-c", "import torch"], capture_output=True, check=True)
except Exception as e:
    torch_ok, why = False, f"PyTorch not importable with {a.torch_python} ({type(e).__name__}); see the docstring of bench/torch_charlm.py"

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
print(f"# charrnn vs PyTorch, {datetime.date.today()}, {os.cpu_count()} cores ({cpu}), {a.threads} threads each, {a.steps} timed steps, best of {a.repeat} interleaved runs per side")
if not torch_ok:
    print(f"# PyTorch skipped: {why}")
rows = []
for spec in a.configs.split(","):
    arch, lh, batch, seq = spec.split(":")
    layers, hidden = map(int, lh.split("x"))
    # The machine is shared: interleave the two sides and keep each side's best figure.
    cs, ts = [], []
    for _ in range(a.repeat):
        cs.append(run_charrnn(arch, layers, hidden, int(batch), int(seq)))
        if torch_ok: ts.append(run_torch(arch, layers, hidden, int(batch), int(seq)))
    best = lambda runs: {k: (min if k == "rss" else max)(r[k] for r in runs) if not isinstance(runs[0][k], str) else runs[0][k] for k in runs[0]}
    c = best(cs)
    t = best(ts) if torch_ok else None
    rows.append((f"{arch} {layers}x{hidden} B{batch} T{seq}", c, t))

def ratio(x, y): return f"{x / y:.2f}x" if y else "-"
hdr = "| config | train chars/s charrnn / torch (ratio) | eval chars/s (ratio) | sample chars/s (ratio) | train GFLOP/s (% of gemm ceiling) | peak RSS MB (ratio) |"
print(hdr); print("|" + "---|" * 6)
for name, c, t in rows:
    if t:
        print(f"| {name} | {c['train']:.0f} / {t['train']:.0f} ({ratio(c['train'], t['train'])}) | {c['eval']:.0f} / {t['eval']:.0f} ({ratio(c['eval'], t['eval'])}) "
              f"| {c['sample']:.0f} / {t['sample']:.0f} ({ratio(c['sample'], t['sample'])}) | {c['gflops']:.1f} ({100 * c['gflops'] / c['ceiling']:.0f}%) "
              f"| {c['rss'] / 1e6:.0f} / {t['rss'] / 1e6:.0f} ({c['rss'] / t['rss']:.2f}) |")
    else:
        print(f"| {name} | {c['train']:.0f} / - | {c['eval']:.0f} / - | {c['sample']:.0f} / - | {c['gflops']:.1f} ({100 * c['gflops'] / c['ceiling']:.0f}%) | {c['rss'] / 1e6:.0f} / - |")
print(f"\ngemm ceiling measured by charrnn: {rows[0][1]['ceiling']:.1f} GFLOP/s"
      + (f"; PyTorch {rows[0][2]['version']}" if torch_ok else ""))
