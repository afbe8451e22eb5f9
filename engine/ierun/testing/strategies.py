"""Hypothesis strategies derived from rules, for analysts' property tests (needs `pip install ierun[test]`).

    from hypothesis import given
    from ierun.testing import texts_matching
    rules = ierun.load("rules")

    @given(texts_matching(rules, "money.symbol_amount", context=True))
    def test_symbol_amounts_are_found(text):
        assert any(f.rule == "money.symbol_amount" for f in rules.extract(text))

What is specific to one fact type (how newswire writes money or a dateline) lives beside that type's rules, in
`rules/<folder>/render.py`: `ierun.testing.rule_helpers("money")` loads it.

Strategies are built from the rule model: literals, lexicon entries, token classes, embedded regexes,
quantifiers, alternatives; a positive look-around contributes its own text beside the match; a `<Fact>`
element is filled with a text that a rule emitting that fact type matches.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import regex
from hypothesis import strategies as st

from ..language import nodes as A
from ..language.currency import CURRENT
from ..language.visit import IRPatternVisitor

_CLASS = {
    "NUMBER": st.from_regex(r"[1-9][0-9]{0,2}(,[0-9]{3}){0,2}(\.[0-9]{1,2})?", fullmatch=True),
    "WORD": st.from_regex(r"[a-z][a-z]{1,7}", fullmatch=True),
    "CAPWORD": st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True),
    "ALLCAPS": st.from_regex(r"[A-Z]{2,8}", fullmatch=True),
    "LOWER": st.from_regex(r"[a-z]{2,8}", fullmatch=True),
    "PUNCT": st.sampled_from([",", ";", ":", "(", ")", "-", "!"]),
}
_CLASS["TOKEN"] = st.one_of(_CLASS["WORD"], _CLASS["NUMBER"], _CLASS["PUNCT"])
_FILLER = st.sampled_from(["It rained", "Officials met on Monday", "The talks went on", "Shares were mixed"])


# Unicode properties drawn from their ASCII part: a subset of what they accept, so the drawn texts still pass
_ASCII_PROPERTIES = {"Lu": "A-Z", "Ll": "a-z", "L": "A-Za-z", "N": "0-9", "Nd": "0-9", "M": ""}


def _ascii_source(source: str) -> str | None:
    """The regex with each \\p{..} of _ASCII_PROPERTIES as ASCII ranges (inside a class or as one), else None."""
    out, i, in_class = [], 0, False
    while i < len(source):
        c = source[i]
        if c == "\\" and source.startswith("p{", i + 1):
            end = source.find("}", i)
            ranges = _ASCII_PROPERTIES.get(source[i + 3:end])
            if ranges is None or not (ranges or in_class):
                return None
            out.append(ranges if in_class else f"[{ranges}]")
            i = end + 1
            continue
        if c == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        in_class = (in_class and c != "]") or (not in_class and c == "[")
        out.append(c)
        i += 1
    return "".join(out)


def _regex_strategy(node: A.Regex):
    flags = "".join(c for c in node.flags if c in "imsx")
    source = f"(?{flags}:{node.source})" if flags else node.source
    rx = regex.compile(source)
    try:
        re.compile(source)
        base = st.from_regex(source, fullmatch=True)
    except re.error:  # regex-module syntax (\p{..}): its ASCII part, else text kept when the pattern accepts it
        ascii_source = _ascii_source(source)
        try:
            re.compile(ascii_source or "(")
            base = st.from_regex(ascii_source, fullmatch=True) | st.text(min_size=1, max_size=8)
        except re.error:
            base = st.text(min_size=1, max_size=8)
    # the two engines disagree on a few characters (\s and \x1f): keep what ierun's engine accepts
    return base.filter(lambda s: rx.fullmatch(s) is not None)


_GLUE = "\x00"  # marks a generated piece that must touch the piece before it


def _join(parts):
    """Join generated pieces: (text, glued) pairs; a space between pieces that are not glued."""
    out, lead = "", False
    for text, glued in parts:
        if text.startswith(_GLUE):
            text, glued = text[1:], True
        if not text:
            continue
        if not out:
            out, lead = text, glued
        else:
            out += text if glued else " " + text
    return (_GLUE if lead else "") + out


class _TextStrategy(IRPatternVisitor):
    """Pattern IR -> a Hypothesis strategy of texts it matches (by structure)."""

    def __init__(self, rules, depth: int = 0):
        self.rules = rules
        self.ir = rules.ir
        self.depth = depth

    def fact_text(self, type_name: str):
        emitting = [r for r in self.ir.rules if r.fact == type_name and not r.consumes]
        emitting = emitting or [r for r in self.ir.rules if r.fact == type_name]
        if not emitting or self.depth > 3:
            return st.nothing()
        sub = _TextStrategy(self.rules, self.depth + 1)
        return st.one_of([sub.build(r.pattern) for r in emitting])

    def build(self, node):
        """A strategy of texts for node (strings)."""
        return self.visit(node)

    def visit_Lit(self, node):
        return st.just(node.text) if not node.ignore_case else st.sampled_from(
            [node.text, node.text.lower(), node.text.upper()])

    def visit_TokenClass(self, node):
        return _CLASS[node.name]

    def visit_Regex(self, node):
        return _regex_strategy(node)

    def visit_LexRef(self, node):
        return st.sampled_from(sorted(self.ir.lexicons[node.name].phrases))

    def visit_FactRef(self, node):
        return self.fact_text(node.type)

    def visit_TokenConstraint(self, node):
        return st.nothing()  # what passes depends on the NLP pipeline, not on the text

    def visit_Capture(self, node):
        return self.build(node.item)

    def visit_Alt(self, node):
        return st.one_of([self.build(b) for b in node.branches])

    def visit_Repeat(self, node):
        hi = node.min + 2 if node.max is None else min(node.max, node.min + 2)
        return st.lists(self.build(node.item), min_size=node.min, max_size=hi).map(
            lambda xs: _join((x, False) for x in xs))

    def visit_Look(self, node):
        # positive context is written out beside the match; negative context is left out (the rule
        # check in texts_matching keeps only the texts that satisfy all context)
        return st.just("") if node.negate else self.build(node.pattern)

    def visit_Seq(self, node):
        return st.tuples(*[self.build(i) for i in node.items]).map(lambda xs: _join(zip(xs, node.glued)))


def rule_matches(rules, rule_name: str, text: str, published=dt.date(2024, 1, 2)) -> bool:
    """Did the rule match in text (its fact kept, hidden by an overlapping one, or dropped because a value
    could not be built)? The whole pipeline runs, so scopes and consumed facts count."""
    from ..annotations import Annotations
    none = Annotations() if rules.plan.nlp_needs is not None else None  # rules needing a pipeline find nothing
    trace = rules.extractor.run(text, published, trace=True, include_hidden=True, annotations=none).trace
    return any(event.rule == rule_name for event in trace)


def texts_matching(rules, rule_or_pattern, context: bool = False):
    """Texts that a rule (by name) or a pattern accepts, built from the pattern's structure; with context=True
    embedded between unrelated sentences. For a rule, a drawn text is kept only when the rule matches it: a
    structure cannot promise what look-arounds, scopes or tokens glued into one word decide."""
    name = rule_or_pattern if isinstance(rule_or_pattern, str) else None
    pattern = rules.ir.rule(name).pattern if name else rule_or_pattern
    body = _TextStrategy(rules).build(pattern).map(lambda s: s.replace(_GLUE, ""))
    if context:
        body = st.tuples(_FILLER, body, _FILLER).map(lambda t: f"{t[0]}.\n\n{t[1]} . {t[2]}.")
    if name:
        body = body.filter(lambda text: rule_matches(rules, name, text))
    return body


# ---- values and renderers ------------------------------------------------------------------------
def amounts(min_value=Decimal("0.01"), max_value=Decimal(10) ** 13):
    """Exact amounts with at most two decimals."""
    return st.decimals(min_value=min_value, max_value=max_value, places=2, allow_nan=False, allow_infinity=False)


def facts(rules, type_name: str):
    """Valid field values of a fact type: a dict field -> value (optional fields sometimes None)."""
    ft = rules.ir.facts[type_name]
    by_type = {
        "str": st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?", fullmatch=True),
        "int": st.integers(-10**6, 10**6),
        "decimal": amounts(),
        "date": st.dates(dt.date(1950, 1, 1), dt.date(2050, 12, 31)),
        "currency": st.sampled_from(sorted(CURRENT)),
        "bool": st.booleans(),
    }
    fields = {}
    for f in ft.fields:
        s = by_type[f.type.name]
        if f.type.is_list:
            s = st.lists(s, max_size=3)
        fields[f.name] = st.one_of(st.none(), s) if f.type.optional else s
    return st.fixed_dictionaries(fields)
