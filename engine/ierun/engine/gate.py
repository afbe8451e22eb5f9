"""The gate: one Hyperscan scan per document finds where each rule can start, so a rule's own `regex` pattern
is tried only there instead of at every character (Hyperscan runs many patterns at once in one pass). Each
rule's pattern for it is a superset of the rule's matches, reversed (superset.py); here they are compiled into
one database per group of rules and scanned. Without Hyperscan installed, the engine works as before (rules
gated by their trigger words, scanned in full), only slower.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from ..language import ir
from .superset import Superset, fitting_source, to_bytes

try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised by the fallback test through IERUN_NO_HYPERSCAN
    hyperscan = None


def enabled() -> bool:
    """Is the gate in use? (IERUN_NO_HYPERSCAN=1 turns it off, for comparisons and tests.)"""
    return hyperscan is not None and not os.environ.get("IERUN_NO_HYPERSCAN")


def version() -> str:
    return getattr(hyperscan, "__version__", "?") if enabled() else "off"


# ---- the compiled gate ------------------------------------------------------------------------------
START, PRESENT = "start", "present"
_LOADING = threading.Lock()


@dataclass
class Gate:
    """One Hyperscan database for a group of rules; `modes[id]` is START (report where the rule can
    start) or PRESENT (report only whether it can match at all).

    Safe to share between threads: the database is read-only, and each thread scans with a Scratch of its
    own (Hyperscan refuses a Scratch in use by another scan)."""
    modes: dict[int, str]
    serialized: bytes
    _db: object = field(default=None, repr=False, compare=False)
    _local: threading.local = field(default_factory=threading.local, repr=False, compare=False)
    ids: tuple[int, ...] | None = None  # the rule id of each of the database's own ids (None: the same)

    def __getstate__(self):
        return {"modes": self.modes, "serialized": self.serialized, "ids": self.ids}

    def __setstate__(self, state):
        self.__dict__.update(state, _db=None, _local=threading.local())

    def load(self):
        """The database, deserialized and tried on a short text (raises on an entry this Hyperscan cannot
        use: the plan cache then rebuilds the plan, rather than a run failing at its first scan)."""
        if self._db is None:
            with _LOADING:  # one database per gate, so that every thread's scratch is made for it
                if self._db is None:
                    db = hyperscan.loadb(self.serialized, hyperscan.HS_MODE_BLOCK)
                    scratch = hyperscan.Scratch(db)
                    db.scan(b"\n", match_event_handler=lambda *_: None, scratch=scratch)
                    self._local.scratch = scratch
                    self._db = db
        return self._db

    def _scratch(self, db):
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(db)
        return scratch

    def scan(self, text: str, data: bytes | None = None) -> dict[int, list[int] | bool]:
        """{rule id: ascending positions where it can start (START) or True (PRESENT)} for the rules that
        can match in `text` (`data`: its bytes, when it is a text with facts masked)."""
        db = self.load()
        scratch = self._scratch(db)
        if data is None:
            data = to_bytes(text)
        n = len(data)
        data = data[::-1] + b"\n"  # the newline before the text: every match has a character before it
        ends: dict[int, list[int]] = {}

        def on_match(rule_id, _from, to, _flags, _context):
            hit = ends.get(rule_id)
            if hit is None:
                ends[rule_id] = [to]
            else:
                hit.append(to)

        db.scan(data, match_event_handler=on_match, scratch=scratch)
        modes, ids = self.modes, self.ids
        if ids is not None:
            ends = {ids[i]: tos for i, tos in ends.items()}
        # a match of P reversed that ends at `to` consumed the character before position n + 1 - to
        return {i: True if modes[i] == PRESENT else [n + 1 - to for to in reversed(tos)] for i, tos in ends.items()}


def _compile(exprs: list[bytes], ids: list[int], flags: list[int]):
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
    return db


def build(ruleset: ir.RuleModel, patterns: list[tuple[int, object, bool]], pieces=None) -> Gate | None:
    """A gate for (id, pattern, starts_raw) triples; rules it cannot take are left out of `modes` (and run
    ungated). None when Hyperscan is missing or takes none of the rules. `pieces` (compile.Pieces): compiled
    databases kept by their expressions, so an unchanged group of rules is not compiled again."""
    if hyperscan is None:
        return None
    builder = Superset(ruleset)
    entries = []
    for rule_id, pattern, starts_raw in patterns:
        source = fitting_source(builder, pattern)
        if source:
            mode = PRESENT if starts_raw else START
            flag = hyperscan.HS_FLAG_SINGLEMATCH if mode == PRESENT else 0
            entries.append((rule_id, source.encode("ascii"), flag, mode))
    if not entries:
        return None
    # the database has its own ids 0..n-1 (so that it depends on the expressions only, not on the numbers of
    # the rules, which change when rules are added elsewhere); `Gate.ids` maps them back
    key = ("hs", tuple((e[1], e[2]) for e in entries))
    built = pieces.get(key, lambda: _build_db(entries)) if pieces is not None else _build_db(entries)
    if built is None:
        return None
    kept, serialized = built
    return Gate({entries[i][0]: entries[i][3] for i in kept}, serialized, None, ids=tuple(e[0] for e in entries))


def _build_db(entries) -> tuple[tuple[int, ...], bytes] | None:
    """(the numbers of the entries the database holds, the serialized database), or None."""
    kept = list(range(len(entries)))
    try:
        db = _compile([entries[i][1] for i in kept], kept, [entries[i][2] for i in kept])
    except hyperscan.error:  # find the expressions Hyperscan refuses (an empty match, too large) and drop them
        kept = [i for i in kept if _compiles((i, entries[i][1], entries[i][2]))]
        if not kept:
            return None
        db = _compile([entries[i][1] for i in kept], kept, [entries[i][2] for i in kept])
    return tuple(kept), hyperscan.dumpb(db)


def _compiles(entry) -> bool:
    try:
        _compile([entry[1]], [entry[0]], [entry[2]])
        return True
    except hyperscan.error:
        return False
