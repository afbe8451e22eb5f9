"""Fact markers that no document character can imitate: a rule that consumes <Money> reads a masked text in
which each Money fact is a private-use marker character and padding; the document's own characters of that
alphabet are neutralized there, so they never pose as a consumed fact (with the gate and without it)."""
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ierun
from ierun.engine.compile import FACT_PAD, fact_marker

RULES = """
fact Money { amount: decimal }
fact Range { low: decimal? high: decimal }
rule money.dollars -> Money {
    match "$" ~ n:NUMBER
    amount = number(n)
}
rule range.between -> Range {
    match "between" lo:<Money> "and" hi:<Money>
    low = lo.amount
    high = hi.amount
}
"""
ALPHABET = [fact_marker(0), fact_marker(1), FACT_PAD]  # Money's marker, Range's, the padding


@pytest.fixture(scope="module", params=["gate", "no_gate"])
def rules(request):
    old = os.environ.get("IERUN_NO_HYPERSCAN")
    if request.param == "no_gate":
        os.environ["IERUN_NO_HYPERSCAN"] = "1"
    try:
        yield ierun.loads(RULES)
    finally:
        if old is None:
            os.environ.pop("IERUN_NO_HYPERSCAN", None)
        else:
            os.environ["IERUN_NO_HYPERSCAN"] = old


def facts(rules, text):
    return [(f.type, f.start, f.end, f.fields) for f in rules.extract(text)]


@pytest.mark.parametrize("text", ["between \ue000 and $2", "between \ue000\uf8ff and $2",
                                  "between $1\uf8ff and $2", "between \ue000 and \ue000"])
def test_a_private_use_character_is_not_a_fact(rules, text):
    """`between \\ue000 and $2` gave a Range with low=None: the document's \\ue000 posed as a Money fact."""
    assert [f for f in facts(rules, text) if f[0] == "Range"] == []


def test_real_facts_are_still_consumed(rules):
    assert facts(rules, "between $1 and $2 \ue000") == [
        ("Range", 0, 17, {"low": 1, "high": 2}), ("Money", 8, 10, {"amount": 1}), ("Money", 15, 17, {"amount": 2})]


PIECES = st.sampled_from(["between", "and", "$1", "$2", "$30", " ", "  ", "x", *ALPHABET])
SIDE = st.one_of(st.sampled_from(["$1", "$22", "x", ""]), st.text(st.sampled_from(ALPHABET), min_size=1, max_size=3))


@given(st.lists(PIECES, max_size=8), SIDE, SIDE, st.lists(PIECES, max_size=8),
       st.lists(st.tuples(st.integers(0, 200), st.sampled_from(ALPHABET)), max_size=4))
def test_marker_characters_in_a_text_never_make_a_fact(rules, before, low, high, after, inserts):
    """Inserting characters of the marker alphabet anywhere gives the same facts as inserting a neutral
    character of the same kind (one private-use character, not a marker): never a Range from a fake Money."""
    pieces = before + [f" between {low} and {high} "] + after
    text = "".join(pieces)
    for at, c in inserts:
        at = min(at, len(text))
        text = text[:at] + c + text[at:]
    neutral = "".join("\uf8fe" if c in ALPHABET else c for c in text)
    got = facts(rules, text)
    assert got == facts(rules, neutral)
    money = {(s, e) for t, s, e, _ in got if t == "Money"}
    for t, s, e, fields in got:
        if t == "Range":
            assert fields["low"] is not None and fields["high"] is not None
            assert any(s < a and b <= e for a, b in money)
