"""The compiled engine and the reference interpreter find the same matches and captures."""
import pytest
from hypothesis import example, given, strategies as st

from ierun.language import nodes as A
from ierun.language import ir
from ierun.testing import reference
from ierun.engine.compile import compile_pattern, may_start_raw
from ierun.engine.match import capture_names, finditer_at, _trim
from strategies import LEXICONS, VOCAB, patterns, texts

RULESET = ir.RuleModel({}, LEXICONS, (), ())


def compiled_matches(pattern, text, overlapped=False):
    rx = compile_pattern(RULESET, pattern)
    names = [n for n, _ in capture_names(pattern)]
    out = []
    for m in rx.finditer(text, overlapped=overlapped):
        caps = {}
        for n in names:
            s, e = m.span(n)
            if s >= 0:
                caps[n] = _trim(text, s, e)
        out.append((*_trim(text, *m.span()), caps))
    return out


def reference_matches(pattern, text, overlapped=False):
    out = []
    for s, e, caps in reference.finditer(pattern, text, lexicons=LEXICONS, overlapped=overlapped):
        out.append((s, e, caps))
    return out


def _normalize(matches):
    # a capture that took part with an empty span is reported as absent by the engine
    return [(s, e, {k: v for k, v in c.items() if v[0] < v[1]}) for s, e, c in matches]


@given(patterns(), texts())
def test_compiled_equals_reference(pattern, text):
    assert _normalize(compiled_matches(pattern, text)) == _normalize(reference_matches(pattern, text))


@given(patterns(depth=2), texts(), st.just(True))
def test_compiled_equals_reference_overlapped(pattern, text, overlapped):
    got = [(s, e) for s, e, _ in compiled_matches(pattern, text, overlapped)]
    want = [(s, e) for s, e, _ in reference_matches(pattern, text, overlapped)]
    assert got == want


# ---- the gate: Hyperscan finds where a match can start; trying the pattern only there loses nothing ----
from ierun.engine import gate, superset  # noqa: E402
needs_hyperscan = pytest.mark.skipif(gate.hyperscan is None, reason="Hyperscan is not installed")
UNICODE_TEXT = st.lists(st.tuples(st.sampled_from(["", " ", "\u00a0", "\n", "\u2009"]),
                                  st.sampled_from(VOCAB + ["\u212a\u017f", "\u017ft", "\u0130", "İS", "Ks", "«", "€5"])),
                        max_size=14).map(lambda parts: "".join(s + t for s, t in parts))


def gated_matches(pattern, text, overlapped=False):
    g = gate.build(RULESET, [(0, pattern, may_start_raw(pattern))])
    rx = compile_pattern(RULESET, pattern)
    if g is None or 0 not in g.modes:
        return None  # not gated: the full scan runs, as before
    starts = g.scan(text).get(0)
    if starts is None:
        return []
    if starts is True:
        return [m.span() for m in rx.finditer(text, overlapped=overlapped)]
    return [m.span() for m in finditer_at(rx, text, starts, [(0, len(text))], overlapped)]


WORD, NUMBER = A.TokenClass("WORD"), A.TokenClass("NUMBER")
AHEAD_WORD = A.Seq((A.Look(WORD, behind=False, negate=False), WORD), (False, False))  # (?=WORD) WORD


def _glued_to_x(item):
    return A.Seq((A.Lit("x"), item), (False, True))  # "x" ~ item


@needs_hyperscan
@given(patterns(), st.one_of(texts(), UNICODE_TEXT), st.booleans())
@example(A.Seq((A.LexRef("lx"), AHEAD_WORD), (False, True)), "ab a", False)  # found by this test
def test_gated_matching_equals_full_scan(pattern, text, overlapped):
    got = gated_matches(pattern, text, overlapped)
    rx = compile_pattern(RULESET, pattern)
    assert got is None or got == [m.span() for m in rx.finditer(text, overlapped=overlapped)]


@needs_hyperscan
@given(patterns(), UNICODE_TEXT)
def test_gated_matching_equals_reference(pattern, text):
    got = gated_matches(pattern, text)
    want = [(s, e) for s, e, _ in reference_matches(pattern, text)]
    assert got is None or [_trim(text, s, e) for s, e in got] == want


@needs_hyperscan
@pytest.mark.parametrize("pattern, text, want", [
    (A.Lit("ks", True), "a \u212a\u017f b KS", [(2, 4), (7, 9)]),      # KELVIN SIGN and LONG S fold to k, s
    (A.Lit("\u212a", True), "k K x", [(0, 1), (2, 3)]),                 # and the other way round
    (A.Seq((A.Lit("é"), A.TokenClass("NUMBER")), (False, False)), "é\u00a05 è 5", [(0, 3)]),
    (A.Seq((A.TokenClass("CAPWORD"), A.Lit("$")), (False, True)), "Ünïcode$ x$", [(0, 8)]),
])
def test_gate_keeps_non_ascii_matches(pattern, text, want):
    assert gated_matches(pattern, text) == want


# A look-around keeps no glue for the element after it: `"x" ~ ((?=WORD) WORD)` compiles to
# `x(?:(?=\s*+WORD)\s*+WORD)`, which matches "x a". The gate's pattern, with the look-around dropped, glued
# that WORD to "x" and lost the match (the gate must accept every text the rule's regex matches).
@needs_hyperscan
@pytest.mark.parametrize("pattern, text, want", [
    pytest.param(A.Seq((A.LexRef("lx"), AHEAD_WORD), (False, True)), "ab a", [(0, 4)], id="found"),
    pytest.param(_glued_to_x(AHEAD_WORD), "x a", [(0, 3)], id="ahead"),
    pytest.param(_glued_to_x(A.Seq((A.Look(WORD, behind=True, negate=False), WORD), (False, False))), "x a",
                 [(0, 3)], id="behind"),
    pytest.param(_glued_to_x(A.Seq((A.Look(NUMBER, behind=False, negate=True), WORD), (False, False))), "x a",
                 [(0, 3)], id="negated-ahead"),
    pytest.param(_glued_to_x(A.Seq((A.Look(NUMBER, behind=True, negate=True), WORD), (False, False))), "x a",
                 [(0, 3)], id="negated-behind"),
    pytest.param(_glued_to_x(A.Seq((A.Look(WORD, False, False), A.Look(WORD, True, False), WORD), (False,) * 3)),
                 "x a", [(0, 3)], id="two-looks"),
    pytest.param(_glued_to_x(A.Seq((AHEAD_WORD,), (False,))), "x a", [(0, 3)], id="nested-seq"),
    pytest.param(_glued_to_x(A.Alt((AHEAD_WORD, NUMBER))), "x a", [(0, 3)], id="alternative"),
    pytest.param(_glued_to_x(A.Capture("c", AHEAD_WORD)), "x a", [(0, 3)], id="capture"),
    pytest.param(_glued_to_x(A.Repeat(AHEAD_WORD, 1, 2)), "x a b", [(0, 5)], id="glued-repeat"),
    pytest.param(A.Seq((A.Lit("x"), A.Repeat(AHEAD_WORD, 0, 1), A.Lit("!")), (False, True, True)), "x a!",
                 [(0, 4)], id="optional-glued-repeat"),
])
def test_gate_keeps_the_gap_a_look_around_holds(pattern, text, want):
    assert [m.span() for m in compile_pattern(RULESET, pattern).finditer(text)] == want  # the full scan
    assert gated_matches(pattern, text) == want


@needs_hyperscan
@pytest.mark.parametrize("pattern, text, want", [
    (AHEAD_WORD, "a b", [(0, 1), (2, 3)]),
    (A.Seq((A.Look(NUMBER, behind=True, negate=True), AHEAD_WORD, NUMBER), (False, True, False)), "a 5 b", [(0, 3)]),
])
def test_after_look_arounds_at_its_start_a_match_still_starts_at_a_word(pattern, text, want):
    """At the start of a match a gap is empty: the gate's pattern still requires no letter before the word
    (it reports token starts, not every position)."""
    assert superset.superset_pattern(RULESET, pattern).endswith("[^A-Za-z]")
    assert gated_matches(pattern, text) == want
