"""Byte-identical facts before and after a change: the CLI's output on every eval file, the seed and the
example rule sets, saved to a folder or compared with one saved before.

Usage: python benchmarks/same_facts.py save DIR [--rules rules] [--eval-dir ../shared/eval]
       python benchmarks/same_facts.py compare DIR [--rules rules] [--eval-dir ../shared/eval]
`compare` prints each output that differs (with its first differing line) and exits 1 if any does."""
import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import ROOT


def runs(rules: str, eval_dir: Path):
    """(name, argv) for every output that must not change."""
    seed = "examples/seed/menafn-kz-uk.txt"  # relative to the checkout, where the CLI runs: the same ids anywhere
    yield "seed", [rules, seed]
    yield "examples-ie", ["examples/rules", seed]
    yield "examples-yaml", ["examples/rules-yaml", seed]
    for gold in sorted(eval_dir.glob("*.jsonl")):
        yield gold.stem, [rules, "--jsonl", str(gold)]


def output(argv) -> bytes:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine"))
    # relative document names, as a user in the checkout would see them
    done = subprocess.run([sys.executable, "-m", "ierun", *argv, "--quiet", "--jobs", "2"], cwd=ROOT,
                          capture_output=True, env=env)
    return done.stdout + b"\n--- exit %d\n" % done.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["save", "compare"])
    ap.add_argument("dir")
    ap.add_argument("--rules", default="rules")
    # ../shared/eval beside the checkout (CI, main) or beside a folder above it (a git worktree)
    found = next((p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()), None)
    ap.add_argument("--eval-dir", default=str(found), required=found is None)
    a = ap.parse_args()
    folder = Path(a.dir)
    folder.mkdir(parents=True, exist_ok=True)
    differ = 0
    for name, argv in runs(a.rules, Path(a.eval_dir)):
        got = output(argv)
        path = folder / f"{name}.out"
        if a.action == "save":
            path.write_bytes(got)
            print(f"{name}: {len(got.splitlines()) - 2} facts saved")
            continue
        want = path.read_bytes() if path.exists() else b""
        if got == want:
            print(f"{name}: same")
            continue
        differ += 1
        lines = zip(want.splitlines(), got.splitlines())
        first = next((i for i, (w, g) in enumerate(lines) if w != g), min(len(want.splitlines()), len(got.splitlines())))
        print(f"{name}: DIFFERENT from line {first + 1}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
