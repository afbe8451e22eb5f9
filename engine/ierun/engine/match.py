"""The matcher: runs a compiled Plan over one document, phase by phase, and returns typed facts."""
from __future__ import annotations

import bisect
import functools
import time
import datetime as dt

import regex
from dataclasses import dataclass, field

from ..language import nodes as A
from . import lexscan, nlp, superset
from ..language.tree import capture_kind, walk
from .compile import FACT_PAD, CompiledRule, Plan, fact_marker
from .regex_code import compile_regex
from .triggers import FACT_KEY, document_keys
from ..errors import Diagnostic, IerunError, diagnostic
from ..messages import Errors
from .expr import Env, compile_expr, field_value
from ..facts import Fact
from ..language.normalize import NormalizationError
from .overlap import resolve
from .segments import ranges
from .trace import Dropped, Event, Failed, Kept
from ..language.nlp import constraints
from ..language.tokens import WS

DEFAULT_TIMEOUT = 2.0
# The time a rule may spend on one document grows with the document: `timeout` seconds, plus `timeout` more
# for every TIMEOUT_CHARS characters (a legitimate rule with a big lexicon reads a few KB a second on a busy
# machine; a catastrophic regex takes seconds on one short line). The limit holds for all of the rule's work
# on the document together: every scope range, every place the gate gives, its prefilter.
TIMEOUT_CHARS = 1000


def time_budget(timeout: float, chars: int) -> float:
    """The seconds a rule may spend on a document of `chars` characters."""
    return timeout * (1 + chars / TIMEOUT_CHARS)


class MatchError(IerunError):
    """A rule could not be applied to a document (its regex ran out of time)."""


@dataclass
class Extraction:
    facts: list[Fact]
    problems: list[Diagnostic] = field(default_factory=list)
    trace: list[Event] | None = None  # with trace=True: what happened to each candidate (trace.py)
    notes: list[Diagnostic] = field(default_factory=list)  # warnings about the run (W401: NLP rules skipped)


class _Document:
    """Everything one run knows about one document: its text, id and publication date (as known in the
    current phase), each rule's time budget on it, the facts kept so far by type, the texts with consumed
    facts masked, the scope ranges split, and what is reported. Made afresh by each `run`: the shared
    Extractor holds no document's state (so one Extractor may serve many threads)."""

    __slots__ = ("text", "doc_id", "published", "out", "budget", "by_type", "subjects", "ranges", "lexicon_hits",
                 "tokens", "marked")

    def __init__(self, text: str, published: dt.date | None, doc_id: str | None, out: Extraction, timeout: float):
        self.text, self.published, self.doc_id, self.out = text, published, doc_id, out
        self.budget = time_budget(timeout, len(text))  # seconds each rule may spend on this document
        self.by_type: dict[str, dict[tuple[int, int], Fact]] = {}
        # consumed fact types -> the text with those facts masked (and its bytes for the gate); a consumer
        # runs after every producer of what it consumes, so one masking serves all later phases
        self.subjects: dict[tuple, tuple[str, bytes | None]] = {(): (text, None)}
        self.ranges: dict[tuple, list] = {}  # (subject, scope kind, n) -> the scope's ranges
        # consumed fact types -> {scanned lexicon: the strings it matches in that subject; None: its tokens}
        self.lexicon_hits: dict[tuple, dict] = {}
        self.tokens: list = []  # the NLP pipeline's tokens that constraints can test (engine/nlp.py)
        # for rules testing tokens: (consumed types, constraints) -> the subject with marks (nlp.Marked) and the
        # subject it was made from; by the marked text too, for its scope ranges (those of the unmarked text)
        self.marked: dict = {}

    def scope_ranges(self, subject: str, scope) -> list[tuple[int, int]]:
        key = (subject, scope.kind, scope.n)
        spans = self.ranges.get(key)
        if spans is None:
            base = self.marked.get(subject)
            if base is None:
                spans = self.ranges[key] = ranges(subject, scope.kind, scope.n)
            else:  # sentences and `first N` are those of the text without marks
                marked, unmarked = base
                spans = self.ranges[key] = [(marked.at(lo), marked.at(hi)) for lo, hi in self.scope_ranges(unmarked, scope)]
        return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum() and WS.match(text[start]):
        start += 1
    return start, end


def capture_names(pattern) -> list[tuple[str, str | None]]:
    """(capture name, fact type if it captures a <Fact>) in pattern order, each name once."""
    out, seen = [], set()
    for node in walk(pattern):
        if isinstance(node, A.Capture) and node.name not in seen:
            seen.add(node.name)
            kind, name = capture_kind(node)
            out.append((node.name, name if kind == "fact" else None))
    return out


def finditer_at(pattern, subject: str, starts: list[int], spans, keep_all: bool, timeout=None, deadline=None):
    """What `pattern.finditer` over each of the ranges `spans` finds, when a match can start only at the
    ascending positions `starts` (the gate's): the pattern is tried there alone. After a match the next
    one starts at or after its end, unless all matches are kept (`overlapped`). `timeout` (seconds from
    now) or `deadline` (a `time.monotonic()` instant) bounds all the tries together (TimeoutError)."""
    range_starts = [lo for lo, _ in spans]
    match = pattern.match
    if deadline is None and timeout is not None:
        deadline = time.monotonic() + timeout
    pos = 0
    for s in starts:
        if s < pos:
            continue
        j = bisect.bisect_right(range_starts, s) - 1
        if j < 0 or s >= spans[j][1]:
            continue
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise TimeoutError
        m = match(subject, s, spans[j][1], timeout=left)
        if m is not None:
            yield m
            if not keep_all:
                pos = max(m.end(), s + 1)


# A character of the private use area that is neither a fact marker nor padding: the document's own
# characters of the marker alphabet become this one in a masked text. Like them it is not a letter, digit or
# white space (a token of its own, `?` to the gate), so nothing but a fact reference reads them differently.
NEUTRAL = "\uf8fe"


def marker_alphabet(n_types: int):
    """A pattern of the characters that mark the facts of `n_types` fact types, and their padding."""
    assert 0xE000 + n_types <= ord(NEUTRAL), "too many fact types for the marker alphabet"
    return regex.compile(f"[{regex.escape(fact_marker(0))}-{regex.escape(fact_marker(max(n_types - 1, 0)))}"
                         f"{regex.escape(FACT_PAD)}]")


def neutralize(text: str, alphabet) -> str:
    """The text with every character of the marker alphabet replaced by NEUTRAL (the same length)."""
    return alphabet.sub(NEUTRAL, text) if alphabet.search(text) else text


def _left(deadline: float) -> float:
    """The seconds left until `deadline`; TimeoutError when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


class Candidate:
    """A match not yet made a fact: overlap resolution needs only its span, rule and priority."""
    __slots__ = ("cr", "m", "start", "end", "rule", "priority", "doc_text", "fact")

    def __init__(self, cr: CompiledRule, m, start: int, end: int, doc_text: str):
        self.cr, self.m, self.start, self.end, self.doc_text = cr, m, start, end, doc_text
        self.rule, self.priority = cr.rule.name, cr.rule.priority
        self.fact = None  # the Fact, or FAILED when its values cannot be computed

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def text(self) -> str:
        return self.doc_text[self.start:self.end]


FAILED = object()


class _Active(set):
    """Rule numbers that run in a document: the plan's ungated ones (shared, never copied: a plan may have
    10,000 of them) and the ones added for this document."""

    def __init__(self, always: frozenset):
        super().__init__()
        self.always = always

    def __contains__(self, number) -> bool:
        return number in self.always or set.__contains__(self, number)


class Extractor:
    """Runs a Plan over documents. It holds only what the plan determines (never changed by a run), so one
    Extractor may serve many threads as far as the matcher goes (the gate's Hyperscan scratch is per thread:
    gate.py)."""

    def __init__(self, plan: Plan, timeout: float = DEFAULT_TIMEOUT):
        self.plan = plan
        self.ruleset = plan.ruleset
        self.timeout = timeout
        self._captures = {cr.name: capture_names(cr.rule.pattern) for cr in plan.rules}
        # by phase: the rules without a gate, and for each gate its rules (a rule of a gate runs only where
        # the gate's scan reports it, so a document costs nothing for the many rules that cannot match in it)
        self._phases: list[tuple[list[int], dict[int, list[int]]]] = [
            ([], {}) for _ in range(max(plan.phase_of, default=-1) + 1)]
        for number, (cr, phase_no) in enumerate(zip(plan.rules, plan.phase_of)):
            plain, gates = self._phases[phase_no]
            (plain if cr.gate is None else gates.setdefault(cr.gate, [])).append(number)
        self._ungated = frozenset(plan.ungated)
        self._once = {name: ft.once for name, ft in plan.ruleset.facts.items()}
        # the order rules run in: by number, except that a `once` type's rules run by priority, highest first
        self._order = [(-cr.rule.priority if self._once[cr.rule.fact] else 0, number)
                       for number, cr in enumerate(plan.rules)]
        # the characters that mark consumed facts in a masked text: the document's own are neutralized there
        self._marker_chars = marker_alphabet(len(plan.fact_index))
        self._hidden = frozenset(name for name, ft in plan.ruleset.facts.items() if ft.hidden)
        self._keep_all_rules = {cr.name: cr.rule.keep_all for cr in plan.rules}
        # each rule's fields: (name, type, the expression compiled)
        self._nlp = plan.nlp_needs  # what the rules need from an NLP pipeline (engine/nlp.py), or None
        skip = set(self._nlp.rules if self._nlp is not None else ())
        self._nlp_skip = frozenset(n for n, cr in enumerate(plan.rules) if cr.name in skip)
        self._constraints = {n: c for n, c in ((n, constraints(cr.rule.pattern)) for n, cr in enumerate(plan.rules)) if c}
        self._fields = {cr.name: [(fa.name, plan.ruleset.facts[cr.rule.fact].field(fa.name).type, compile_expr(fa.expr))
                                  for fa in cr.rule.fields] for cr in plan.rules}

    def extract(self, text: str, published: dt.date | None = None, doc_id: str | None = None,
                annotations=None) -> list[Fact]:
        result = self.run(text, published, doc_id, annotations=annotations)
        if result.problems:
            raise MatchError(result.problems)
        return result.facts

    def run(self, text: str, published: dt.date | None = None, doc_id: str | None = None,
            trace: bool = False, include_hidden: bool = False, annotations=None) -> Extraction:
        """The facts of one document. `annotations` (ierun.annotations.Annotations): what an NLP pipeline found
        in it, for rules that declare `uses nlp` (ignored by rules that do not); without them such rules
        raise NlpMissing, or, when their declarations are all optional, are skipped with one note."""
        out = Extraction([], [], [] if trace else None)
        doc = _Document(text, published, doc_id, out, self.timeout)
        plan = self.plan
        no_pipeline = self._nlp is not None and annotations is None
        if no_pipeline:
            if not self._nlp.optional:
                raise nlp.missing(self._nlp)
            out.notes.append(nlp.skipped_note(self._nlp))
        skip = self._nlp_skip if no_pipeline else frozenset()
        index = plan.trigger_index
        active = _Active(self._ungated)  # the rules that always run, and those triggered in this document
        if plan.needs_keys:
            for k in document_keys(text):
                rules = index.get(k)
                if rules:
                    active.update(rules)
        by_type = doc.by_type
        if self._nlp is not None and annotations is not None:
            if self._constraints:
                doc.tokens = nlp.testable(text, annotations.tokens)
            for label, table in nlp.entity_facts(text, annotations, self._nlp.entities, doc_id).items():
                by_type[label] = table
                active.update(index.get(FACT_KEY + label, ()))
                if out.trace is not None:
                    out.trace.extend(Kept(f.rule, f.span, f.text, f.to_dict()["fields"]) for f in table.values())
        pub = published
        subject_for = functools.partial(self._subject, doc)
        gated: dict[int, dict] = {}  # gate number -> what its scan found
        phase_of = plan.phase_of
        for phase_no, (plain, gates) in enumerate(self._phases):
            candidates: dict[str, list[Candidate]] = {}
            doc.published = pub  # the date found by this phase serves the phases after it
            todo = [(n, None) for n in plain if n in active and n not in skip]
            for g, numbers in gates.items():
                if not any(n in active for n in numbers):
                    continue
                if g not in gated:
                    gated[g] = plan.gates[g].scan(*subject_for(plan.rules[numbers[0]].rule.consumes))
                todo.extend((n, starts) for n, starts in gated[g].items()
                            if phase_of[n] == phase_no and n in active and n not in skip)
            settled = set()  # `once` types whose best fact is known: their rules of lower priority need not run
            for number, starts in sorted(todo, key=lambda t: self._order[t[0]]):
                cr = plan.rules[number]
                fact_type = cr.rule.fact
                if fact_type in settled or self._settled(doc, fact_type, candidates.get(fact_type), cr.rule.priority):
                    settled.add(fact_type)
                    continue
                subject, _ = subject_for(cr.rule.consumes)
                marked = None
                if number in self._constraints:
                    marked = self._marked(doc, cr.rule.consumes, self._constraints[number], subject)
                    subject = marked.text
                if starts is True:  # the gate knows only that the rule can match somewhere
                    starts = None
                if cr.anchored:
                    starts = [0]
                cands = candidates.setdefault(fact_type, [])
                for m in self._apply(doc, cr, subject, starts):
                    if marked is not None:
                        m = nlp.MappedMatch(m, marked.orig)
                    start, end = _trim(text, *m.span())
                    if start < end:
                        cands.append(Candidate(cr, m, start, end, text))
            for type_name, cands in candidates.items():
                ft = self.ruleset.facts[type_name]
                kept, dropped = self._resolve(doc, cands, ft)
                if out.trace is not None:
                    out.trace.extend(Dropped(f.rule, f.span, f.text, w.rule, w.span) for f, w in dropped)
                    out.trace.extend(Kept(f.rule, f.span, f.text, f.to_dict()["fields"]) for f in kept)
                table = by_type.setdefault(type_name, {})
                for f in kept:
                    table.setdefault(f.span, f)
                if kept:
                    active.update(index.get(FACT_KEY + type_name, ()))
                if self.ruleset.publication and type_name == self.ruleset.publication[0] and pub is None:
                    pub = next((f.fields.get(self.ruleset.publication[1]) for f in kept
                                if f.fields.get(self.ruleset.publication[1])), None)
        hidden = () if include_hidden else self._hidden
        out.facts = sorted((f for t, table in by_type.items() if t not in hidden for f in table.values()),
                           key=lambda f: (f.start, -f.end, f.type, f.rule))
        return out

    def _settled(self, doc: _Document, fact_type: str, cands, priority: int) -> bool:
        """For a `once` type: does a candidate of higher priority than `priority` win and get its values? Then
        no rule of this priority or lower can change the one fact kept (overlap resolution and `once` both
        put priority first), and such rules are skipped."""
        if not cands or cands[0].priority <= priority or not self._once[fact_type]:
            return False
        kept, _ = self._resolve(doc, cands, self.ruleset.facts[fact_type])
        return bool(kept)

    def _keep_all(self, f) -> bool:
        return self._keep_all_rules.get(f.rule, False)

    def _resolve(self, doc: _Document, cands: list[Candidate], ft):
        """Overlap resolution first, field values after, for the winners only: a winner whose values cannot
        be computed is taken out and the rest resolved again (the same facts as computing all first)."""
        keep_all = lambda f: ft.keep_all or self._keep_all(f)  # noqa: E731
        while True:
            kept, dropped = resolve(cands, keep_all, ft.once)
            for c in kept:
                if c.fact is None:
                    c.fact = self._fact(doc, c) or FAILED
            if all(c.fact is not FAILED for c in kept):
                return [c.fact for c in kept], [(f.fact or f, w.fact) for f, w in dropped]
            cands = [c for c in cands if c.fact is not FAILED]

    def _subject(self, doc: _Document, consumes) -> tuple[str, bytes | None]:
        """The document's text with the facts of the consumed types masked (made once per document)."""
        if consumes not in doc.subjects:
            doc.subjects[consumes] = self._mark(doc.text, consumes, doc.by_type)
        return doc.subjects[consumes]

    def _marked(self, doc: _Document, consumes, cons, subject: str):
        """The subject with marks before the tokens that pass the constraints (made once per document)."""
        key = (consumes, cons)
        got = doc.marked.get(key)
        if got is None:
            spans = [span for t in consumes for span in doc.by_type.get(t, {})]
            got = doc.marked[key] = nlp.Marked(subject, doc.tokens, cons, spans)
            if got.inserted:
                doc.marked[got.text] = (got, subject)
        return got

    def _mark(self, text: str, wanted, by_type) -> tuple[str, bytes | None]:
        """The text with each consumed fact replaced, at equal length, by its type marker and padding; and
        the same for the gate, as bytes (markers as MARKER_BYTE, padding as PAD_BYTE)."""
        spans = sorted((s, e, t) for t in wanted for (s, e) in by_type.get(t, {}))
        text = neutralize(text, self._marker_chars)  # no character of the document can pose as a fact
        if not spans:
            return text, None
        parts, pos = [], 0
        gaps = []  # the text between the facts
        for s, e, t in spans:
            if s < pos or e <= s:
                continue
            gaps.append((pos, s, e))
            parts.append(text[pos:s])
            parts.append(fact_marker(self.plan.fact_index[t]) + FACT_PAD * (e - s - 1))
            pos = e
        parts.append(text[pos:])
        if not self.plan.gates:
            return "".join(parts), None
        data = b"".join(superset.to_bytes(text[a:s]) + superset.MARKER_BYTE + superset.PAD_BYTE * (e - s - 1) for a, s, e in gaps)
        return "".join(parts), data + superset.to_bytes(text[pos:])

    def _apply(self, doc: _Document, cr: CompiledRule, subject: str, starts) -> list:
        """The rule's matches in the subject (at `starts` only, when the gate gave them): all of them, or,
        when the rule runs out of time on the document, none (and an E201 problem), so that what a rule
        emits never depends on how far it got."""
        rule = cr.rule
        pattern, pre = self._patterns(doc, cr, subject)  # compiled first: not part of the time on the document
        deadline = time.monotonic() + doc.budget
        try:
            if starts is None:
                return [m for lo, hi in self._worth(doc, cr, pre, subject, deadline) for m in
                        pattern.finditer(subject, lo, hi, overlapped=rule.keep_all, timeout=_left(deadline))]
            return list(finditer_at(pattern, subject, starts, doc.scope_ranges(subject, rule.scope),
                                    rule.keep_all, deadline=deadline))
        except TimeoutError:
            doc.out.problems.append(diagnostic(
                Errors.TIMEOUT, rule.loc, rule=rule.name, seconds=self.timeout, chars=TIMEOUT_CHARS, budget=doc.budget,
                doc=doc.doc_id if doc.doc_id is not None else "<text>"))
            return []

    def _patterns(self, doc: _Document, cr: CompiledRule, subject: str):
        """The rule's regex and prefilter; for a rule with scanned lexicons, made for this document: each
        lexicon written as the strings it matches in the subject (lexscan.py)."""
        if cr.template is None:
            return cr.pattern, cr.prefilter
        hits = doc.lexicon_hits.get(cr.rule.consumes)
        if hits is None:
            hits = doc.lexicon_hits[cr.rule.consumes] = {}
        for name in cr.template[1::2]:
            if name not in hits:
                if None not in hits:  # the subject's tokens, split once for all its lexicons
                    hits[None] = lexscan.Tokens(subject)
                hits[name] = lexscan.occurrences(self.plan.scanned[name], hits[None])
        pattern = compile_regex(lexscan.fill(cr.template, hits), cr.lists)
        if cr.prefilter_template is not None:
            return pattern, compile_regex(lexscan.fill(cr.prefilter_template, hits), cr.lists)
        return pattern, cr.prefilter

    def _worth(self, doc: _Document, cr: CompiledRule, pre, subject: str, deadline: float):
        """The ranges in which the rule can match: all of its scope's, or those its prefilter (`pre`) points
        to (a prefilter that finds nothing spares splitting the text at all)."""
        m = pre.search(subject, timeout=_left(deadline)) if pre is not None else None
        if pre is not None and m is None:
            return
        spans = doc.scope_ranges(subject, cr.rule.scope)
        if pre is None or len(spans) < 2:
            yield from spans
            return
        starts = [lo for lo, _ in spans]
        pos, i = 0, 0
        while i < len(spans):
            if m is None or m.start() < pos:
                m = pre.search(subject, pos, timeout=_left(deadline))
                if m is None:
                    return
            i = max(i, bisect.bisect_right(starts, m.start()) - 1)
            if m.start() >= spans[i][1]:  # between two ranges
                i += 1
                if i < len(spans):
                    pos = spans[i][0]
                continue
            yield spans[i]
            pos = spans[i][1]
            i += 1

    def _fact(self, doc: _Document, cand: Candidate):
        """The candidate's Fact, its field values computed; None (traced) when a value cannot be."""
        cr, m, start, end, text, by_type = cand.cr, cand.m, cand.start, cand.end, doc.text, doc.by_type
        rule = cr.rule
        caps = self._captures[rule.name]
        spans, facts = {}, {}
        for name, fact_type in caps:
            s, e = m.span(name)
            if s < 0:
                continue
            s, e = _trim(text, s, e)
            if s >= e:
                continue
            spans[name] = (s, e)
            if fact_type is not None:
                f = by_type.get(fact_type, {}).get((s, e))
                if f is not None:
                    facts[name] = f
        env = Env(text, spans, facts, doc.published, self.ruleset.lexicons)
        values, field_spans = {}, {}
        try:
            for name, type_ref, fn in self._fields[rule.name]:
                used: list = []
                values[name] = field_value(fn(env, used), type_ref)
                inside = [(s, e) for s, e in used if start <= s and e <= end]  # not context outside the match
                field_spans[name] = (min(s for s, _ in inside), max(e for _, e in inside)) if inside else None
        except NormalizationError as err:
            if doc.out.trace is not None:
                doc.out.trace.append(Failed(rule.name, (start, end), text[start:end], str(err), err.reason))
            return None
        return Fact(rule.fact, rule.name, start, end, text[start:end], values, field_spans, rule.priority, doc.doc_id)
