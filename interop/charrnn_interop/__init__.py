"""PyTorch side of charrnn: the same model, and its gzip + safetensors checkpoints both ways.

    from charrnn_interop import CharRNN, load_charrnn, save_charrnn
    model, vocab = load_charrnn("checkpoints/run/best.ckpt")   # charrnn -> PyTorch
    save_charrnn(model, vocab, "from_torch.ckpt")              # PyTorch -> charrnn

The checkpoint format is specified in Sources/CharRNN/Checkpoint/Checkpoint.swift.
"""
from .model import CharRNN, Vocabulary
from .checkpoint import load_charrnn, save_charrnn, read_checkpoint, FORMAT_VERSION

__all__ = ["CharRNN", "Vocabulary", "load_charrnn", "save_charrnn", "read_checkpoint", "FORMAT_VERSION"]
