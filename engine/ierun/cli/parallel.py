"""Running extraction over many documents: in-process (`jobs=1`) or in worker processes that each load the
compiled plan once. Results come back in input order whatever the number of jobs, and only a bounded
window of documents is in flight, so memory does not grow with the corpus."""
from __future__ import annotations

import itertools
import multiprocessing as mp
import pickle
from collections import deque
from dataclasses import dataclass

from .emit import fact_line
from .inputs import Document, InputProblem

CHUNK_DOCS = 64
CHUNK_BYTES = 1 << 20


@dataclass
class Result:
    doc: Document | InputProblem
    lines: list[str]           # the facts as JSON Lines (written where they are found: workers send text)
    types: list[str]           # their fact types
    problems: list[str]        # rendered diagnostics
    trace: list | None = None  # trace events (engine/trace.py), rendered by the runner


def _run_one(extractor, doc, trace: bool) -> Result:
    if isinstance(doc, InputProblem):
        return Result(doc, [], [], [])
    out = extractor.run(doc.text, doc.published, doc.id, trace=trace)
    return Result(doc, [fact_line(f) for f in out.facts], [f.type for f in out.facts],
                  [p.render() for p in out.problems], out.trace)


_WORKER = {}


def _init(plan_bytes: bytes, timeout: float) -> None:
    from ..engine.match import Extractor
    _WORKER["extractor"] = Extractor(pickle.loads(plan_bytes), timeout)


def _run_chunk(docs, trace: bool) -> list[Result]:
    extractor = _WORKER["extractor"]
    return [_run_one(extractor, d, trace) for d in docs]


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
    docs = iter(docs)
    head = list(itertools.islice(docs, CHUNK_DOCS))
    if jobs <= 1 or len(head) <= 1:
        for d in itertools.chain(head, docs):
            yield _run_one(extractor, d, trace)
        return
    docs = itertools.chain(head, docs)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    plan_bytes = pickle.dumps(extractor.plan, protocol=pickle.HIGHEST_PROTOCOL)
    with ctx.Pool(jobs, initializer=_init, initargs=(plan_bytes, extractor.timeout)) as pool:
        pending: deque = deque()
        for chunk in _chunks(docs):
            pending.append(pool.apply_async(_run_chunk, (chunk, trace)))
            if len(pending) >= 4 * jobs:  # a bounded window: memory does not grow with the corpus
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _dask_chunk(plan_bytes: bytes, timeout: float, docs, trace: bool) -> list[Result]:
    """Run on a Dask worker: the plan is unpickled once per worker process and kept."""
    key = (id(plan_bytes), len(plan_bytes))
    if _WORKER.get("dask_key") != key:
        _init(plan_bytes, timeout)
        _WORKER["dask_key"] = key
    return _run_chunk(docs, trace)


def extract_dask(extractor, docs, scheduler: str | None = None, trace: bool = False, workers: int = 2):
    """The same results, in input order, computed on a Dask cluster: the one at `scheduler` (an address such
    as tcp://10.0.0.5:8786), or a local cluster of worker processes started for the run. The compiled plan
    is sent to every worker once (scattered, broadcast); documents go in chunks, a bounded window at a time."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        plan = client.scatter(pickle.dumps(extractor.plan, protocol=pickle.HIGHEST_PROTOCOL), broadcast=True)
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
        pending: deque = deque()
        for chunk in _chunks(docs):
            pending.append(client.submit(_dask_chunk, plan, extractor.timeout, chunk, trace, pure=False))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
