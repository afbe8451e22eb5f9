"""The full pack against one hand-written money regex, side by side in one run, over reuters1987-dev and
reuters2006-dev together (median of --runs):
  - the pack: `ierun rules --jsonl A B -o OUT -q --jobs 1`, plan cached (start-up included);
  - the regex: benchmarks/money_regex.py over the same records (JSON Lines in, JSON Lines out);
  - the ratio (the pack's speed / the regex's speed: 1.0x = parity), in wall time and in CPU time (user +
    system of the process: the fairer figure on a shared machine);
  - `--jobs 2` against `--jobs 1` (wall time: what two cores give);
  - peak memory (max RSS of the main process, and of the largest worker) on the corpus and on --times x it.

Usage: python benchmarks/vs_regex.py [--rules rules] [--runs 5] [--times 10] [--memory-mb 30] [--no-memory]"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, read_corpus

EVAL = next((p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()), ROOT.parent / "shared" / "eval")
CORPUS = [EVAL / "reuters1987-dev.jsonl", EVAL / "reuters2006-dev.jsonl"]


def timed(argv, env) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children)."""
    started = time.perf_counter()
    before = os.times()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    after = os.times()
    if proc.returncode != 0:
        sys.exit(f"vs_regex: {' '.join(map(str, argv))} failed (exit {proc.returncode}): {err.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def median_run(argv, env, runs):
    results = [timed(argv, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def peak_rss(argv, env) -> float:
    """Peak RSS (MiB) of the process `argv` (the main process, not its workers)."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"vs_regex: {' '.join(map(str, argv))} failed")
    return usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--times", type=int, default=10, help="the larger corpus for memory: this many copies")
    ap.add_argument("--memory-mb", type=float, default=None,
                    help="the memory runs' corpus: the first this many MB of JSONL of the pair (default: all)")
    ap.add_argument("--no-memory", action="store_true")
    a = ap.parse_args()
    mb = sum(read_corpus(p)[1] for p in CORPUS) / 1e6
    jsonl_mb = sum(p.stat().st_size for p in CORPUS) / 1e6
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"corpus: {' + '.join(p.name for p in CORPUS)}: {mb:.1f} MB of text ({jsonl_mb:.1f} MB of JSONL); "
          f"rules: {a.rules}; median of {a.runs}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "engine"), "IERUN_CACHE_DIR": str(Path(tmp) / "cache")}
        out = str(Path(tmp) / "facts.jsonl")
        pack = [sys.executable, "-m", "ierun", a.rules, "--jsonl", *map(str, CORPUS), "-o", out, "-q"]
        subprocess.run(pack + ["--jobs", "1"], env=env, check=True)  # fill the plan cache
        regex_argv = [sys.executable, str(ROOT / "benchmarks" / "money_regex.py"), *map(str, CORPUS), "-o", out]
        pack_wall, pack_cpu = median_run(pack + ["--jobs", "1"], env, a.runs)
        print(f"pack, CLI --jobs 1, plan cached: {pack_wall:6.2f} s = {mb / pack_wall:5.2f} MB/s wall; "
              f"{pack_cpu:6.2f} s = {mb / pack_cpu:5.2f} MB/s CPU", flush=True)
        rx_wall, rx_cpu = median_run(regex_argv, env, a.runs)
        print(f"one money regex (money_regex.py): {rx_wall:6.2f} s = {mb / rx_wall:5.2f} MB/s wall; "
              f"{rx_cpu:6.2f} s = {mb / rx_cpu:5.2f} MB/s CPU")
        print(f"ratio pack / regex: {rx_wall / pack_wall:.2f}x wall, {rx_cpu / pack_cpu:.2f}x CPU (target >= 1.0x)",
              flush=True)
        two_wall, two_cpu = median_run(pack + ["--jobs", "2"], env, a.runs)
        print(f"pack, CLI --jobs 2: {two_wall:6.2f} s = {mb / two_wall:5.2f} MB/s wall: "
              f"{pack_wall / two_wall:.2f}x --jobs 1 (target >= 1.85x; CPU of all processes {two_cpu:.2f} s)",
              flush=True)
        if a.no_memory:
            return
        data = b"".join(p.read_bytes() for p in CORPUS)
        if a.memory_mb:
            data = data[:int(a.memory_mb * 1e6)]
            data = data[:data.rindex(b"\n") + 1]
        small, big = Path(tmp) / "small.jsonl", Path(tmp) / "big.jsonl"
        small.write_bytes(data)
        with open(big, "wb") as fh:
            for _ in range(a.times):
                fh.write(data)
        for jobs in (1, 2):
            peaks = []
            for corpus in (small, big):
                argv = [sys.executable, "-m", "ierun", a.rules, "--jsonl", str(corpus), "-o", out, "-q",
                        "--jobs", str(jobs)]
                peaks.append(peak_rss(argv, env))
            print(f"peak memory, --jobs {jobs} (main process): {small.stat().st_size / 1e6:.0f} MB of JSONL "
                  f"{peaks[0]:.1f} MiB, {a.times}x that {peaks[1]:.1f} MiB ({100 * (peaks[1] / peaks[0] - 1):+.1f}%)",
                  flush=True)


if __name__ == "__main__":
    main()
