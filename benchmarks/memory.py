"""Peak memory of a corpus run: 30 MB of JSONL (reuters1987-dev + reuters2006-dev) vs the same corpus repeated
to 300 MB; peak memory may not grow with the corpus (target: at most +10%). Also the time per corpus.

Usage: python benchmarks/memory.py [--rules examples/rules] [--times 10]"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

EVAL = ROOT.parent / "shared" / "eval"


def run(rules, corpus, jobs):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ierun", rules, "--jsonl", str(corpus), "-o", os.devnull, "-q",
                             "--jobs", str(jobs)], env=env, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "examples" / "rules"))
    ap.add_argument("--times", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.jsonl"
        big = Path(tmp) / "big.jsonl"
        data = b"".join((EVAL / f).read_bytes() for f in ("reuters1987-dev.jsonl", "reuters2006-dev.jsonl"))
        small.write_bytes(data)
        with open(big, "wb") as fh:
            for _ in range(a.times):
                fh.write(data)
        print(f"machine: {machine()}; rules: {a.rules}; --jobs {a.jobs}")
        peaks = []
        for corpus in (small, big):
            peak, seconds, status = run(a.rules, corpus, a.jobs)
            peaks.append(peak)
            mb = corpus.stat().st_size / 1e6
            print(f"{mb:7.0f} MB of JSONL: peak memory {peak:6.1f} MiB (main process), {seconds:6.1f} s, "
                  f"{mb / seconds:.2f} MB/s, exit {os.waitstatus_to_exitcode(status)}")
        print(f"growth: {100 * (peaks[1] / peaks[0] - 1):+.1f}% (target: at most +10%)")


if __name__ == "__main__":
    main()
