"""How long `ierun check` takes for a rule file of 500 rules and a lexicon of 50,000 entries (target: < 2 s
on one core). Usage: python benchmarks/check_speed.py [--runs 5]"""
import argparse
import random
import tempfile
from pathlib import Path

from _common import machine, median_time

from ierun.pipeline import load_model


def write_rules(folder: Path, n_rules=500, n_entries=50_000):
    rnd = random.Random(7)
    words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(4, 10)))
             for _ in range(n_entries)]
    (folder / "titles.tsv").write_text("".join(f"{w} {i}\t{i}\n" for i, w in enumerate(words)), encoding="utf-8")
    rules = ["fact Money { amount: decimal  amount_max: decimal?  currency: currency? }",
             'lexicon title: int from "titles.tsv"',
             'lexicon scale: decimal { "thousand" => 1000 "million" | "mln" => 1000000 "billion" => 1000000000 }',
             "pattern amount = n:NUMBER s:@scale?"]
    for i in range(n_rules):
        rules.append(f'''rule money.r{i} -> Money {{
    match "{words[i]}" %amount ("dlrs" | "dollars" | c:@title) (?! "percent"i)
    priority {i % 7}
    scope sentence
    amount = number(n) * (@scale(s) ?? 1)
    currency = "USD"
    example "{words[i]} 5 million dlrs" {{ amount: 5000000, currency: "USD" }}
    counter "{words[i]} 5 percent"
}}''')
    (folder / "big.ie").write_text("\n".join(rules) + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_rules(folder)
        first = median_time(lambda: load_model([folder]), 1)  # includes building the grammar
        t = median_time(lambda: load_model([folder]), a.runs)
    print(f"machine: {machine()}")
    print(f"check of 500 rules + a 50,000-entry lexicon: median {t:.2f} s over {a.runs} runs, "
          f"first run {first:.2f} s with the grammar built (target < 2 s)")


if __name__ == "__main__":
    main()
