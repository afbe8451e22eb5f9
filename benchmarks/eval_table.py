"""The figures of the default rule pack on every development file, as a Markdown table (README and notes).

Usage: python benchmarks/eval_table.py [--rules rules] [--eval-dir ../shared/eval]

Needs the shared evaluation data: the development gold files named in FILES, in ../shared/eval beside the
checkout (or beside a folder above it), or in the folder --eval-dir names."""
import argparse
import json
import subprocess
import sys
from pathlib import Path

from _common import ROOT

FILES = ["reuters1987-dev", "reuters2006-dev", "wire-datelines-dev", "gold-dev", "gold-dev-2", "money-phrases-dev", "money-prices-dev"]
MEASURES = ["Dateline.strict", "Dateline.location", "Headline.strict", "Money.strict", "Money.amount", "Title.strict",
            "Title.person", "Title.organization"]


def eval_dir(given: str | None) -> Path:
    """--eval-dir, else ../shared/eval beside the checkout or beside a folder above it (a git worktree)."""
    if given:
        return Path(given)
    return next((p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()),
                ROOT.parent / "shared" / "eval")


def main() -> int:
    ap = argparse.ArgumentParser(description="F1 of the rules on every development gold file, as a Markdown table.")
    ap.add_argument("--rules", default=str(ROOT / "rules"), help="the rules to score (default: the pack)")
    ap.add_argument("--eval-dir", help="the folder of the gold files (default: ../shared/eval, found upwards)")
    a = ap.parse_args()
    where = eval_dir(a.eval_dir)
    missing = [f"{name}.jsonl" for name in FILES if not (where / f"{name}.jsonl").is_file()]
    if missing:
        sys.stderr.write(f"eval_table.py: this table needs the development gold files of the shared evaluation "
                         f"data ({', '.join(missing)}), not found in {where}; give their folder with "
                         f"--eval-dir DIR\n")
        return 2
    env_path = str(ROOT / "engine")
    print("| file | " + " | ".join(MEASURES) + " |")
    print("| --- | " + " | ".join("---" for _ in MEASURES) + " |")
    for name in FILES:
        gold = where / f"{name}.jsonl"
        out = subprocess.run([sys.executable, "-m", "ierun", "eval", a.rules, str(gold), "--json"],
                             capture_output=True, text=True, env={"PYTHONPATH": env_path, "PATH": ""})
        if out.returncode != 0 or not out.stdout.strip():
            sys.stderr.write(f"eval_table.py: ierun eval failed on {gold}:\n{out.stderr}")
            return 1
        scores = json.loads(out.stdout)
        # a measure with nothing to find and nothing found (gold-dev's one headline-less article) stays blank
        cells = [f"{scores[m]['f1']:.3f}" if m in scores and scores[m]["tp"] + scores[m]["fp"] + scores[m]["fn"]
                 else "" for m in MEASURES]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nF1 per measure (strict: all scored fields; location, person, amount: lenient). "
          "Reproduce: python benchmarks/eval_table.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
