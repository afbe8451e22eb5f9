"""An NLP pipeline's annotations in a run: entity facts, the error for a missing pipeline, the note for the
optional rules skipped without one.

Entity facts: each entity whose label the rules declare (`uses nlp entities PERSON`) is a fact of that type,
span exact, fields text (white space folded, as a capture's text) and label, made before the first phase and
masked for the rules that consume it like any consumed fact. Entities of one label that overlap are resolved
as spaCy's `filter_spans` does: the longest first, then the one that starts first; the others are dropped
(a consumed fact is masked as one marker, so two overlapping ones of a type cannot both be read)."""
from __future__ import annotations

import bisect
import functools
import re

import regex

from ..errors import Diagnostic, IerunError, diagnostic
from ..facts import Fact
from ..messages import Errors
from ..language.tokens import WS, is_boundary
from ..language.nlp import MAX_CONSTRAINTS
from ..language.tree import regex_flags

NEUTRAL = "\uf8fe"  # as match.NEUTRAL: a document's own mark characters become this one

ENTITY_RULE = "nlp"  # the `rule` of an entity fact


class NlpMissing(IerunError):
    """The rules need an NLP pipeline and the run was given no annotations (E202: the declaration's place)."""


def describe(needs) -> str:
    """What the rules need, in words: "entities PERSON, ORG and tokens"."""
    parts = []
    if needs.entities:
        parts.append("entities " + ", ".join(sorted(needs.entities)))
    if needs.tokens:
        parts.append("tokens")
    return " and ".join(parts) or "a pipeline"


def missing(needs) -> NlpMissing:
    """The error for running rules that need a pipeline without one (the CLI shows it at start-up)."""
    return NlpMissing([diagnostic(Errors.NLP_MISSING, needs.loc, what=describe(needs))])


def skipped_note(needs) -> Diagnostic:
    """The one note of a run whose optional NLP rules were skipped (no pipeline given)."""
    rules = needs.rules
    shown = ", ".join(rules[:3]) + (f" and {len(rules) - 3} more" if len(rules) > 3 else "")
    return diagnostic(Errors.NLP_SKIPPED, needs.loc, n=len(rules), s="s" if len(rules) != 1 else "",
                      rules=shown or "none")


def filter_spans(spans):
    """Non-overlapping spans: the longest first, then the earliest (spaCy's `util.filter_spans` policy)."""
    kept, taken = [], []
    for s, e in sorted(set(spans), key=lambda se: (-(se[1] - se[0]), se[0])):
        if all(e <= a or b <= s for a, b in taken):
            kept.append((s, e))
            taken.append((s, e))
    return sorted(kept)


def entity_facts(text: str, annotations, labels, doc_id: str | None) -> dict[str, dict[tuple[int, int], Fact]]:
    """{label: {span: Fact}} for the entities whose label is in `labels` (overlaps resolved: filter_spans)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for ent in annotations.entities:
        if ent.label in labels and 0 <= ent.start < ent.end <= len(text):
            spans.setdefault(ent.label, []).append((ent.start, ent.end))
    out = {}
    for label, found in spans.items():
        table = out[label] = {}
        for s, e in filter_spans(found):
            value = " ".join(text[s:e].split())
            table[(s, e)] = Fact(label, ENTITY_RULE, s, e, text[s:e], {"text": value, "label": label},
                                 {"text": (s, e), "label": None}, 0, doc_id)
    return out


# ---- token constraints: marks before the tokens that pass them -----------------------------------------------
# A rule with token constraints C0..Ck-1 (nlp.constraints: at most MAX_CONSTRAINTS) reads the document with a
# two-character mark inserted before each pipeline token that passes at least one of them: the set of those it
# passes (a bit mask, MASK0 + mask) and the token's length (LEN0 + length). `[pos=PROPN]` compiles to "a mark
# whose mask has its bit, then exactly as many characters as the mark says"; every other element of such a rule
# lets a mark stand before each of its tokens (MARK_OPT), so literals, token classes and lexicons read the
# marked tokens' characters as before. Offsets are mapped back to the document's (`Marked.orig`). A pipeline
# token is tested only where it starts and ends at ierun's token boundaries (spaCy's "do|n't" is not; "U.S."
# and "Apple|'s" are), is at most MAX_TOKEN characters long and lies outside the facts the rule consumes.
MASK0, LEN0 = 0xF0000, 0xF1000  # private use characters (plane 15): no document character poses as one
MAX_TOKEN = 64
_MASKS = f"{chr(MASK0 + 1)}-{chr(MASK0 + (1 << MAX_CONSTRAINTS) - 1)}"
_LENGTHS = f"{chr(LEN0 + 1)}-{chr(LEN0 + MAX_TOKEN)}"
MARK_OPT = f"(?:[{_MASKS}][{_LENGTHS}])?+"  # possessive: a token's mark is never read as its own character
MARK_OPT_BEHIND = MARK_OPT[:-1]  # inside a look-behind (matched right to left) the plain form
NOT_IN_MARK = f"(?![{_LENGTHS}])(?<![{_LENGTHS}])"  # a match starts at a mark or outside one, never inside
_PLANE15 = re.compile("[\U000F0000-\U000FFFFD]")


def token_regex(bit: int) -> str:
    """The regex for the constraint of bit `bit`: a mark with that bit, then the token it stands before."""
    masks = "".join(chr(MASK0 + m) for m in range(1, 1 << MAX_CONSTRAINTS) if m >> bit & 1)
    lengths = "|".join(f"{chr(LEN0 + n)}(?s:.{{{n}}})" for n in range(1, MAX_TOKEN + 1))
    return f"(?:[{masks}](?:{lengths}))"


def passes(token, c) -> bool:
    """Does the token pass every test of the constraint (`[pos=PROPN & lemma!="mr"]`)?"""
    for t in c.tests:
        value = getattr(token, t.attr)
        ok = _search(t.value, t.flags, value) if t.regex else value == t.value
        if ok == t.negate:
            return False
    return True


@functools.lru_cache(maxsize=1024)
def _compiled(source: str, flags: str):
    return regex.compile(source, regex_flags(flags))


def _search(source: str, flags: str, value: str) -> bool:
    return _compiled(source, flags).search(value) is not None


def testable(text: str, tokens) -> list:
    """The pipeline's tokens that constraints can test: inside the text, not white space, at most MAX_TOKEN
    long, starting and ending at ierun's token boundaries, not overlapping an earlier one."""
    out, pos = [], 0
    for tok in sorted(tokens, key=lambda t: (t.start, t.end)):
        s, e = tok.start, tok.end
        if s < pos or not (0 <= s < e <= len(text)) or e - s > MAX_TOKEN or WS.match(text[s]):
            continue
        if is_boundary(text, s) and is_boundary(text, e):
            out.append(tok)
            pos = e
    return out


class Marked:
    """A subject with marks before the tokens that pass a rule's constraints: `text`, and `orig[i]`, the
    document offset of position i (a mark maps to the token it stands before)."""

    __slots__ = ("text", "orig", "inserted")

    def __init__(self, subject: str, tokens, cons, skip_spans=()):
        subject = _PLANE15.sub(NEUTRAL, subject) if _PLANE15.search(subject) else subject
        spans = _merged(skip_spans)
        starts = [s for s, _ in spans]
        parts, orig, self.inserted, pos = [], [], [], 0
        for tok in tokens:
            mask = 0
            for bit, c in enumerate(cons):
                if passes(tok, c):
                    mask |= 1 << bit
            if not mask or _overlaps(spans, starts, tok.start, tok.end):
                continue
            parts.append(subject[pos:tok.start])
            orig.extend(range(pos, tok.start))
            parts.append(chr(MASK0 + mask) + chr(LEN0 + tok.end - tok.start))
            orig.extend((tok.start, tok.start))
            self.inserted.append(tok.start)
            pos = tok.start
        parts.append(subject[pos:])
        orig.extend(range(pos, len(subject) + 1))
        self.text, self.orig = "".join(parts), orig

    def at(self, offset: int) -> int:
        """The position in the marked text of the document's `offset` (before the mark standing there)."""
        return offset + 2 * bisect.bisect_left(self.inserted, offset)


def _merged(spans) -> list[tuple[int, int]]:
    """The spans merged into disjoint ones, in order."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _overlaps(spans, starts, s: int, e: int) -> bool:
    """Does [s, e) overlap one of the disjoint, ordered `spans`? (Only the last that starts before e can.)"""
    i = bisect.bisect_left(starts, e)
    return i > 0 and spans[i - 1][1] > s


class MappedMatch:
    """A match in a marked text, its spans given as the document's offsets."""

    __slots__ = ("m", "orig")

    def __init__(self, m, orig):
        self.m, self.orig = m, orig

    def span(self, group=0):
        s, e = self.m.span(group)
        return (-1, -1) if s < 0 else (self.orig[s], self.orig[e])
