"""The best strict Money F1 that any extractor giving the same facts for the same text can reach on a gold
file: records that share their text but want different facts (the per-locale cases of Duckling's suite:
"1 grand" is USD in one record, AUD, CAD, JMD, NZD and TTD in others) cannot all be right.

Usage: python benchmarks/phrase_ceiling.py [../shared/eval/money-phrases-dev.jsonl]"""
import json
import sys
from collections import Counter, defaultdict

from _common import ROOT


def facts(record) -> Counter:
    return Counter((f["amount"], f["amount_max"], f["currency"]) for f in record["gold"].get("money") or [])


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "eval" / "money-phrases-dev.jsonl"
    groups = defaultdict(list)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            groups[" ".join(record["text"].split())].append(facts(record))
    # each group of records with one text gets one output: the gold of one of its records, or nothing.
    # F1 = 2tp / (2tp + fp + fn) is a ratio: Dinkelbach's iteration finds its exact maximum over the choices
    options = []
    for golds in groups.values():
        opts = []
        for out in [*golds, Counter()]:
            opts.append((sum(sum((out & g).values()) for g in golds), sum(sum((out - g).values()) for g in golds),
                         sum(sum((g - out).values()) for g in golds)))
        options.append(opts)
    f1, best = 0.0, None
    while True:
        tp, fp, fn = (sum(x) for x in zip(*(max(o, key=lambda c: 2 * c[0] - f1 * (2 * c[0] + c[1] + c[2]))
                                             for o in options)))
        new = 2 * tp / (2 * tp + fp + fn)
        if new <= f1 + 1e-12:
            break
        f1, best = new, (tp, fp, fn)
    tp, fp, fn = best
    shared = sum(len(g) for g in groups.values() if len(g) > 1)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"{path}: {sum(len(g) for g in groups.values())} records, {shared} share their text with another")
    print(f"best reachable: tp {tp} fp {fp} fn {fn}: precision {precision:.3f} recall {recall:.3f} "
          f"F1 {f1:.4f}")


if __name__ == "__main__":
    main()
