"""Why a rule did not match: a tracing walk of the reference interpreter over the rule's pattern (the IR, the
tree the analyst wrote), from each start near the point of interest. An attempt records the elements that
matched on the path that got farthest and the first element that failed there: where it is in the rule file,
what it expected and what the text holds at that offset (the "farthest failure" a PEG parser reports)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from ..language import nodes as A
from ..language.printer import pattern_ie
from ..language.tokens import WS
from .reference import Matcher, _glued_tokens, _MayStartAtSpace  # (same stage)

_ATOMS = (A.Lit, A.TokenClass, A.Regex, A.LexRef, A.FactRef, A.TokenConstraint)
MAX_STEPS = 20_000  # element tries per attempt: a pathological pattern is cut off, never hangs
LOOK_BEHIND = 200   # characters a look-behind looks back (the reference looks back to the start of the text)


@functools.lru_cache(maxsize=4096)
def _tokens(text: str):
    return _glued_tokens(text)


_FIRST: dict = {}


def _by_first(lex) -> dict:
    """A lexicon's phrases by their first token, case-folded."""
    key = id(lex)
    got = _FIRST.get(key)
    if got is None or got[0] is not lex:
        index: dict = {}
        for phrase in lex.phrases:
            toks = _tokens(phrase)
            if toks:
                index.setdefault(toks[0][0].casefold(), []).append(phrase)
        got = _FIRST[key] = (lex, index)
    return got[1]


@dataclass(frozen=True, slots=True)
class Step:
    """A pattern element that matched: where it is in the rule file and the text it took."""

    source: str
    element: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return {"source": self.source, "element": self.element, "start": self.start, "end": self.end,
                "text": self.text}


@dataclass(frozen=True, slots=True)
class FailedAt:
    """The first element that failed on the attempt's farthest path."""

    source: str
    offset: int
    expected: str
    found: str
    loc: object = None  # the element's Loc (for the caret in text output)
    token: str = ""     # for a token test: what the pipeline's token there holds (or that there is none)

    def as_dict(self) -> dict:
        out = {"source": self.source, "offset": self.offset, "expected": self.expected, "found": self.found}
        return {**out, "token": self.token} if self.token else out


@dataclass(frozen=True, slots=True)
class Attempt:
    start: int
    matched: tuple[Step, ...]
    failed_at: FailedAt | None  # None: the pattern matched from `start` (up to `end`)
    end: int | None = None

    def as_dict(self) -> dict:
        d = {"start": self.start, "matched": [s.as_dict() for s in self.matched]}
        if self.failed_at is not None:
            d["failed_at"] = self.failed_at.as_dict()
        else:
            d["end"] = self.end
        return d


def describe(node) -> str:
    """What an element expects, in the analyst's terms."""
    written = pattern_ie(node)
    if isinstance(node, A.Lit):
        return f"the literal {written}"
    if isinstance(node, A.TokenClass):
        return f"a {node.name} token"
    if isinstance(node, A.LexRef):
        return f"a phrase of lexicon {written}"
    if isinstance(node, A.FactRef):
        return f"a {node.type} fact"
    if isinstance(node, A.Regex):
        return f"text matching the regex {written}"
    if isinstance(node, A.Look):
        verb = {(False, False): "followed by", (False, True): "not followed by",
                (True, False): "preceded by", (True, True): "not preceded by"}[(node.behind, node.negate)]
        return f"{verb} {pattern_ie(node.pattern)} (look-around {written})"
    return written


class _Stop(Exception):
    pass


class TracingMatcher(Matcher):
    """The reference matcher, recording the path of matched elements and the farthest failure."""

    def __init__(self, text: str, lexicons=None, facts=None, tokens=None, consumes=None):
        super().__init__(text, lexicons, facts, tokens, consumes)
        self.memo: dict = {}  # (element, offset, glued) -> the ends it matches to (the text does not change)
        self.reset()

    def reset(self):
        self.path: list[tuple] = []       # (node, start, end) of the elements matched on the current path
        self.best = None                   # (offset, node, path snapshot) of the farthest failure
        self.quiet = 0                     # > 0 inside a look-around's own pattern
        self.steps = 0

    def _fail(self, node, q: int):
        if self.best is None or q > self.best[0]:
            self.best = (q, node, tuple(self.path))

    def match(self, node, p, glued, caps):
        if not isinstance(node, _ATOMS + (A.Look,)):
            yield from self.visit(node, p, glued, caps)
            return
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Stop
        key = (id(node), p, glued)
        ends = self.memo.get(key)
        if ends is None:
            self.quiet += 1
            try:
                ends = self.memo[key] = [e for e, _ in self.visit(node, p, glued, {})]
            finally:
                self.quiet -= 1
        if self.quiet:  # inside a look-around: matched, not traced
            for e in ends:
                yield e, caps
            return
        q = p if isinstance(node, A.Look) or isinstance(node, A.Regex) and node.raw else self.skip(p, glued)
        path = self.path  # the list of this attempt (a generator closed later pops from its own)
        for e in ends:
            path.append((node, q, e))
            try:
                yield e, caps
            finally:
                path.pop()
        if not ends:
            self._fail(node, q)

    # faster atoms than the reference's (same results): phrases tokenized once, looked up by their first token
    def visit_Lit(self, node, p, glued, caps):
        e = self.tokens(p, _tokens(node.text), node.ignore_case, glued)
        if e is not None:
            yield e, caps

    def visit_LexRef(self, node, p, glued, caps):
        lex = self.lexicons[node.name]
        q = self.skip(p, glued)
        t = self.token_at(q)
        if t is None:
            return
        ends = set()
        for phrase in _by_first(lex).get(self.text[q:t].casefold(), ()):
            e = self.tokens(p, _tokens(phrase), not lex.case_sensitive, glued)
            if e is not None:
                ends.add(e)
        for e in sorted(ends, reverse=True):
            yield e, caps

    def behind(self, pattern, p: int) -> bool:
        for q in range(p, max(-1, p - LOOK_BEHIND), -1):
            for e, _ in self.visit(pattern, q, True, {}):
                if e <= p and all(WS.match(c) for c in self.text[e:p]):
                    return True
        return False

    def found_at(self, q: int) -> str:
        """What the text holds at q: the token there, white space, or the end of the text."""
        t = self.text
        if q >= len(t):
            return "end of text"
        if WS.match(t[q]):
            return "white space"
        e = self.token_at(q)
        return t[q:e] if e is not None else t[q]

    def attempt(self, pattern, start: int) -> Attempt:
        self.reset()
        steps = ()
        gen = self.match(pattern, start, True, {})
        try:
            first = next(gen, None)
            if first is not None:
                steps = tuple(self.path)
        except _Stop:
            first = None
        finally:
            gen.close()
        if first is not None:
            return Attempt(start, self._steps(steps), None, first[0])
        if self.best is None:
            return Attempt(start, (), None, None)
        q, node, path = self.best
        loc = getattr(node, "loc", None)
        found = self.found_at(q)
        token = self._pipeline_token(q) if isinstance(node, A.TokenConstraint) and found not in (
            "end of text", "white space") else ""
        failed = FailedAt(str(loc) if loc else "?", q, describe(node), found, loc, token)
        return Attempt(start, self._steps(path), failed)

    def _pipeline_token(self, q: int) -> str:
        """What a token test read at q: the pipeline token's attributes, or why there is none to test."""
        tok = self.nlp.get(q)
        if tok is None:
            return "no pipeline token a test can read starts here (none, or one that ends inside a word)"
        return "the pipeline's token there has " + ", ".join(f"{a}={getattr(tok, a) or '-'}" for a in ("pos", "tag", "lemma"))

    def _steps(self, path) -> tuple[Step, ...]:
        out = []
        for node, s, e in path:
            if isinstance(node, A.Look):
                continue
            loc = getattr(node, "loc", None)
            out.append(Step(str(loc) if loc else "?", pattern_ie(node), s, e, self.text[s:e]))
        return tuple(out)


def starts(text: str, pattern, lo: int, hi: int) -> list[int]:
    """Where an attempt can start in [lo, hi): at a token (or anywhere, for a pattern led by a raw regex)."""
    anywhere = _MayStartAtSpace().visit(pattern)
    m = Matcher(text)
    return [p for p in range(lo, min(hi, len(text) + 1))
            if anywhere or (p < len(text) and not WS.match(text[p]) and m.token_at(p) is not None)]


def attempts(pattern, text: str, lo: int, hi: int, lexicons=None, facts=None, limit_starts: int | None = None,
             tokens=None, consumes=None) -> list[Attempt]:
    """An attempt from every start in [lo, hi) (at most `limit_starts`, the last ones: those nearest hi);
    `tokens`: an NLP pipeline's, for token constraints (hidden inside the facts of the `consumes` types)."""
    tm = TracingMatcher(text, lexicons, facts, tokens, consumes)
    found = starts(text, pattern, lo, hi)
    return [tm.attempt(pattern, p) for p in (found[-limit_starts:] if limit_starts else found)]


def progress(a: Attempt) -> int:
    """How far an attempt got: the offset where it failed (or ended)."""
    if a.failed_at is None:
        return a.end if a.end is not None else a.start
    return a.failed_at.offset
