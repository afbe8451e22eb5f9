"""The reference interpreter: a small, obviously correct backtracking matcher over the pattern IR and the
token definition of tokens.py. It is slow and used only by tests, which require the compiled engine to
find the same matches and captures (tests/test_differential.py).

Semantics mirrored from the compiler: elements start and end on token boundaries; between elements all
white space is skipped unless they are glued (`~`) or the element is a raw regex; quantifiers are greedy and
alternatives are tried in order (so the first match found is the one a backtracking regex finds).
"""
from __future__ import annotations

import functools

import regex

from ..language import nodes as A
from ..language.tokens import WS, in_class, is_boundary, kind, tokenize
from ..language.tree import nullable
from ..language.visit import IRPatternVisitor


class Matcher(IRPatternVisitor):
    """A backtracking matcher over one text: `match(node, p, glued, caps)` yields (end, captures) for every
    way the pattern matches from p, in the order a backtracking regex tries them."""

    def __init__(self, text: str, lexicons=None, facts=None, tokens=None, consumes=None):
        self.text = text
        self.lexicons = lexicons or {}
        self.facts = facts or {}  # type -> {start: end}
        # the NLP pipeline's tokens (annotations.Token) by start: those constraints can test (see `nlp_tokens`);
        # `consumes`: the fact types the rule reads (default: all of `facts`), whose facts hide tokens
        hide = self.facts if consumes is None else {t: self.facts.get(t, {}) for t in consumes}
        self.nlp = nlp_tokens(text, tokens or (), hide)

    # ---- tokens
    def skip(self, p: int, glued: bool) -> int:
        if glued:
            return p
        while p < len(self.text) and WS.match(self.text[p]):
            p += 1
        return p

    def token_at(self, p: int) -> int | None:
        """End of the token starting at p, or None when no token starts at p."""
        t = self.text
        if p >= len(t) or kind(t[p]) == "W" or not is_boundary(t, p):
            return None
        e = p + 1
        while e < len(t) and kind(t[e]) != "W" and not is_boundary(t, e):
            e += 1
        return e

    def tokens(self, p: int, toks, ignore_case: bool, glued: bool):
        """End of the token sequence `toks` ([(text, glued)]) matched from p, or None."""
        for i, (tok, g) in enumerate(toks):
            p = self.skip(p, glued if i == 0 else g)
            e = self.token_at(p)
            if e is None or not _same(self.text[p:e], tok, ignore_case):
                return None
            p = e
        return p

    # ---- patterns: generators of (end, captures)
    def match(self, node, p: int, glued: bool, caps: dict):
        return self.visit(node, p, glued, caps)

    def visit_Lit(self, node, p, glued, caps):
        e = self.tokens(p, _glued_tokens(node.text), node.ignore_case, glued)
        if e is not None:
            yield e, caps

    def visit_TokenClass(self, node, p, glued, caps):
        q = self.skip(p, glued)
        e = self.token_at(q)
        if e is not None and in_class(self.text[q:e], node.name):
            yield e, caps

    def visit_Regex(self, node, p, glued, caps):
        if node.raw:
            m = _compiled(node.source, node.flags, False).match(self.text, p)
        else:
            q = self.skip(p, glued)
            m = _compiled(node.source, node.flags, True).match(self.text, q) if is_boundary(self.text, q) else None
        if m is not None:
            yield m.end(), caps

    def visit_LexRef(self, node, p, glued, caps):
        lex = self.lexicons[node.name]
        ends = set()
        for phrase in lex.phrases:
            e = self.tokens(p, _glued_tokens(phrase), not lex.case_sensitive, glued)
            if e is not None:
                ends.add(e)
        for e in sorted(ends, reverse=True):
            yield e, caps

    def visit_FactRef(self, node, p, glued, caps):
        q = self.skip(p, glued)
        e = self.facts.get(node.type, {}).get(q)
        if e is not None:
            yield e, caps

    def visit_TokenConstraint(self, node, p, glued, caps):
        q = self.skip(p, glued)
        tok = self.nlp.get(q)
        if tok is not None and all(_passes(tok, t) for t in node.tests):
            yield tok.end, caps

    def visit_Seq(self, node, p, glued, caps):
        yield from self.seq(node, 0, p, glued, caps)

    def visit_Alt(self, node, p, glued, caps):
        for b in node.branches:
            yield from self.match(b, p, glued, caps)

    def visit_Repeat(self, node, p, glued, caps):
        yield from self.repeat(node, 0, p, glued, caps)

    def visit_Capture(self, node, p, glued, caps):
        for e, c in self.match(node.item, p, glued, caps):
            yield e, {**c, node.name: (p, e)}

    def visit_Look(self, node, p, glued, caps):
        if node.behind:
            found = self.behind(node.pattern, p)
        else:
            found = next(iter(self.match(node.pattern, p, False, caps)), None) is not None
        if found != node.negate:
            yield p, caps

    def seq(self, node: A.Seq, i: int, p: int, glued: bool, caps):
        if i == len(node.items):
            yield p, caps
            return
        for e, c in self.match(node.items[i], p, node.item_glued(i, glued), caps):
            yield from self.seq(node, i + 1, e, glued, c)

    def repeat(self, node: A.Repeat, count: int, p: int, glued: bool, caps):
        if node.max is None or count < node.max:
            for e, c in self.match(node.item, p, glued if count == 0 else False, caps):
                if e == p:
                    continue
                yield from self.repeat(node, count + 1, e, glued, c)
        if count >= node.min:
            yield p, caps

    def behind(self, pattern, p: int) -> bool:
        for q in range(p, -1, -1):
            for e, _ in self.match(pattern, q, True, {}):
                if e <= p and all(WS.match(c) for c in self.text[e:p]):
                    return True
        return False


def nlp_tokens(text: str, tokens, facts) -> dict:
    """{start: token} of the pipeline's tokens a constraint can test, as the language defines them: a token
    that begins and ends at token boundaries, is not white space, at most 64 characters long, overlaps no
    earlier token and no fact of `facts` ({type: {start: end}}, the facts the rule reads)."""
    taken = [(s, e) for ends in facts.values() for s, e in ends.items()]
    out, last = {}, 0
    for tok in sorted(tokens, key=lambda t: (t.start, t.end)):
        s, e = tok.start, tok.end
        if s < last or not 0 <= s < e <= len(text) or e - s > 64 or WS.match(text[s]):
            continue
        if not (is_boundary(text, s) and is_boundary(text, e)):
            continue
        last = e
        if not any(a < e and s < b for a, b in taken):
            out[s] = tok
    return out


def _passes(tok, test) -> bool:
    value = getattr(tok, test.attr)
    if test.regex:
        inline = "".join(c for c in test.flags if c in "imsx")
        ok = regex.search(f"(?{inline}:{test.value})" if inline else test.value, value, flags=regex.V0) is not None
    else:
        ok = value == test.value
    return ok != test.negate


def _same(a: str, b: str, ignore_case: bool) -> bool:
    if not ignore_case:
        return a == b
    return regex.fullmatch(regex.escape(b), a, flags=regex.IGNORECASE | regex.V0) is not None


# ---- the oracle's own definitions (nothing shared with the compiler but the IR) -------------------------
def _glued_tokens(text: str) -> list[tuple[str, bool]]:
    """The tokens of a literal or phrase by the character-by-character tokenizer, each with whether it
    touches the one before."""
    spans = tokenize(text)
    return [(text[s:e], i > 0 and s == spans[i - 1][1]) for i, (s, e) in enumerate(spans)]


# a token boundary, stated as the token definition says it: between two letters, two digits, a digit and
# `.,/` before a digit, or `.,/` after a digit and a digit, there is none; everywhere else there is one
_AT_BOUNDARY = (r"(?!(?<=[\p{L}\p{M}])[\p{L}\p{M}])(?!(?<=\p{Nd})\p{Nd})"
                r"(?!(?<=\p{Nd})[.,/]\p{Nd})(?!(?<=\p{Nd}[.,/])\p{Nd})")


@functools.lru_cache(maxsize=512)
def _compiled(source: str, flags: str, token: bool):
    """An embedded regex: with its inline flags; a token regex must end at a token boundary."""
    inline = "".join(c for c in flags if c in "imsx")
    body = f"(?{inline}:{source})" if inline else f"(?:{source})"
    return regex.compile(f"(?>{body}{_AT_BOUNDARY})" if token else f"(?>{body})", regex.V0)


class _MayStartAtSpace(IRPatternVisitor):
    """Can a match start at white space? Only when a raw regex may be the first element to consume text."""

    def visit_Lit(self, node):
        return False

    visit_TokenClass = visit_LexRef = visit_FactRef = visit_Look = visit_TokenConstraint = visit_Lit

    def visit_Regex(self, node):
        return node.raw

    def visit_Capture(self, node):
        return self.visit(node.item)

    visit_Repeat = visit_Capture

    def visit_Alt(self, node):
        return any(self.visit(b) for b in node.branches)

    def visit_Seq(self, node):
        for item in node.items:
            if self.visit(item):
                return True
            if not nullable(item):
                return False
        return False


def finditer(pattern, text: str, lo: int = 0, hi: int | None = None, lexicons=None, overlapped=False, facts=None,
             tokens=None):
    """All matches as (start, end, {capture: (start, end)}), spans trimmed of leading white space, the way
    the compiled engine reports them; scanning positions left to right like `regex.finditer`."""
    hi = len(text) if hi is None else hi
    m = Matcher(text[:hi], lexicons, facts, tokens)
    anywhere = _MayStartAtSpace().visit(pattern)  # else a match starts at a token, never at white space
    out = []
    p = lo
    while p <= hi:
        if not anywhere and (p >= hi or WS.match(text[p])):
            p += 1
            continue
        first = next(iter(m.match(pattern, p, True, {})), None)
        if first is None:
            p += 1
            continue
        end, caps = first
        out.append((_trim(text, p, end), {k: _trim(text, s, e) for k, (s, e) in caps.items()}))
        p = p + 1 if overlapped or end == p else end
    return [(s, e, c) for (s, e), c in out]


def _trim(text, s, e):
    while s < e and WS.match(text[s]):
        s += 1
    return s, e
