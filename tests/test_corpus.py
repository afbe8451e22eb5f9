"""Corpus runs: gzip input, an errors file, fail-fast, refusing huge documents, include/exclude, progress
on a terminal only, and a run killed part-way then resumed giving exactly the uninterrupted output."""
import fcntl
import gzip
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "examples" / "rules")
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}


def docs(n, start=0):
    return [{"id": f"d{i}", "text": f"Story {i}.\n\nIt paid ${i + 1} million and {i} percent.", "published": "2020-01-01"}
            for i in range(start, start + n)]


def write_jsonl(path, records, raw_lines=()):
    lines = [json.dumps(r) for r in records] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_gzip_jsonl_input(capsys):
    with gzip.open("c.jsonl.gz", "wt") as fh:
        fh.write("\n".join(json.dumps(r) for r in docs(3)) + "\n")
    assert main([RULES, "c.jsonl.gz"]) == 0
    assert [json.loads(l)["doc"] for l in capsys.readouterr().out.splitlines()] == ["d0", "d1", "d2"]


def test_errors_file_and_exit_code(capsys):
    write_jsonl(Path("c.jsonl"), docs(2), ['{"id": ', json.dumps({"id": "x", "body": "?"})])
    assert main([RULES, "c.jsonl", "-o", "out.jsonl", "--errors", "errors.jsonl"]) == 1
    errors = [json.loads(l) for l in Path("errors.jsonl").read_text().splitlines()]
    assert errors == [
        {"doc": "c.jsonl:3", "stage": "input", "message": "c.jsonl:3: malformed JSON Lines record: Expecting value at column 8"},
        {"doc": "c.jsonl:4", "stage": "input", "message": "c.jsonl:4: record has no string field 'text'"}]
    assert len(Path("out.jsonl").read_text().splitlines()) == 2
    assert not Path("out.jsonl.partial").exists() and not Path("out.jsonl.checkpoint").exists()


def test_fail_fast_stops_at_the_first_failure(capsys):
    write_jsonl(Path("c.jsonl"), docs(1), ['{"id": '] + [json.dumps(r) for r in docs(2, 5)])
    assert main([RULES, "c.jsonl", "--fail-fast"]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(l)["doc"] for l in out.splitlines()] == ["d0"]
    assert err.splitlines()[-1] == "ierun: stopped at the first failure (--fail-fast)"


def test_huge_document_is_refused(capsys):
    Path("big.txt").write_text("x " * 600)
    Path("small.txt").write_text("It paid $5 million.")
    assert main([RULES, "big.txt", "small.txt", "--max-doc-bytes", "1000"]) == 1
    out, err = capsys.readouterr()
    assert err.splitlines()[0] == "ierun: error: big.txt: document of 1,200 bytes refused: above --max-doc-bytes 1,000"
    assert json.loads(out)["doc"] == "small.txt"


def test_include_and_exclude(capsys):
    Path("d/keep").mkdir(parents=True)
    Path("d/keep/a.txt").write_text("It paid $5 million.")
    Path("d/skip.txt").write_text("It paid $6 million.")
    assert main([RULES, "d", "--include", "keep/*"]) == 0
    assert [json.loads(l)["doc"] for l in capsys.readouterr().out.splitlines()] == ["d/keep/a.txt"]
    assert main([RULES, "d", "--exclude", "keep/*"]) == 0
    assert [json.loads(l)["doc"] for l in capsys.readouterr().out.splitlines()] == ["d/skip.txt"]


def test_progress_on_a_terminal_and_not_on_a_pipe(tmp_path):
    write_jsonl(Path("c.jsonl"), docs(50))
    args = [sys.executable, "-m", "ierun", RULES, "c.jsonl", "-o", "out.jsonl"]
    piped = subprocess.run(args, env=ENV, capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # a terminal has a size
    proc = subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait() == 0
    text = seen.decode("utf-8", "replace")
    assert "50 docs" in text
    assert "ierun: 50 documents, facts: Money 50; 0 failed;" in text


def _stat(pid: int):
    """(state, parent pid) of a process from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return fields[0], int(fields[1])


def _children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and (_stat(int(p.name)) or ("", 0))[1] == pid]


def _living(pids) -> list[int]:
    return [p for p in pids if (_stat(p) or ("Z",))[0] != "Z"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_killed_run_resumes_to_the_same_output(tmp_path):
    write_jsonl(Path("c.jsonl"), docs(4000))
    base = [sys.executable, "-m", "ierun", str(ROOT / "rules"), "c.jsonl", "-q"]
    subprocess.run(base + ["-o", "whole.jsonl"], env=ENV, check=True)
    proc = subprocess.Popen(base + ["-o", "out.jsonl", "--checkpoint-seconds", "0.05"], env=ENV)
    checkpoint = Path("out.jsonl.checkpoint")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (checkpoint.exists() and json.loads(checkpoint.read_text())["docs"] > 200):
        time.sleep(0.02)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20  # the workers end themselves once their parent is gone
    while time.monotonic() < deadline and _living(workers):
        time.sleep(0.1)
    assert workers and not _living(workers)
    assert not Path("out.jsonl").exists()
    assert 0 < json.loads(checkpoint.read_text())["docs"] < 4000
    subprocess.run(base + ["-o", "out.jsonl", "--resume"], env=ENV, check=True)
    assert Path("out.jsonl").read_bytes() == Path("whole.jsonl").read_bytes()
    assert not checkpoint.exists()


def test_dask_local_cluster_gives_the_same_output(capsys):
    pytest.importorskip("dask.distributed")
    write_jsonl(Path("c.jsonl"), docs(300), ['{"id": '])
    assert main([RULES, "c.jsonl", "--jobs", "1", "-o", "one.jsonl"]) == 1
    assert main([RULES, "c.jsonl", "--executor", "dask", "--jobs", "2", "-o", "dask.jsonl"]) == 1
    assert Path("dask.jsonl").read_bytes() == Path("one.jsonl").read_bytes()
    assert len(Path("one.jsonl").read_text().splitlines()) == 300
