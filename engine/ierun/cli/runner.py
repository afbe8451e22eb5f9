"""A run over a corpus: facts written as they come, failures recorded and the run going on, progress on a
terminal, a summary at the end; with an output file, written to a temporary file and moved into place at
the end, with a checkpoint beside it so that `--resume` continues an interrupted run exactly where the
output stopped (nothing lost, nothing written twice)."""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .emit import TableWriter
from .inputs import InputProblem
from .parallel import extract_all



@dataclass
class RunOptions:
    output: str | None = None
    fmt: str = "jsonl"
    errors: str | None = None
    resume: bool = False
    fail_fast: bool = False
    quiet: bool = False
    jobs: int = 1
    trace: bool = False
    checkpoint_seconds: float = 2.0
    executor: str = "local"        # local (processes of this machine) or dask
    scheduler: str | None = None   # a Dask scheduler address; none: a local Dask cluster
    job_key: str = ""  # what the run is (rules and inputs): a checkpoint of another job is not resumed


@dataclass
class Stats:
    docs: int = 0
    failures: int = 0
    bytes: int = 0
    facts: Counter = field(default_factory=Counter)


class _Sink:
    """An output file written through a temporary file, or a stream."""

    def __init__(self, path: str | None, stream, resume_bytes: int | None):
        self.path = Path(path) if path else None
        if self.path is None:
            self.fh = stream
            return
        self.partial = self.path.with_name(self.path.name + ".partial")
        if resume_bytes is not None and self.partial.exists():
            self.fh = open(self.partial, "r+b")
            self.fh.truncate(resume_bytes)
            self.fh.seek(resume_bytes)
        else:
            self.fh = open(self.partial, "wb")

    def write(self, text: str) -> None:
        self.fh.write(text.encode("utf-8") if self.path else text)

    def tell(self) -> int:
        return self.fh.tell() if self.path else 0

    def sync(self) -> None:
        self.fh.flush()
        if self.path:
            os.fsync(self.fh.fileno())

    def finish(self) -> None:
        if self.path:
            self.fh.close()
            os.replace(self.partial, self.path)


def _checkpoint_path(opts: RunOptions) -> Path | None:
    return Path(opts.output + ".checkpoint") if opts.output else None


def _read_checkpoint(opts: RunOptions):
    path = _checkpoint_path(opts)
    if not (opts.resume and path and path.exists()):
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state if state.get("job") == opts.job_key else None


def _write_checkpoint(opts: RunOptions, state: dict) -> None:
    path = _checkpoint_path(opts)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def run(extractor, docs, opts: RunOptions, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    state = _read_checkpoint(opts)
    skip = state["docs"] if state else 0
    out = _Sink(opts.output, stdout, state["bytes"] if state else None)
    errors = _Sink(opts.errors, None, state["errors_bytes"] if state else None) if opts.errors else None
    table = TableWriter(out) if opts.fmt == "table" else None
    stats = Stats()
    progress = _progress(opts, stderr)
    started, last_checkpoint = time.monotonic(), time.monotonic()

    def skipped():
        for i, doc in enumerate(docs):
            if i >= skip:
                yield doc

    def fail(doc_id, stage, message):
        stats.failures += 1
        stderr.write(f"ierun: error: {message}\n" if stage == "input" else message + "\n")
        if errors:
            errors.write(json.dumps({"doc": doc_id, "stage": stage, "message": message}, ensure_ascii=False) + "\n")

    stopped = False
    if opts.executor == "dask":
        from .parallel import extract_dask
        results = extract_dask(extractor, skipped(), opts.scheduler, opts.trace, max(1, opts.jobs))
    else:
        results = extract_all(extractor, skipped(), max(1, opts.jobs), opts.trace)
    for result in results:
        stats.docs += 1
        doc = result.doc
        if isinstance(doc, InputProblem):
            fail(doc.where, "input", str(doc))
        else:
            stats.bytes += len(doc.text.encode("utf-8"))
            for problem in result.problems:
                fail(doc.id, "match", problem)
            if result.trace is not None:
                stderr.write(f"--- matches in {doc.id}\n" + "".join(event.render() + "\n" for event in result.trace))
            stats.facts.update(result.types)
            if table is not None:
                table.write([json.loads(line) for line in result.lines])
            else:
                out.write("".join(result.lines))
        if opts.output is None:
            out.sync()
        if progress is not None:
            progress.update(1)
            progress.set_postfix(MB=f"{stats.bytes / 1e6:.1f}", failures=stats.failures, refresh=False)
        if opts.output and time.monotonic() - last_checkpoint > opts.checkpoint_seconds:
            _save(opts, out, errors, skip + stats.docs)
            last_checkpoint = time.monotonic()
        if opts.fail_fast and stats.failures:
            stopped = True
            break
    if progress is not None:
        progress.close()
    if stopped:
        if opts.output:
            _save(opts, out, errors, skip + stats.docs)
        stderr.write("ierun: stopped at the first failure (--fail-fast)\n")
        return 1
    out.sync()
    out.finish()
    if errors:
        errors.sync()
        errors.finish()
    if opts.output and _checkpoint_path(opts).exists():
        _checkpoint_path(opts).unlink()
    elapsed = max(time.monotonic() - started, 1e-9)
    if stats.failures:
        stderr.write(f"ierun: {stats.failures} input{'s' if stats.failures != 1 else ''} failed; "
                     f"the others were processed\n")
    if not opts.quiet and getattr(stderr, "isatty", lambda: False)():
        by_type = ", ".join(f"{k} {v}" for k, v in sorted(stats.facts.items())) or "none"
        stderr.write(f"ierun: {stats.docs} documents, facts: {by_type}; {stats.failures} failed; "
                     f"{stats.bytes / 1e6 / elapsed:.2f} MB/s\n")
    return 1 if stats.failures else 0


def _save(opts, out, errors, docs_done):
    out.sync()
    if errors:
        errors.sync()
    _write_checkpoint(opts, {"job": opts.job_key, "docs": docs_done, "bytes": out.tell(),
                             "errors_bytes": errors.tell() if errors else 0})


def _progress(opts: RunOptions, stderr):
    if opts.quiet or not getattr(stderr, "isatty", lambda: False)():
        return None
    from tqdm import tqdm
    return tqdm(file=stderr, unit=" docs", dynamic_ncols=True, mininterval=0.5)
