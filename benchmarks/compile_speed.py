"""Compile times of a rule set, as an analyst meets them (each a fresh process: `ierun check`-free
`ierun.load(...)`, imports included), the median of several runs:
  - cold:  the pack with an empty plan cache (nothing compiled before);
  - warm:  the pack again, unchanged (the whole plan read from the cache);
  - edit:  a user's rule file used together with the pack, after a one-line edit to that file (a new word in
           a pattern, so its rule compiles again; the pack's pieces come from the cache).
Wall-clock and CPU (user + system) seconds are both shown: on a loaded machine wall-clock varies most.

Usage: python benchmarks/compile_speed.py [--rules rules] [--runs 5]"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

USER_RULES = '''fact Deal {{ buyer: str  price: decimal }}

rule mine.deal -> Deal {{
    match buyer:CAPWORD "{word}" m:<Money>
    buyer = buyer
    price = m.amount
    example "Acme {word} $5 million of shares" {{ buyer: "Acme" }}
    example "Zeta {word} 3 mln dlrs of bonds" {{ buyer: "Zeta" }}
    counter "it {word} nothing"
}}
'''


def timed(cmd, env) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(pairs):
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    code = "import sys, ierun; ierun.load(*sys.argv[1:])"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}
        cold = []
        for i in range(a.runs):
            env["IERUN_CACHE_DIR"] = os.path.join(tmp, f"cold{i}")
            cold.append(timed([sys.executable, "-c", code, a.rules], env))
        warm = [timed([sys.executable, "-c", code, a.rules], env) for _ in range(a.runs)]
        mine = Path(tmp) / "mine"
        mine.mkdir()
        (mine / "deals.ie").write_text(USER_RULES.format(word="bought"), encoding="utf-8")
        subprocess.run([sys.executable, "-c", code, a.rules, str(mine)], env=env, check=True, capture_output=True)
        edit = []
        for i in range(a.runs):
            (mine / "deals.ie").write_text(USER_RULES.format(word=f"acquired{i}"), encoding="utf-8")
            edit.append(timed([sys.executable, "-c", code, a.rules, str(mine)], env))
    print(f"machine: {machine()}")
    for name, pairs in (("cold compile of the pack", cold), ("pack unchanged (cached)", warm),
                        ("after a one-line edit to a user's file, with the pack", edit)):
        wall, cpu = median(pairs)
        print(f"{name}: median {wall:.2f} s wall, {cpu:.2f} s CPU (runs: "
              + ", ".join(f"{w:.2f}" for w, _ in pairs) + ")")


if __name__ == "__main__":
    main()
