"""The compiled engine and the reference interpreter find the same matches and captures."""
import pytest
import regex
from hypothesis import given, strategies as st

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
from ierun.engine import gate  # noqa: E402
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


@needs_hyperscan
@given(patterns(), st.one_of(texts(), UNICODE_TEXT), st.booleans())
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
