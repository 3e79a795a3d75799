#!/usr/bin/env python3
"""Runs `charrnn bench` and the PyTorch yardstick (bench/torch_charlm.py) back to back on
the same configurations, PyTorch in both of its CPU modes (fp32, and bf16 autocast), and prints
each ratio of charrnn to PyTorch's best mode (> 1 means charrnn is faster; for memory, < 1 means
charrnn uses less).

Usage: python3 bench/side_by_side.py [--torch-python /root/torchenv/bin/python] [--steps 30]
                                     [--precision auto|fp32|bf16]
Needs a release build (`swift build -c release`); PyTorch is optional (without it only charrnn's
figures are printed, with the reason)."""
import argparse, json, os, subprocess, sys, datetime, platform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--torch-python", default=os.environ.get("TORCH_PYTHON", "/root/torchenv/bin/python"))
p.add_argument("--yardstick", default=os.path.join(ROOT, "bench", "torch_charlm.py"))
p.add_argument("--corpus", default=os.path.join(ROOT, "corpora", "tinyshakespeare.txt"))
p.add_argument("--charrnn", default=os.path.join(ROOT, ".build", "release", "charrnn"))
p.add_argument("--steps", type=int, default=60)
p.add_argument("--repeat", type=int, default=3, help="runs per side and configuration; the best figure of each kind is kept")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"], help="charrnn's --precision")
p.add_argument("--configs", default="lstm:2x128:50:50,gru:2x128:50:50,lstm:2x512:64:64,gru:2x512:64:64")
a = p.parse_args()
MODES = ["fp32", "bf16"]

def run_torch(arch, layers, hidden, batch, seq, precision):
    # Peak RSS of the PyTorch process itself, measured from inside it after the run.
    code = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__'); "
            "print('peak_rss_kb=%d' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    cmd = [a.torch_python, "-c", code, a.yardstick, a.corpus, "--arch", arch, "--hidden", str(hidden), "--layers", str(layers),
           "--batch", str(batch), "--seq", str(seq), "--steps", str(a.steps), "--threads", str(a.threads),
           "--precision", precision]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    kv = dict(tok.split("=", 1) for tok in out.split() if "=" in tok)
    return {"train": float(kv["train_chars_per_s"]), "eval": float(kv["eval_chars_per_s"]),
            "sample": float(kv["sample_chars_per_s"]), "rss": int(kv["peak_rss_kb"]) * 1024, "version": out.split()[1]}

def run_charrnn(arch, layers, hidden, batch, seq):
    cmd = [a.charrnn, "bench", "--format", "json", "--arch", arch, "--size", f"{layers}x{hidden}:{batch}:{seq}",
           "--steps", str(a.steps), "--threads", str(a.threads), "--precision", a.precision]
    doc = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    r = doc["results"][0]
    ceiling = doc["matmulCeilingBF16GFLOPs"] if r["precision"] == "bf16" and doc.get("matmulCeilingBF16GFLOPs") else doc["matmulCeilingGFLOPs"]
    return {"train": r["trainCharsPerSecond"], "eval": r["evalCharsPerSecond"], "sample": r["sampleCharsPerSecond"],
            "rss": r["peakResidentBytes"], "gflops": r["trainGFLOPs"], "ceiling": ceiling, "precision": r["precision"]}

if not os.path.exists(a.charrnn):
    sys.exit(f"{a.charrnn}: not built; run `swift build -c release` first")
torch_ok, why = True, ""
try:
    subprocess.run([a.torch_python, "-c", "import torch"], capture_output=True, check=True)
except Exception as e:
    torch_ok, why = False, f"PyTorch not importable with {a.torch_python} ({type(e).__name__}); see the docstring of bench/torch_charlm.py"

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
print(f"# charrnn vs PyTorch fp32 and bf16 (autocast), {datetime.date.today()}, {os.cpu_count()} cores ({cpu}), "
      f"{a.threads} threads each, {a.steps} timed steps, best of {a.repeat} interleaved runs per side")
if not torch_ok:
    print(f"# PyTorch skipped: {why}")

def best(runs):
    return {k: runs[0][k] if isinstance(runs[0][k], str) else (min if k == "rss" else max)(r[k] for r in runs) for k in runs[0]}

rows = []
for spec in a.configs.split(","):
    arch, lh, batch, seq = spec.split(":")
    layers, hidden = map(int, lh.split("x"))
    # The machine is shared: interleave the sides and keep each side's best figure.
    cs, ts = [], {m: [] for m in MODES}
    for _ in range(a.repeat):
        cs.append(run_charrnn(arch, layers, hidden, int(batch), int(seq)))
        if torch_ok:
            for m in MODES: ts[m].append(run_torch(arch, layers, hidden, int(batch), int(seq), m))
    rows.append((f"{arch} {layers}x{hidden} B{batch} T{seq}", best(cs), {m: best(ts[m]) for m in MODES} if torch_ok else None))

def cell(c, t, key):
    if not t: return f"{c[key]:.0f} / - / -"
    top = max(t[m][key] for m in MODES)
    return f"{c[key]:.0f} / {t['fp32'][key]:.0f} / {t['bf16'][key]:.0f} ({c[key] / top:.2f}x)"

print("| config | charrnn precision | train chars/s charrnn / torch fp32 / torch bf16 (ratio to torch's best) | eval chars/s | "
      "sample chars/s | train GFLOP/s (% of the precision's ceiling) | peak RSS MB charrnn / torch fp32 |")
print("|" + "---|" * 7)
for name, c, t in rows:
    rss = f"{c['rss'] / 1e6:.0f} / {t['fp32']['rss'] / 1e6:.0f}" if t else f"{c['rss'] / 1e6:.0f} / -"
    print(f"| {name} | {c['precision']} | {cell(c, t, 'train')} | {cell(c, t, 'eval')} | {cell(c, t, 'sample')} "
          f"| {c['gflops']:.1f} ({100 * c['gflops'] / c['ceiling']:.0f}%) | {rss} |")
print(f"\ngemm ceiling measured by charrnn (of its precision): {rows[0][1]['ceiling']:.1f} GFLOP/s"
      + (f"; PyTorch {rows[0][2]['fp32']['version']}" if torch_ok else ""))
