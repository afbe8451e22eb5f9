"""Why and why not: what each rule did with a text, in the analyst's terms (`ierun explain`, `RuleSet.explain`).

One `Explanation` per (rule, document), with one of five outcomes:
  matched       the engine emitted the rule's fact (with, per field, the pattern element that set it);
  lost          the rule matched, and overlap resolution kept another rule's fact instead (named, with why);
  value_failed  the rule matched, and a field expression failed (its message);
  skipped       the engine never tried the rule there (no trigger word, no gate candidate, a consumed fact
                type absent, a `once` type already settled, the scope cut the span);
  failed        the rule was tried and did not match: the attempts nearest the point of interest, each with the
                elements matched and the first element that failed (see whynot.py).
matched, lost and value_failed come from the compiled engine's own trace, so they agree with it by
construction; `failed` comes from a tracing walk of the reference interpreter over the IR."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.triggers import FACT_KEY, document_keys, triggers
from ..engine.segments import ranges
from ..engine.trace import Dropped, Failed, Kept
from ..messages import Errors, Message
from .whynot import Attempt, FailedAt, attempts, progress
from .facts_of import candidate_fact, field_sources

OUTCOMES = ("matched", "lost", "failed", "skipped", "value_failed")
NEAR_STARTS = 60  # at a point of interest: the starts tried, those nearest the point (a match rarely spans more)


@dataclass(frozen=True)
class Explanation:
    doc: str | None
    rule: str
    outcome: str
    reason: str
    fact: dict | None = None                 # matched, lost: the fact in the JSON Lines contract
    field_sources: dict = field(default_factory=dict)  # field -> FILE:LINE:COL of the element that set it
    winner: dict | None = None               # lost: {"rule", "start", "end", "text"}
    failed_at: FailedAt | None = None        # failed: the first element that failed on the best attempt
    attempts: tuple[Attempt, ...] = ()       # failed: the attempts nearest the point of interest
    message: str | None = None               # value_failed: the field expression's message
    rule_loc: object = field(default=None, compare=False, repr=False)

    def render(self, indent: str = "") -> str:
        """As text for people (explain_text.py)."""
        from .explain_text import render
        return render(self, indent)

    def as_dict(self) -> dict:
        d = {"doc": self.doc, "rule": self.rule, "outcome": self.outcome, "reason": self.reason}
        if self.fact is not None:
            d["fact"] = self.fact
            d["field_sources"] = self.field_sources
        if self.winner is not None:
            d["winner"] = self.winner
        if self.message is not None:
            d["message"] = self.message
        if self.failed_at is not None:
            d["failed_at"] = self.failed_at.as_dict()
        if self.attempts:
            d["attempts"] = [a.as_dict() for a in self.attempts]
        return d


class ExplainError(ValueError):
    """A request explain cannot answer (an unknown rule, text not found): the message says which; `code` is
    its code in the catalogue (messages.py)."""

    def __init__(self, message: Message | str, code: str | None = None, **values):
        if isinstance(message, Message):
            message, code = message.render(**values)[0], message.code
        super().__init__(message, code)  # (text, code): it pickles
        self.code = code

    def __str__(self) -> str:
        return self.args[0]


def _some(names, n: int = 8) -> str:
    return ", ".join(names[:n]) + (", ..." if len(names) > n else "")


def _overlaps(span, point) -> bool:
    return point is None or (span[0] < point[1] and point[0] < span[1])


def point_of(text: str, at: int | None = None, find: str | None = None):
    """The span of interest: `find`'s first occurrence, or the character at offset `at`, or None."""
    if find is not None:
        i = text.find(find)
        if i < 0:
            raise ExplainError(Errors.EXPLAIN_NOT_FOUND, text=find)
        return (i, i + len(find))
    if at is not None:
        if not 0 <= at <= len(text):
            raise ExplainError(Errors.EXPLAIN_OFFSET, at=at, length=len(text))
        return (at, at + 1)
    return None


def explain(rules, text: str, rule=None, at=None, find: str | None = None, fact_type: str | None = None,
            published=None, doc_id: str | None = None, max_attempts: int = 3, annotations=None) -> list[Explanation]:
    """Explain `rule` (a name or a list of names; default: every rule, or every rule of `fact_type`) on `text`
    at the point of interest (`at`: an offset or a (start, end) span; `find`: the first occurrence of a text;
    neither: the whole text). `annotations`: what an NLP pipeline found in the text (ierun.annotations), for
    rules that declare `uses nlp`: their entity facts show as facts of the rule "nlp"."""
    model = rules.ir
    names = [rule] if isinstance(rule, str) else list(rule or ())
    known = {r.name for r in model.rules}
    for n in names:
        if n not in known:
            raise ExplainError(Errors.EXPLAIN_UNKNOWN_RULE, name=n, known=_some(sorted(known)))
    if fact_type is not None and fact_type not in model.facts:
        raise ExplainError(Errors.EXPLAIN_UNKNOWN_TYPE, name=fact_type, known=_some(sorted(model.facts)))
    point = tuple(at) if isinstance(at, (tuple, list)) else point_of(text, at, find)
    chosen = [r for r in model.rules if (not names or r.name in names) and (fact_type is None or r.fact == fact_type)]
    run = rules.extractor.run(text, published, doc_id, trace=True, include_hidden=True, annotations=annotations)
    ctx = _Context(rules, text, run, published, doc_id, point, max_attempts)
    ctx.tokens = annotations.tokens if annotations is not None else ()
    return [ctx.explain(r) for r in chosen]


class _Context:
    """One document's run, shared by the explanations of all rules."""

    def __init__(self, rules, text, run, published, doc_id, point, max_attempts):
        self.rules, self.model, self.plan = rules, rules.ir, rules.plan
        self.tokens = ()  # an NLP pipeline's tokens, for token constraints (set by `explain`)
        self.text, self.run, self.doc, self.point, self.max_attempts = text, run, doc_id, point, max_attempts
        self.by_type: dict[str, dict] = {}
        for f in run.facts:
            self.by_type.setdefault(f.type, {}).setdefault((f.start, f.end), f)
        pub = self.model.publication
        self.published = published
        if published is None and pub is not None:
            self.published = next((f.fields.get(pub[1]) for f in run.facts if f.type == pub[0] and f.fields.get(pub[1])),
                                  None)
        self._keys = None

    def _nearest(self, items, span=lambda x: x.span):
        if self.point is None:
            return items[0]
        return min(items, key=lambda x: (abs(span(x)[0] - self.point[0]), span(x)[0]))

    def explain(self, rule) -> Explanation:
        name, point = rule.name, self.point
        mine = [f for f in self.run.facts if f.rule == name and _overlaps(f.span, point)]
        base = dict(doc=self.doc, rule=name, rule_loc=rule.loc)
        if mine:
            f = self._nearest(mine)
            _, sources = candidate_fact(self, rule, f.span)
            return Explanation(**base, outcome="matched", reason=f"it matched {f.text!r} at {f.start}-{f.end} "
                               f"and the engine emitted this {rule.fact} fact", fact=f.to_dict(),
                               field_sources=sources or field_sources(rule, None))
        events = [e for e in self.run.trace if e.rule == name and _overlaps(e.span, point)]
        lost = [e for e in events if isinstance(e, Dropped)]
        # kept by overlap resolution (as `all`) but not emitted: the span already holds a fact of the type
        same = [Dropped(e.rule, e.span, e.text, *self._holder(rule, e.span)) for e in events if isinstance(e, Kept)]
        if lost or same:
            e = self._nearest(lost or same)
            return self._lost(rule, e, base, same_span=not lost)
        failed = [e for e in events if isinstance(e, Failed)]
        if failed:
            e = self._nearest(failed)
            return Explanation(**base, outcome="value_failed", message=e.message,
                               reason=f"it matched {e.text!r} at {e.span[0]}-{e.span[1]} but a field value could not "
                               f"be computed: {e.message}")
        why = self._skipped(rule)
        if why is not None:
            return Explanation(**base, outcome="skipped", reason=why)
        return self._failed(rule, base)

    # ---- lost
    def _holder(self, rule, span):
        """The fact kept at `span` (a Kept candidate not emitted: an earlier phase's fact of the same span)."""
        f = self.by_type.get(rule.fact, {}).get(span)
        return (f.rule, f.span) if f is not None else ("?", span)

    def _lost(self, rule, e: Dropped, base, same_span: bool = False) -> Explanation:
        winner = self.model.rule(e.winner) if e.winner in {r.name for r in self.model.rules} else None
        ws, we = e.winner_span
        s, t = e.span
        once = self.model.facts[rule.fact].once
        wp = winner.priority if winner else rule.priority
        if same_span:
            why = f"a span holds one fact of a type, and {e.winner}'s came first"
        elif once and not (ws < t and s < we):
            why = (f"{rule.fact} is a `once` type: only its best fact is kept, and {e.winner}'s ranks first "
                   f"(priority {wp} vs {rule.priority}, then the earlier start)")
        elif wp != rule.priority:
            why = f"{e.winner} has the higher priority ({wp} > {rule.priority})"
        elif we - ws != t - s:
            why = f"{e.winner}'s match is longer ({we - ws} > {t - s} characters)"
        elif ws != s:
            why = f"{e.winner}'s match starts earlier ({ws} < {s})"
        elif e.winner_span == e.span and winner is not None and self.plan.phase_of and \
                self._phase(e.winner) != self._phase(rule.name):
            why = f"{e.winner} ran in an earlier phase and kept the same span"
        else:
            why = f"same priority, length and start: {e.winner} comes first by name"
        fact, sources = candidate_fact(self, rule, e.span)
        wtext = self.text[ws:we]
        return Explanation(**base, outcome="lost", fact=fact or {"doc": self.doc, "type": rule.fact, "rule": rule.name,
                                                                   "start": s, "end": t, "text": e.text},
                           field_sources=sources or field_sources(rule, None),
                           winner={"rule": e.winner, "start": ws, "end": we, "text": wtext},
                           reason=f"it matched {e.text!r} at {s}-{t} and lost overlap resolution to {e.winner} "
                           f"({wtext!r} at {ws}-{we}): {why}")

    def _phase(self, name):
        return next(p for cr, p in zip(self.plan.rules, self.plan.phase_of) if cr.name == name)

    # ---- skipped
    def _skipped(self, rule) -> str | None:
        """Why the engine never ran the rule (or not where the point is), or None."""
        for t in rule.consumes:
            if not self.by_type.get(t):
                return f"it consumes {t} facts and the document has none"
        ft = self.model.facts[rule.fact]
        if ft.once:
            higher = [f for f in self.by_type.get(rule.fact, {}).values() if f.priority > rule.priority]
            if higher:
                return (f"{rule.fact} is a `once` type already settled by {higher[0].rule} (priority "
                        f"{higher[0].priority} > {rule.priority}): rules of lower priority are not run")
        if self.point is not None and rule.scope.kind != "document":
            spans = ranges(self.text, rule.scope.kind, rule.scope.n)
            if not any(lo <= self.point[0] and self.point[1] <= hi for lo, hi in spans):
                return f"its scope ({rule.scope}) cuts the span {self.point[0]}-{self.point[1]}: a match must lie in one"
        return None

    def _prescan(self, rule) -> str | None:
        """Why the engine's pre-scans (trigger words, gate, prefilter) kept it from trying the rule at all, or
        None. These are supersets of the pattern: when one finds nothing, the pattern cannot match either."""
        number = next(i for i, cr in enumerate(self.plan.rules) if cr.name == rule.name)
        cr = self.plan.rules[number]
        keys = cr.trigger if cr.trigger is not None else triggers(self.model, rule.pattern)
        if keys is not None:
            doc_keys = self._doc_keys()
            present = {FACT_KEY + t for t, table in self.by_type.items() if table}
            if not any(k in doc_keys or k in present for k in keys):
                words = sorted(k.replace("\x00", "") for k in keys)
                return (f"none of its trigger words occurs in the document ({', '.join(words[:8])}"
                        f"{', ...' if len(words) > 8 else ''})")
        if cr.gate is not None and not rule.consumes:
            found = self.plan.gates[cr.gate].scan(self.text, None)
            if number not in found:
                return "its gate found no place in the document where it can start"
        pre = cr.prefilter
        if pre is not None and not rule.consumes and pre.search(self.text) is None:
            return "its prefilter (the pattern without look-arounds) finds nothing in the document"
        return None

    def _doc_keys(self):
        if self._keys is None:
            self._keys = document_keys(self.text)
        return self._keys

    # ---- failed
    def _failed(self, rule, base) -> Explanation:
        text, point = self.text, self.point
        spans = ranges(text, rule.scope.kind, rule.scope.n)
        if point is not None:
            spans = [(lo, hi) for lo, hi in spans if lo <= point[0] <= hi][:1] or spans
            lo, hi = spans[0]
            starts_hi = min(point[1], hi)
        facts = {t: {s: e for (s, e) in table} for t, table in self.by_type.items()}
        tried: list[Attempt] = []
        anchored = next(cr.anchored for cr in self.plan.rules if cr.name == rule.name)
        for lo, hi in spans if point is None else [(lo, hi)]:
            end = 1 if anchored else (starts_hi if point is not None else hi)
            tried += attempts(rule.pattern, text[:hi], lo, end, self.model.lexicons, facts,
                              NEAR_STARTS if point is not None else None, self.tokens, rule.consumes)
        # a whole match that does not reach the point is no failure there (and was the engine's to find)
        whole = [a for a in tried if a.failed_at is None and a.end is not None and _overlaps((a.start, a.end), point)]
        if whole:
            a = whole[0]
            return Explanation(**base, outcome="skipped", attempts=(a,),
                               reason=f"the pattern matches {text[a.start:a.end]!r} at {a.start}-{a.end}, but the "
                               f"engine did not try it there (a match of the same rule that starts earlier covers it)")
        tried = [a for a in tried if a.failed_at is not None]
        pre = self._prescan(rule)
        if not tried:
            if pre is not None:
                return Explanation(**base, outcome="skipped", reason=pre)
            return Explanation(**base, outcome="failed", reason="no place in the text where a match can start")
        near = point[0] if point is not None else 0
        tried.sort(key=lambda a: (-(progress(a) - a.start), abs(a.start - near), a.start))
        best = tried[0]
        fa = best.failed_at
        shown = tuple(tried[:self.max_attempts])
        if pre is not None and not best.matched:  # not tried, and no element of it matches here: nothing to show
            return Explanation(**base, outcome="skipped", reason=pre, failed_at=fa, attempts=shown)
        took = "".join(f"{s.element} took {s.text!r}, " for s in best.matched)
        note = f" (the engine did not try it: {pre})" if pre is not None else ""
        return Explanation(**base, outcome="failed", failed_at=fa, attempts=shown,
                           reason=f"from offset {best.start}, {took}then {fa.source} expected {fa.expected} and found "
                           f"{fa.found!r} at offset {fa.offset}{f' ({fa.token})' if fa.token else ''}{note}")


__all__ = ["Explanation", "ExplainError", "OUTCOMES", "explain", "point_of"]
