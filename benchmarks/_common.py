"""Shared helpers for the benchmark scripts: the machine, medians, corpus reading."""
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "engine"))
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "reuters1987-dev.jsonl"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def median_time(fn, runs: int) -> float:
    """Median seconds of `runs` runs, each one a first pass: `regex`'s cache of compiled patterns is emptied
    before it (a rule compiled for each document, lexscan.py, would be found there again)."""
    import regex
    times = []
    for _ in range(runs):
        regex.purge()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def read_corpus(path: Path, limit_bytes: int | None = None):
    docs, size = [], 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            docs.append(rec)
            size += len(rec["text"].encode("utf-8"))
            if limit_bytes and size >= limit_bytes:
                break
    return docs, size
