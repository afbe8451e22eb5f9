"""Throughput of a rule set over a JSON Lines corpus: MB/s and documents/s (median of several runs),
in-process and through the CLI (start-up included) with the plan compiled from scratch or loaded from the
cache, and the cached CLI start-up on one article.

Usage: python benchmarks/throughput.py [--rules examples/rules] [--corpus ../shared/eval/reuters1987-dev.jsonl]
       [--runs 5]"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import DEFAULT_CORPUS, ROOT, machine, median_time, read_corpus

import ierun
from ierun.cli.inputs import parse_published


def cli(args, env):
    subprocess.run([sys.executable, "-m", "ierun", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "examples" / "rules"))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    docs, size = read_corpus(Path(a.corpus))
    mb = size / 1e6  # the articles' text, UTF-8; the JSONL file itself is larger
    file_mb = Path(a.corpus).stat().st_size / 1e6
    rules = ierun.load(a.rules, use_cache=False)
    pubs = [parse_published(d.get("published")) for d in docs]

    def in_process():
        for d, p in zip(docs, pubs):
            rules.extractor.run(d["text"], p, d.get("id"))

    t = median_time(in_process, a.runs)
    print(f"machine: {machine()}")
    print(f"corpus: {a.corpus} ({len(docs)} documents, {mb:.1f} MB of text, {file_mb:.1f} MB of JSONL); "
          f"rules: {a.rules}")
    print("MB/s below count the text; the JSONL file's MB/s is that times", f"{file_mb / mb:.2f}")
    print(f"in-process:            {mb / t:6.2f} MB/s  {len(docs) / t:8.0f} docs/s  (median of {a.runs})")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "engine"), "IERUN_CACHE_DIR": cache}
        args = [a.rules, "--jsonl", a.corpus, "-o", os.devnull, "-q", "--jobs", "1"]
        cold = median_time(lambda: cli(args + ["--no-cache"], env), a.runs)
        cli(args, env)  # fill the cache
        warm = median_time(lambda: cli(args, env), a.runs)
        jobs2 = median_time(lambda: cli(args[:-1] + ["2"], env), a.runs)
        seed = str(ROOT / "examples" / "seed" / "menafn-kz-uk.txt")
        cli([a.rules, seed], env)
        start = median_time(lambda: cli([a.rules, seed, "-o", os.devnull], env), a.runs)
    print(f"CLI, one core, compiled: {mb / cold:4.2f} MB/s  {len(docs) / cold:8.0f} docs/s  ({cold:.2f} s)")
    print(f"CLI, one core, cached:   {mb / warm:4.2f} MB/s  {len(docs) / warm:8.0f} docs/s  ({warm:.2f} s)")
    print(f"CLI, cached, --jobs 2:   {mb / jobs2:4.2f} MB/s  {len(docs) / jobs2:8.0f} docs/s  ({jobs2:.2f} s)")
    print(f"CLI start-up on one article, cached plan: {start:.3f} s")


if __name__ == "__main__":
    main()
