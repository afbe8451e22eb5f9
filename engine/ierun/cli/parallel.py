"""Running extraction over many documents: in-process (`jobs=1`) or in worker processes that each load the
compiled plan once. Results come back in input order whatever the number of jobs, and only a bounded
window of documents is in flight, so memory does not grow with the corpus."""
from __future__ import annotations

import itertools
import multiprocessing as mp
import pickle
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from .emit import fact_line
from .inputs import Document, InputProblem

CHUNK_DOCS = 64
CHUNK_BYTES = 1 << 20
WATCH_SECONDS = 1.0  # how often a wait for a chunk's result looks whether a worker died unnoticed


@dataclass
class Result:
    doc: Document | InputProblem
    lines: list[str]           # the facts as JSON Lines (written where they are found: workers send text)
    types: list[str]           # their fact types
    problems: list[str]        # rendered diagnostics
    trace: list | None = None  # trace events (engine/trace.py), rendered by the runner
    lost: str | None = None    # why the document has no result: the worker running it died
    stage: str = "match"       # where the problems come from: "nlp" when the pipeline failed on the document


class WorkerLost(Exception):
    """A run that cannot go on: the workers are gone (the message names the documents in flight)."""


def _doc_name(d) -> str:
    return d.id if isinstance(d, Document) else d.where


def _span(chunk) -> str:
    first, last = _doc_name(chunk[0]), _doc_name(chunk[-1])
    return f"{first}" if len(chunk) == 1 else f"{first} .. {last} ({len(chunk)} documents)"


def _run_one(extractor, doc, trace: bool, annotations=None) -> Result:
    if isinstance(doc, InputProblem):
        return Result(doc, [], [], [])
    if isinstance(annotations, str):  # the NLP pipeline failed on this document (nlp.Annotator)
        return Result(doc, [], [], [f"{doc.id}: {annotations}"], stage="nlp")
    out = extractor.run(doc.text, doc.published, doc.id, trace=trace) if annotations is None else \
        extractor.run(doc.text, doc.published, doc.id, trace=trace, annotations=annotations)
    return Result(doc, [fact_line(f) for f in out.facts], [f.type for f in out.facts],
                  [p.render() for p in out.problems], out.trace)


_WORKER = {}


def _init(plan_bytes: bytes, timeout: float, annotator=None) -> None:
    from ..engine.match import Extractor
    _WORKER["extractor"] = Extractor(pickle.loads(plan_bytes), timeout)
    _WORKER["annotator"] = annotator
    if annotator is not None:
        annotator.nlp  # the pipeline, loaded once per worker (inherited, not loaded again, by a forked one)


def _init_pool(plan_bytes: bytes, timeout: float, annotator=None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no worker tracebacks
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _init(plan_bytes, timeout, annotator)


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent is gone (killed with -9) ends itself: it would otherwise wait for work forever,
    since it holds both ends of the pool's pipes."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run_chunk(docs, trace: bool) -> list[Result]:
    return _run_list(_WORKER["extractor"], _WORKER.get("annotator"), docs, trace)


def _run_list(extractor, annotator, docs, trace: bool) -> list[Result]:
    """Results for a chunk of documents; with an annotator (nlp.py), their annotations come first, the
    chunk's texts through the NLP pipeline in one batch."""
    if annotator is None:
        return [_run_one(extractor, d, trace) for d in docs]
    from ..nlp import put_annotations
    return [_run_one(extractor, d, trace, getattr(d, "annotations", None)) for d in put_annotations(annotator, docs)]


def _split(extractor):
    """(the engine's Extractor, the run's nlp.Annotator or None) of what a corpus run is given."""
    from ..nlp import AnnotatingExtractor
    if isinstance(extractor, AnnotatingExtractor):
        return extractor.extractor, extractor.annotator
    return extractor, None


def _chunks(docs):
    chunk, size = [], 0
    for d in docs:
        chunk.append(d)
        size += len(d.text) if isinstance(d, Document) else 0
        if len(chunk) >= CHUNK_DOCS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def extract_all(extractor, docs, jobs: int = 1, trace: bool = False):
    """Results for docs (Documents or InputProblems), in input order. A single document runs in this
    process whatever `jobs` says: starting workers would cost more than it saves."""
    extractor, annotator = _split(extractor)
    docs = iter(docs)
    head = list(itertools.islice(docs, CHUNK_DOCS))
    if jobs <= 1 or len(head) <= 1:
        if annotator is not None:  # the NLP pipeline takes the documents in batches
            for chunk in _chunks(itertools.chain(head, docs)):
                yield from _run_list(extractor, annotator, chunk, trace)
            return
        for d in itertools.chain(head, docs):
            yield _run_one(extractor, d, trace)
        return
    docs = itertools.chain(head, docs)
    yield from _Pool(extractor, jobs, trace, annotator).results(_chunks(docs))


_LOST = ("the worker process running this document died (killed, or out of memory) twice; "
         "its facts are missing")


class _Pool:
    """Worker processes that survive the loss of one: a worker that dies breaks the pool at once (the
    executor watches its processes), the pool is replaced, and the chunks that were in flight run again,
    one at a time, so that a chunk that kills its worker again is found; its documents then run one by
    one, and a document that kills a worker on its own is reported (Result.lost) and the run goes on."""

    def __init__(self, extractor, jobs: int, trace: bool, annotator=None):
        self.jobs, self.trace = jobs, trace
        self.ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.initargs = (pickle.dumps(extractor.plan, protocol=pickle.HIGHEST_PROTOCOL), extractor.timeout,
                         annotator)
        self.pool = None

    def _renew(self) -> None:
        if self.pool is not None:
            self._stop()
        self.pool = ProcessPoolExecutor(self.jobs, mp_context=self.ctx, initializer=_init_pool,
                                        initargs=self.initargs)

    def _stop(self) -> None:
        """Stop the pool without waiting for its work (after a loss, an error or Ctrl-C)."""
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        results = getattr(self.pool, "_result_queue", None)  # shutdown() forgets it
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join()
        if results is not None:
            # A worker stopped while sending its result leaves half a message in the pipe: the executor's
            # thread waits for the rest, and Python's exit waits for that thread (a run that printed
            # "interrupted" and never ended). With the last writer closed, it reads the end of the pipe,
            # finds the pool broken and ends.
            results._writer.close()
        self.pool = None

    def _wait(self, future):
        """The future's result. A worker that died while sending a result leaves half a message in the pipe,
        and the executor's thread waits for the rest instead of noticing the death: so while waiting, a dead
        worker with the result still missing a moment later counts as a broken pool (BrokenProcessPool)."""
        while True:
            try:
                return future.result(timeout=WATCH_SECONDS)
            except TimeoutError:
                processes = (getattr(self.pool, "_processes", None) or {}).values()
                if any(p.exitcode is not None for p in list(processes)):
                    try:
                        return future.result(timeout=WATCH_SECONDS)  # the executor's own notice, if it comes
                    except TimeoutError:
                        raise BrokenProcessPool("a worker died without the pool noticing") from None

    def _alone(self, chunk):
        """A chunk run with nothing else in flight; if it kills its worker, its documents one by one."""
        try:
            yield from self._wait(self.pool.submit(_run_chunk, chunk, self.trace))
            return
        except BrokenProcessPool:
            self._renew()
        if len(chunk) == 1:
            yield Result(chunk[0], [], [], [], lost=_LOST)
            return
        for d in chunk:
            yield from self._alone([d])

    def results(self, chunks):
        self._renew()
        pending: deque = deque()
        suspects: deque = deque()
        done = False
        try:
            while True:
                if suspects:
                    yield from self._alone(suspects.popleft())
                    continue
                broken = False
                while len(pending) < 4 * self.jobs:  # a bounded window: memory does not grow with the corpus
                    chunk = next(chunks, None)
                    if chunk is None:
                        break
                    try:
                        pending.append((chunk, self.pool.submit(_run_chunk, chunk, self.trace)))
                    except BrokenProcessPool:  # a worker died since the last look
                        suspects.extend([c for c, _ in pending] + [chunk])
                        pending.clear()
                        self._renew()
                        broken = True
                        break
                if broken:
                    continue
                if not pending:
                    break
                chunk, future = pending.popleft()
                try:
                    results = self._wait(future)
                except BrokenProcessPool:
                    suspects.extend([chunk] + [c for c, _ in pending])
                    pending.clear()
                    self._renew()
                    continue
                yield from results
            done = True
        finally:
            if done:
                self.pool.shutdown(wait=True)
                self.pool = None
            elif self.pool is not None:
                self._stop()


def _dask_chunk(plan_bytes: bytes, timeout: float, docs, trace: bool, annotator=None) -> list[Result]:
    """Run on a Dask worker: the plan is unpickled once per worker process and kept (and an NLP pipeline is
    loaded once per worker process: nlp.load_pipeline keeps it)."""
    key = (id(plan_bytes), len(plan_bytes))
    if _WORKER.get("dask_key") != key:
        _init(plan_bytes, timeout)
        _WORKER["dask_key"] = key
    return _run_list(_WORKER["extractor"], annotator, docs, trace)


def extract_dask(extractor, docs, scheduler: str | None = None, trace: bool = False, workers: int = 2):
    """The same results, in input order, computed on a Dask cluster: the one at `scheduler` (an address such
    as tcp://10.0.0.5:8786), or a local cluster of worker processes started for the run. The compiled plan
    is sent to every worker once (scattered, broadcast); documents go in chunks, a bounded window at a time."""
    from dask.distributed import Client, LocalCluster

    extractor, annotator = _split(extractor)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        plan = client.scatter(pickle.dumps(extractor.plan, protocol=pickle.HIGHEST_PROTOCOL), broadcast=True)
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
        pending: deque = deque()
        for chunk in _chunks(docs):
            pending.append((client.submit(_dask_chunk, plan, extractor.timeout, chunk, trace,
                                          *([annotator] if annotator is not None else []), pure=False), chunk))
            if len(pending) >= window:
                yield from _dask_result(pending)
        while pending:
            yield from _dask_result(pending)
    finally:
        try:
            client.close()
            if cluster is not None:
                cluster.close()
        except Exception:  # a cluster already gone: nothing more to close
            pass


def _dask_result(pending: deque):
    future, chunk = pending.popleft()
    try:
        return future.result()
    except Exception as err:  # every worker gone: FutureCancelledError, KilledWorker, a lost connection
        raise WorkerLost(f"the Dask cluster lost the documents {_span(chunk)}: {type(err).__name__}: "
                         f"{err}") from None
