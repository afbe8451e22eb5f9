"""A rule over a 50,000-entry lexicon against the whole pack, in one run: MB/s of each (in process and through
the CLI, plan cached, `--jobs 1`), their ratio, the rule's count of facts, and the documents that timed out.

The lexicon is synthetic (no eval text): the pack's given names (rules/title/given_names.txt) and made-up
names of two or three syllables, a quarter of them two words ("Seane Peabajai"), 50,000 in all, matched
ignoring case (the harder case: more of the text can match). The rule: a name from it and a capitalized word.

Usage: python benchmarks/big_lexicon.py [--corpus ../shared/eval/reuters1987-dev.jsonl] [--runs 5]
       [--entries 50000] [--cpu]   (--cpu: process time of the in-process runs, for a loaded machine)"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DEFAULT_CORPUS, ROOT, machine, median_time, read_corpus

import ierun
from ierun.cli.inputs import parse_published

RULE = '''lexicon big_name from "names.txt"
fact Person { name: str }
rule big.person -> Person {
    match name:(@big_name CAPWORD)
    name = name
}
'''


def names(n: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    given = [line.strip() for line in (ROOT / "rules" / "title" / "given_names.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    onsets = "b c d f g h j k l m n p r s t v w z br ch st th tr".split()
    vowels = "a e i o u ai ea ou".split()

    def word():
        return "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 3))).capitalize()

    out, seen = [], set()
    for name in given:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    while len(out) < n:
        name = word() + (" " + word() if rng.random() < 0.25 else "")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def write_rules(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "names.txt").write_text("\n".join(names(n)) + "\n", encoding="utf-8")
    (folder / "big.ie").write_text(RULE, encoding="utf-8")
    return folder


def in_process(rules, docs, pubs, clock):
    """One pass over the corpus, as the first: `regex`'s cache emptied (the rule is compiled per document)."""
    import regex
    regex.purge()
    facts, timeouts = 0, 0
    t = clock()
    for d, p in zip(docs, pubs):
        result = rules.extractor.run(d["text"], p, d.get("id"))
        facts += len(result.facts)
        timeouts += sum(1 for x in result.problems if x.code == "E201")
    return clock() - t, facts, timeouts


def cli(args, env) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ierun", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--entries", type=int, default=50000)
    ap.add_argument("--cpu", action="store_true", help="in-process times as process time (CPU), not wall time")
    a = ap.parse_args()
    clock = time.process_time if a.cpu else time.perf_counter
    docs, size = read_corpus(Path(a.corpus))
    mb = size / 1e6
    pubs = [parse_published(d.get("published")) for d in docs]
    pack_dir = str(ROOT / "rules")
    print(f"machine: {machine()}")
    print(f"corpus: {a.corpus} ({len(docs)} documents, {mb:.2f} MB of text); runs: {a.runs} (median)")
    with tempfile.TemporaryDirectory() as tmp:
        big_dir = str(write_rules(Path(tmp) / "big", a.entries))
        t = time.perf_counter()
        big = ierun.load(big_dir, use_cache=False)
        print(f"lexicon: {a.entries} entries; compiled in {time.perf_counter() - t:.2f} s")
        pack = ierun.load(pack_dir, use_cache=False)
        rows = {}
        for label, rules in (("pack", pack), ("big lexicon", big)):
            runs = [in_process(rules, docs, pubs, clock) for _ in range(a.runs)]
            took = sorted(r[0] for r in runs)[len(runs) // 2]
            rows[label] = (took, runs[0][1], runs[0][2])
        env = {**os.environ, "PYTHONPATH": str(ROOT / "engine"), "IERUN_CACHE_DIR": str(Path(tmp) / "cache")}
        out = str(Path(tmp) / "out.jsonl")
        cli_times = {}
        for label, folder in (("pack", pack_dir), ("big lexicon", big_dir)):
            args = [folder, "--jsonl", a.corpus, "-o", out, "-q", "--jobs", "1"]
            cli(args, env)  # fill the cache
            cli_times[label] = median_time(lambda: cli(args, env), a.runs)
            if label == "big lexicon":
                with open(out, encoding="utf-8") as fh:
                    cli_facts = sum(1 for line in fh if line.strip() and "problem" not in json.loads(line))
    kind = "CPU" if a.cpu else "wall"
    for label, (took, facts, timeouts) in rows.items():
        print(f"in-process, {label:12s} {mb / took:7.3f} MB/s  ({took:.2f} s {kind}; {facts} facts; "
              f"{timeouts} documents timed out)")
    ratio = rows["pack"][0] / rows["big lexicon"][0]
    print(f"in-process ratio (big lexicon / pack): {ratio:.2f}")
    for label, took in cli_times.items():
        print(f"CLI cached --jobs 1, {label:12s} {mb / took:7.3f} MB/s  ({took:.2f} s)")
    print(f"CLI ratio (big lexicon / pack): {cli_times['pack'] / cli_times['big lexicon']:.2f}  "
          f"(CLI facts of the big-lexicon rule: {cli_facts})")


if __name__ == "__main__":
    main()
