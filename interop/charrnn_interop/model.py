"""The PyTorch model equivalent to charrnn's: one-hot (or embedding) input, stacked LSTM or GRU
layers, dropout on every layer's output, and a linear output layer. Parameter names and shapes
are charrnn's (emb.weight, rnn.weight_ih_l{k}, ..., out.weight, out.bias)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Vocabulary:
    """Characters (Unicode code points, or byte values with kind "bytes") in ascending order;
    a token id is an index here."""

    def __init__(self, symbols, kind="unicode"):
        self.symbols = sorted(int(s) for s in symbols)
        self.kind = kind
        self.index = {s: i for i, s in enumerate(self.symbols)}

    @classmethod
    def from_text(cls, text):
        return cls(sorted({ord(c) for c in text}))

    def __len__(self):
        return len(self.symbols)

    def encode(self, text):
        """Token ids of a str (unicode) or bytes (bytes kind); KeyError for unknown characters."""
        units = text if self.kind == "bytes" else [ord(c) for c in text]
        return [self.index[u] for u in units]

    def decode(self, ids):
        if self.kind == "bytes":
            return bytes(self.symbols[i] for i in ids).decode("utf-8", errors="replace")
        return "".join(chr(self.symbols[i]) for i in ids)


class CharRNN(nn.Module):
    def __init__(self, arch, vocab_size, hidden_size, layers, embedding_size=0, dropout=0.0):
        super().__init__()
        if arch not in ("lstm", "gru"):
            raise ValueError(f"arch must be lstm or gru, not {arch!r}")
        self.arch, self.vocab_size, self.hidden_size = arch, vocab_size, hidden_size
        self.layers, self.embedding_size, self.dropout = layers, embedding_size, dropout
        if embedding_size > 0:
            self.emb = nn.Embedding(vocab_size, embedding_size)
        rnn = nn.LSTM if arch == "lstm" else nn.GRU
        # charrnn drops out every layer's output; nn.LSTM's own dropout covers all but the last.
        self.rnn = rnn(embedding_size or vocab_size, hidden_size, layers, batch_first=True,
                       dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, vocab_size)

    def config(self):
        return {"architecture": self.arch, "vocabularySize": self.vocab_size, "hiddenSize": self.hidden_size,
                "layers": self.layers, "embeddingSize": self.embedding_size, "dropout": float(self.dropout)}

    def forward(self, x, state=None):
        """x: [B, T] token ids. Returns logits [B, T, V] and the final state."""
        if self.embedding_size > 0:
            inp = self.emb(x)
        else:
            inp = F.one_hot(x, self.vocab_size).to(self.out.weight.dtype)
        y, state = self.rnn(inp, state)
        return self.out(self.drop(y)), state
