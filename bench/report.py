"""How the benchmarks state their figures: one percentile function, so that a p95 means
the same in every benchmark, and the word printed after a target."""

from __future__ import annotations


def pct(values: list[float], p: float) -> float:
    """The ``p`` percentile of ``values``: the one at the rank nearest ``p`` % of the
    way through them, no interpolation."""
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def verdict(ok: bool) -> str:
    """After a target, in the HTTP and 电子监察 benchmarks."""
    return "OK" if ok else "MISSED"


def met(ok: bool) -> str:
    """After a target, in the case and notification benchmarks (their older wording,
    kept so that their output reads as before)."""
    return "met" if ok else "MISSED"
