"""The compiled engine and the reference interpreter find the same matches and captures."""
import regex
from hypothesis import given, strategies as st

from ierun import ir, reference
from ierun.compile import pattern_regex
from ierun.match import capture_names, _trim
from strategies import LEXICONS, patterns, texts

RULESET = ir.RuleSet({}, LEXICONS, (), ())


def compiled_matches(pattern, text, overlapped=False):
    rx = regex.compile(pattern_regex(RULESET, pattern), regex.V0)
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
