"""CLI start-up with a cached plan: the median of several runs of `ierun RULES ARTICLE` (the cache filled
first), and of the in-process cache read alone (MAC check, unpickling, Hyperscan databases loaded).

Usage: python benchmarks/startup.py [--rules rules] [--runs 7]"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import ROOT, machine


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--article", default=str(ROOT / "examples" / "seed" / "menafn-kz-uk.txt"))
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "engine"), "IERUN_CACHE_DIR": cache}
        cmd = [sys.executable, "-m", "ierun", a.rules, a.article]
        subprocess.run(cmd, env=env, check=True, capture_output=True)  # fill the cache
        times = []
        for _ in range(a.runs):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        os.environ["IERUN_CACHE_DIR"] = cache
        from ierun.loader import load_plan
        loads = []
        for _ in range(a.runs):
            t = time.perf_counter()
            load_plan([a.rules])
            loads.append(time.perf_counter() - t)
    print(machine())
    print(f"CLI start-up on one article, cached plan: median {statistics.median(times):.3f} s of {a.runs}")
    print(f"load_plan from the cache, in process:     median {statistics.median(loads):.3f} s of {a.runs}")


if __name__ == "__main__":
    main()
