"""Overlap resolution within one fact type, as one named function: higher priority wins, then the longer
span, then the earlier start. Facts of rules (or fact types) marked `all` are all kept."""
from __future__ import annotations

import bisect


def _key(f):
    return (-f.priority, -(f.end - f.start), f.start, f.rule)


def resolve(candidates, keep_all=lambda f: False, once: bool = False):
    """(kept, dropped) where dropped is a list of (fact, the kept fact that hid it)."""
    if len(candidates) == 1:  # the common case: nothing to resolve
        return list(candidates), []
    kept, dropped = [], []
    starts: list[int] = []
    spans: list = []  # kept facts that exclude others, sorted by start
    for f in sorted(candidates, key=_key):
        if keep_all(f):
            kept.append(f)
            continue
        i = bisect.bisect_left(starts, f.start)
        winner = None
        for j in (i - 1, i):
            if 0 <= j < len(spans) and spans[j].start < f.end and f.start < spans[j].end:
                winner = spans[j]
        if winner is None and i < len(spans) and spans[i].start < f.end:
            winner = spans[i]
        if winner is not None:
            dropped.append((f, winner))
            continue
        starts.insert(i, f.start)
        spans.insert(i, f)
        kept.append(f)
    if once and kept:
        best = min(kept, key=lambda f: (-f.priority, f.start, -(f.end - f.start)))
        dropped.extend((f, best) for f in kept if f is not best)
        kept = [best]
    kept.sort(key=lambda f: (f.start, -f.end, f.rule))
    return kept, dropped
