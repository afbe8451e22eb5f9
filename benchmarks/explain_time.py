"""How long `explain` takes on the seed article with the default rule pack: at a span (--find) and over the
whole text, for the rules of one type and for all rules (median of several runs; the plan is loaded once).

    python benchmarks/explain_time.py [--runs 5]
"""
import argparse

from _common import ROOT, machine, median_time

import ierun


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    rules = ierun.load(ROOT / "rules")
    text = (ROOT / "examples" / "seed" / "menafn-kz-uk.txt").read_text()
    print(f"# {machine()}; seed article {len(text):,} characters, {len(rules.ir.rules)} rules; median of {a.runs}")
    cases = [("--find '$1.8 billion' --type Money", dict(find="$1.8 billion", fact_type="Money")),
             ("--find '$1.8 billion' (all rules)", dict(find="$1.8 billion")),
             ("whole text --type Money", dict(fact_type="Money")),
             ("whole text (all rules)", {})]
    for name, kw in cases:
        t = median_time(lambda: rules.explain(text, **kw), a.runs)
        print(f"{name:40s} {t:8.3f} s")


if __name__ == "__main__":
    main()
