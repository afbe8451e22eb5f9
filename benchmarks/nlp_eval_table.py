"""The pack's figures with and without an NLP pipeline, and the bar (the pipeline's PERSON entities plus the
role list: ner_role_peer.py), as a Markdown table.

Usage: python benchmarks/nlp_eval_table.py --annotated DIR [--files gold-dev gold-dev-2] [--eval-dir DIR]

DIR holds the gold files annotated by benchmarks/annotate_spacy.py (same names: DIR/gold-dev.jsonl ...); the
pack without a pipeline is scored on the plain gold files (../shared/eval), with one on the annotated ones
(`ierun eval rules/ DIR/FILE --nlp record`)."""
import argparse
import json
import subprocess
import sys
from pathlib import Path

from _common import ROOT
from eval_table import eval_dir

MEASURES = ["Title.strict", "Title.person", "Title.organization", "Money.strict"]


def ierun_eval(gold: Path, *extra: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "ierun", "eval", str(ROOT / "rules"), str(gold), "--json", *extra],
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "engine"), "PATH": ""})
    if out.returncode != 0 or not out.stdout.strip():
        sys.exit(f"nlp_eval_table.py: ierun eval failed on {gold}:\n{out.stderr}")
    return json.loads(out.stdout)


def peer(annotated: Path) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ner_role_peer.py"), str(annotated)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"nlp_eval_table.py: ner_role_peer.py failed on {annotated}:\n{out.stderr}")
    scores = {}
    for line in out.stdout.splitlines():
        cols = line.split()
        if cols and cols[0].startswith("Title."):
            scores[cols[0]] = {"f1": float(cols[-1])}
    return scores


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotated", required=True, help="the folder of the annotated gold files")
    ap.add_argument("--files", nargs="+", default=["gold-dev", "gold-dev-2"])
    ap.add_argument("--eval-dir", help="the folder of the gold files (default: ../shared/eval, found upwards)")
    a = ap.parse_args()
    where, annotated = eval_dir(a.eval_dir), Path(a.annotated)
    print("| file | run | " + " | ".join(MEASURES) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in MEASURES) + " |")
    for name in a.files:
        rows = [("the pack, no pipeline", ierun_eval(where / f"{name}.jsonl")),
                ("the pack + rules/title-ner, --nlp record", ierun_eval(annotated / f"{name}.jsonl", "--nlp", "record")),
                ("PERSON entities + role list (ner_role_peer.py)", peer(annotated / f"{name}.jsonl"))]
        for label, scores in rows:
            cells = [f"{scores[m]['f1']:.3f}" if m in scores else "" for m in MEASURES]
            print(f"| {name} | {label} | " + " | ".join(cells) + " |")
    print("\nF1. Annotations: spaCy 2.3.9 with en_core_web_sm 2.2.5 (benchmarks/annotate_spacy.py). "
          "Reproduce: python benchmarks/nlp_eval_table.py --annotated DIR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
