"""The figures of the default rule pack on every development file, as a Markdown table (README and notes).

Usage: python benchmarks/eval_table.py [--rules rules] [--eval-dir ../shared/eval]"""
import argparse
import json
import subprocess
import sys
from pathlib import Path

from _common import ROOT

FILES = ["reuters1987-dev", "reuters2006-dev", "wire-datelines-dev", "gold-dev", "gold-dev-2", "money-phrases-dev", "money-prices-dev"]
MEASURES = ["Dateline.strict", "Dateline.location", "Headline.strict", "Money.strict", "Money.amount", "Title.strict",
            "Title.person", "Title.organization"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--eval-dir", default=str(ROOT.parent / "shared" / "eval"))
    a = ap.parse_args()
    env_path = str(ROOT / "engine")
    print("| file | " + " | ".join(MEASURES) + " |")
    print("| --- | " + " | ".join("---" for _ in MEASURES) + " |")
    for name in FILES:
        gold = Path(a.eval_dir) / f"{name}.jsonl"
        out = subprocess.run([sys.executable, "-m", "ierun", "eval", a.rules, str(gold), "--json"],
                             capture_output=True, text=True, env={"PYTHONPATH": env_path, "PATH": ""})
        scores = json.loads(out.stdout)
        # a measure with nothing to find and nothing found (gold-dev's one headline-less article) stays blank
        cells = [f"{scores[m]['f1']:.3f}" if m in scores and scores[m]["tp"] + scores[m]["fp"] + scores[m]["fn"]
                 else "" for m in MEASURES]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nF1 per measure (strict: all scored fields; location, person, amount: lenient). "
          "Reproduce: python benchmarks/eval_table.py")


if __name__ == "__main__":
    main()
