"""Running extraction over many documents: in-process (`jobs=1`) or in worker processes that each load the
compiled plan once. Results come back in input order whatever the number of jobs, and only a bounded
window of documents is in flight, so memory does not grow with the corpus."""
from __future__ import annotations

import multiprocessing as mp
import pickle
from collections import deque
from dataclasses import dataclass

from .inputs import Document, InputProblem

CHUNK_DOCS = 64
CHUNK_BYTES = 1 << 20


@dataclass
class Result:
    doc: Document | InputProblem
    facts: list[dict]
    problems: list[str]        # rendered diagnostics
    trace: list[str] | None = None


def _run_one(extractor, doc, trace: bool) -> Result:
    if isinstance(doc, InputProblem):
        return Result(doc, [], [])
    out = extractor.run(doc.text, doc.published, doc.id, trace=trace)
    return Result(doc, [f.to_dict() for f in out.facts], [p.render() for p in out.problems], out.trace)


_WORKER = {}


def _init(plan_bytes: bytes, timeout: float) -> None:
    from .match import Extractor
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
    """Results for docs (Documents or InputProblems), in input order."""
    if jobs <= 1:
        for d in docs:
            yield _run_one(extractor, d, trace)
        return
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
