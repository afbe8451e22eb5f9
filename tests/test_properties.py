"""Invariants of extraction with the example rules, over generated article-like text."""
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from hypothesis import given, strategies as st

import ierun

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def rules():
    return ierun.load(ROOT / "examples" / "rules", use_cache=False)


FRAGMENTS = ["$1.8 billion", "$384.3 million", "US$ 5", "€250", "60 percent", "12 dollars", "1.5 bln euros",
             "said Deputy Minister of Foreign Affairs of Kazakhstan Roman Vasilenko during",
             "Minister of Finance of Ukraine Serhiy Marchenko", "(MENAFN- Trend News Agency) ASTANA, Kazakhstan, October 2.",
             "date 2023-10-02", "Kazakhstan and the UK", ".", ",", "\n", "\n\n", "The", "talks", "ended"]
articles = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=25).map(" ".join)
UNRELATED = ["The weather was mild.", "Talks went on late into the night.", "It rained.",
             "Officials declined to comment on the matter."]


@given(articles)
def test_text_is_the_slice_and_field_spans_lie_inside(text):
    for f in rules().extract(text):
        assert f.text == text[f.start:f.end]
        assert f.text == f.text.lstrip()
        for span in f.field_spans.values():
            if span is not None:
                assert f.start <= span[0] < span[1] <= f.end


@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_unicode(text):
    rules().extract(text)


@given(articles)
def test_deterministic(text):
    assert [f.to_dict() for f in rules().extract(text)] == [f.to_dict() for f in rules().extract(text)]


@given(articles, st.lists(st.sampled_from(UNRELATED), min_size=1, max_size=4))
def test_appending_unrelated_text_keeps_the_facts_of_the_first_part(text, extra):
    def unscoped(facts):
        return [f.to_dict() for f in facts if rules().ir.rule(f.rule).scope.kind != "first"]

    before = unscoped(rules().extract(text, published="2023-10-02"))
    after = unscoped(rules().extract(text + "\n\n" + " ".join(extra), published="2023-10-02"))
    assert after[:len(before)] == before
    assert all(f["start"] >= len(text) for f in after[len(before):])


def test_field_spans_never_point_outside_the_fact(pack):
    # the currency of "4,340" comes from "dlrs" in the context after it, which is not part of the fact
    first = next(f for f in pack.extract("at 4,340, 4,345 and 4,350 dlrs a tonne") if f.start == 3)
    assert first.fields == {"amount": Decimal(4340), "currency": "USD"}
    assert first.field_spans == {"amount": (3, 8), "currency": None}


# ---- the JSON Lines contract: the fast writer gives exactly what json.dumps gives ------------------------
_values = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(),
                    st.decimals(allow_nan=False, allow_infinity=False), st.dates(),
                    st.lists(st.one_of(st.text(), st.decimals(allow_nan=False, allow_infinity=False)), max_size=3))
_spans = st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)))


@given(st.one_of(st.none(), st.text(), st.integers()), st.text(min_size=1), st.text(), st.text(),
       st.dictionaries(st.text(), _values, max_size=4), st.dictionaries(st.text(), _spans, max_size=4),
       st.integers(0, 10**6), st.integers(0, 10**6))
def test_fact_line_is_the_json_of_to_dict(doc, type_, rule, text, fields, spans, start, end):
    from ierun.cli.emit import fact_line, jsonl_line
    from ierun.facts import Fact
    f = Fact(type_, rule, start, end, text, fields, spans, 0, doc)
    assert fact_line(f) == jsonl_line(f.to_dict())
