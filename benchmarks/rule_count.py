"""Does the number of rules matter? 10, 100, 1,000 and 10,000 generated rules, each needing its own trigger
word (`"w<i>" NUMBER`), over the same text; reports the time per MB and the ratio to 10 rules (target <= 3x).

Usage: python benchmarks/rule_count.py [--corpus ...] [--mb 4] [--runs 3]"""
import argparse
import gc
from pathlib import Path

from _common import DEFAULT_CORPUS, machine, median_time, read_corpus

import ierun


def word(i: int) -> str:
    """A made-up word per rule (letters only, so it is one token): zqa, zqb, ..."""
    s = ""
    while True:
        s = "abcdefghijklmnopqrstuvwxyz"[i % 26] + s
        i //= 26
        if not i:
            return "zq" + s


def ruleset(n: int) -> str:
    out = ["fact Hit { word: str  value: decimal }"]
    out += [f'rule hit.r{i} -> Hit {{ match w:"{word(i)}" n:NUMBER word = w value = number(n) }}' for i in range(n)]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--mb", type=float, default=4.0)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    docs, size = read_corpus(Path(a.corpus), int(a.mb * 1e6))
    # sprinkle some trigger words so rules do fire
    texts = [d["text"] + f" {word(i % 10)} {i}" for i, d in enumerate(docs)]
    mb = size / 1e6
    print(f"machine: {machine()}")
    print(f"text: {len(texts)} documents, {mb:.1f} MB of {a.corpus}")
    base = None
    for n in (10, 100, 1000, 10000):
        rules = ierun.loads(ruleset(n))
        rules.extract(texts[0])
        gc.collect()
        gc.freeze()  # the rule set lives as long as the run: keep the collector from walking it
        t = median_time(lambda: [rules.extractor.run(x) for x in texts], a.runs)
        per_mb = t / mb
        base = base or per_mb
        print(f"{n:6} rules: {per_mb * 1000:7.1f} ms/MB  ({mb / t:5.2f} MB/s)  {per_mb / base:4.2f}x the time at 10 rules")


if __name__ == "__main__":
    main()
