"""charrnn checkpoints: a gzip stream around a safetensors file whose __metadata__ holds the
format version, config, vocabulary (and, from charrnn's trainer, training state and metrics)."""
import gzip
import json
import os
import struct

import torch
from safetensors.torch import load as st_load, save as st_save

from .model import CharRNN, Vocabulary

FORMAT_VERSION = 1


def read_checkpoint(path):
    """Returns (tensors, metadata) of a charrnn checkpoint; raises ValueError naming what is wrong."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        raise ValueError(f"{path}: not a charrnn checkpoint (not a gzip file)")
    payload = gzip.decompress(raw)
    (n,) = struct.unpack("<Q", payload[:8])
    header = json.loads(payload[8:8 + n])
    meta = header.get("__metadata__", {})
    if meta.get("format") != "charrnn":
        raise ValueError(f"{path}: not a charrnn checkpoint (no format \"charrnn\" in the metadata)")
    if int(meta.get("format_version", "0")) > FORMAT_VERSION:
        raise ValueError(f"{path}: checkpoint format version {meta['format_version']} is newer than this reader ({FORMAT_VERSION})")
    return st_load(payload), meta


def load_charrnn(path, map_location="cpu"):
    """Loads a charrnn checkpoint as (CharRNN model in eval mode, Vocabulary)."""
    tensors, meta = read_checkpoint(path)
    cfg = json.loads(meta["config"])
    voc = json.loads(meta["vocabulary"])
    model = CharRNN(cfg["architecture"], cfg["vocabularySize"], cfg["hiddenSize"], cfg["layers"],
                    cfg.get("embeddingSize", 0), cfg.get("dropout", 0.0))
    state = {k: v.to(torch.float32) for k, v in tensors.items() if not k.startswith(("optimizer.", "state."))}
    model.load_state_dict(state, strict=True)
    return model.to(map_location).eval(), Vocabulary(voc["symbols"], voc.get("kind", "unicode"))


def save_charrnn(model, vocabulary, path, training=None, metrics=None):
    """Writes `model` (a CharRNN) and its Vocabulary as a charrnn checkpoint that `charrnn sample`,
    `eval`, `compare` and `inspect` read. Written atomically (temporary file, then rename)."""
    if isinstance(model, torch.nn.parallel.DistributedDataParallel):
        model = model.module
    names = [n for n, _ in model.named_parameters()]
    tensors = {n: p.detach().to("cpu", torch.float32).contiguous() for n, p in model.named_parameters()}
    order = (["emb.weight"] if "emb.weight" in tensors else []) + [n for n in names if n.startswith("rnn.")] + ["out.weight", "out.bias"]
    assert sorted(order) == sorted(names), names
    meta = {
        "format": "charrnn",
        "format_version": str(FORMAT_VERSION),
        "config": json.dumps(model.config(), sort_keys=True, separators=(",", ":")),
        "vocabulary": json.dumps({"kind": vocabulary.kind, "symbols": vocabulary.symbols}, separators=(",", ":")),
    }
    if training is not None:
        meta["training"] = json.dumps(training, sort_keys=True, separators=(",", ":"))
    if metrics:
        meta["metrics"] = json.dumps(metrics, separators=(",", ":"))
    data = gzip.compress(st_save({n: tensors[n] for n in order}, metadata=meta), compresslevel=1)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
