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
from .parallel import WorkerLost, extract_all
from .sink import OutputRefused, Sink, WriteFailed



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
    started: float = field(default_factory=time.monotonic)


def _checkpoint_path(opts: RunOptions) -> Path | None:
    return Path(os.path.realpath(opts.output) + ".checkpoint") if opts.output else None


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def _read_checkpoint(opts: RunOptions):
    path = _checkpoint_path(opts)
    if not (opts.resume and path and path.exists()):
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("job") != opts.job_key:
        return None
    # a checkpoint is only good if the files hold the bytes it counts (a full disk may have lost some)
    if _size(os.path.realpath(opts.output) + ".partial") < state.get("bytes", 0) or opts.errors and \
            _size(os.path.realpath(opts.errors) + ".partial") < state.get("errors_bytes", 0):
        return None
    return state


def _write_checkpoint(opts: RunOptions, state: dict) -> None:
    path = _checkpoint_path(opts)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def run(extractor, docs, opts: RunOptions, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    state = _read_checkpoint(opts)
    skip = state["docs"] if state else 0
    try:
        out = Sink(opts.output, stdout, state["bytes"] if state else None)
        errors = Sink(opts.errors, None, state["errors_bytes"] if state else None) if opts.errors else None
    except OutputRefused as err:
        stderr.write(f"ierun: error: {err}\n")
        return 2
    stats = Stats()
    mark = [skip, out.tell(), errors.tell() if errors else 0]  # the last document written whole
    try:
        status = _loop(extractor, docs, opts, out, errors, stats, mark, stderr)
    except KeyboardInterrupt:
        where = _stop(opts, out, errors, mark)
        stderr.write(f"ierun: interrupted after {mark[0]:,} documents{where}\n")
        return 130
    except WriteFailed as err:
        where = _stop(opts, out, errors, mark)
        stderr.write(f"ierun: error: cannot write {err}{where}\n")
        return 1
    except WorkerLost as err:
        where = _stop(opts, out, errors, mark)
        stderr.write(f"ierun: error: {err}{where}\n")
        return 1
    if status is not None:
        return status
    try:
        out.sync()
        out.finish()
        if errors:
            errors.sync()
            errors.finish()
    except (OutputRefused, WriteFailed) as err:
        stderr.write(f"ierun: error: {err}\n")
        return 1
    if opts.output and _checkpoint_path(opts).exists():
        _checkpoint_path(opts).unlink()
    if stats.failures:
        stderr.write(f"ierun: {stats.failures} input{'s' if stats.failures != 1 else ''} failed; "
                     f"the others were processed\n")
    if not opts.quiet and getattr(stderr, "isatty", lambda: False)():
        by_type = ", ".join(f"{k} {v}" for k, v in sorted(stats.facts.items())) or "none"
        elapsed = max(time.monotonic() - stats.started, 1e-9)
        stderr.write(f"ierun: {stats.docs} documents, facts: {by_type}; {stats.failures} failed; "
                     f"{stats.bytes / 1e6 / elapsed:.2f} MB/s\n")
    return 1 if stats.failures else 0


def _close(*sinks) -> None:
    """Sync and close each sink there is (a sink that cannot be synced is still closed)."""
    for sink in sinks:
        if sink is not None:
            try:
                sink.sync()
            except WriteFailed:
                pass
            sink.close()


def _stop(opts, out, errors, mark) -> str:
    """After an interruption: a checkpoint at the last document written whole, and where the run stands."""
    if opts.fmt == "table":
        _close(out, errors)
        return f" (the table of the documents done is {'in ' + str(out.partial) if opts.output else 'above'})"
    if not opts.output:
        out.close()
        return " (facts on standard output up to there; with -o OUT a stopped run can be resumed with --resume)"
    try:
        _write_checkpoint(opts, {"job": opts.job_key, "docs": mark[0], "bytes": mark[1], "errors_bytes": mark[2]})
        saved = True
    except OSError:
        saved = False
    _close(out, errors)
    if saved:
        return f"; the facts so far are in {out.partial}: run the same command with --resume to continue"
    return (f"; the facts so far are in {out.partial}, but the checkpoint could not be saved: --resume "
            f"continues from the last saved one")


def _loop(extractor, docs, opts, out, errors, stats, mark, stderr):
    """Every result written; `mark` follows the last document written whole. A status to return early, or
    None at the end of the documents."""
    skip = mark[0]
    table = TableWriter(out) if opts.fmt == "table" else None
    progress = _progress(opts, stderr)
    last_checkpoint = time.monotonic()

    def skipped():
        for i, doc in enumerate(docs):
            if i >= skip:
                yield doc

    def fail(doc_id, stage, message):
        stats.failures += 1
        report_failure(stderr, errors, doc_id, stage, message)

    if opts.executor == "dask":
        from .parallel import extract_dask
        results = extract_dask(extractor, skipped(), opts.scheduler, opts.trace, max(1, opts.jobs))
    else:
        results = extract_all(extractor, skipped(), max(1, opts.jobs), opts.trace)
    try:
        for result in results:
            stats.docs += 1
            doc = result.doc
            if isinstance(doc, InputProblem):
                fail(doc.where, "input", str(doc))
            elif result.lost is not None:
                fail(doc.id, "worker", f"{doc.id}: {result.lost}")
            else:
                stats.bytes += len(doc.text.encode("utf-8", "surrogatepass"))
                for problem in result.problems:
                    fail(doc.id, result.stage, problem)
                if result.trace is not None:
                    stderr.write(f"--- matches in {doc.id}\n" + "".join(event.render() + "\n" for event in result.trace))
                stats.facts.update(result.types)
                if table is not None:
                    table.write([json.loads(line) for line in result.lines])
                else:
                    out.write("".join(result.lines))
            if opts.output is None:
                out.sync()
            mark[:] = [skip + stats.docs, out.tell(), errors.tell() if errors else 0]
            if progress is not None:
                progress.update(1)
                progress.set_postfix(MB=f"{stats.bytes / 1e6:.1f}", failures=stats.failures, refresh=False)
            if opts.output and time.monotonic() - last_checkpoint > opts.checkpoint_seconds:
                _save(opts, out, errors, skip + stats.docs)
                last_checkpoint = time.monotonic()
            if opts.fail_fast and stats.failures:
                if opts.output:
                    _save(opts, out, errors, skip + stats.docs)
                stderr.write("ierun: stopped at the first failure (--fail-fast)\n")
                if table is not None:
                    table.close()
                return 1
        if table is not None:
            table.close()  # a table is aligned across documents: written at the end
    except KeyboardInterrupt:
        if table is not None:
            table.close()  # the documents done, aligned
        raise
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # workers stopped, not waited for
        if progress is not None:
            progress.close()
    return None


def report_failure(stderr, errors, doc_id: str, stage: str, message: str) -> None:
    """A document's failure on standard error (an input or pipeline failure as an `ierun: error:` line; the
    others are rendered diagnostics, or name their document) and, with --errors, as a {doc, stage, message}
    record."""
    stderr.write(f"ierun: error: {message}\n" if stage in ("input", "nlp") else message + "\n")
    if errors:
        errors.write(json.dumps({"doc": doc_id, "stage": stage, "message": message}, ensure_ascii=False) + "\n")


def _save(opts, out, errors, docs_done):
    out.sync()
    if errors:
        errors.sync()
    try:
        _write_checkpoint(opts, {"job": opts.job_key, "docs": docs_done, "bytes": out.tell(),
                                 "errors_bytes": errors.tell() if errors else 0})
    except OSError as err:
        raise WriteFailed(str(_checkpoint_path(opts)), err) from None


def _progress(opts: RunOptions, stderr):
    if opts.quiet or not getattr(stderr, "isatty", lambda: False)():
        return None
    from tqdm import tqdm
    return tqdm(file=stderr, unit=" docs", dynamic_ncols=True, mininterval=0.5)
