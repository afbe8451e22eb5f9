"""What `--format html` costs over `--format jsonl` on a corpus (CLI, plan cached, median of several runs), and
the pages it writes: how many, the largest, and the time headless Chromium takes to load and screenshot the
largest one (where Chromium is installed).

Usage: python benchmarks/html_view.py [--rules rules] [--corpus ../shared/eval/reuters1987-dev.jsonl]
       [--runs 3] [--jobs 2]"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DEFAULT_CORPUS, ROOT, machine, median_time


def cli(args, env):
    subprocess.run([sys.executable, "-m", "ierun", *args], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine"))
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env["IERUN_CACHE_DIR"] = str(tmp / "cache")
        base = [a.rules, "--jsonl", a.corpus, "--quiet", "--jobs", str(a.jobs)]
        cli([*base, "-o", str(tmp / "warm.jsonl")], env)  # compile the plan once
        jsonl = median_time(lambda: cli([*base, "-o", str(tmp / "facts.jsonl")], env), a.runs)
        html = median_time(lambda: cli([*base, "--format", "html", "-o", str(tmp / "facts.html")], env), a.runs)
        pages = sorted(tmp.glob("facts*.html"), key=lambda p: p.stat().st_size)
        print(f"{Path(a.corpus).name}: jsonl {jsonl:.2f} s, html {html:.2f} s (median of {a.runs}); "
              f"{len(pages)} pages, largest {pages[-1].stat().st_size / 1e6:.2f} MB ({pages[-1].name}), "
              f"first {pages[0].parent.joinpath('facts.html').stat().st_size / 1e6:.2f} MB")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium:
            home = tmp / "home"
            home.mkdir()
            cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp / 'profile'}",
                   "--window-size=1400,1000", f"--screenshot={tmp / 'shot.png'}", pages[-1].as_uri()]
            times = []
            for _ in range(a.runs):
                t = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ, HOME=str(home)))
                times.append(time.perf_counter() - t)
            print(f"chromium: load and screenshot of the largest page {sorted(times)[len(times) // 2]:.2f} s")


if __name__ == "__main__":
    main()
