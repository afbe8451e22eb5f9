"""The Hypothesis strategies derived from rules, and properties of the default pack built on them."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ierun.testing import facts, rule_helpers, rule_matches, texts_matching

ROOT = Path(__file__).resolve().parent.parent


from packs import pack, rules_without_nlp

# what is specific to Money and Dateline lives beside their rules (rules/money/render.py, ...)
money_texts = rule_helpers("money").money_texts
render_dateline = rule_helpers("dateline").render_dateline

RULES = rules_without_nlp()  # drawn texts carry no NLP annotations


@pytest.mark.parametrize("rule", RULES)
def test_texts_matching_are_matched_by_their_rule(rule):
    seen = []

    # texts_matching keeps only drawn texts that the rule matches; for rules whose context decides a lot
    # (titles between look-arounds) many draws are discarded, which is expected here
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(texts_matching(pack(), rule))
    def check(text):
        assert rule_matches(pack(), rule, text), text
        seen.append(text)
    check()
    assert seen  # the strategy produced texts (an unsatisfiable filter fails the test)


@given(money_texts())
def test_money_round_trip(case):
    text, amount, amount_max, currency = case
    got = [(f.fields["amount"], f.fields.get("amount_max"), f.fields.get("currency"))
           for f in pack().extract(f"The deal was worth {text} on Monday.") if f.type == "Money"]
    assert got == [(amount, amount_max, currency)], text


@given(st.integers(1, 99))
def test_percent_is_never_money(n):
    assert not [f for f in pack().extract(f"Profits rose {n} percent and {n} pct.") if f.type == "Money"]


@given(st.sampled_from(["LONDON", "NEW YORK", "PORTLAND, Ore."]), st.dates(dt.date(1987, 1, 1), dt.date(2013, 12, 31)),
       st.sampled_from(["reuters87", "reuters", "xinhua"]), st.integers(0, 40))
def test_dateline_round_trip_with_year_inference(location, date, style, days_later):
    published = date + dt.timedelta(days=days_later % 4)  # Dec 30 published on Jan 2: the year before
    line = render_dateline(location, date, "Reuters" if style == "reuters" else "Xinhua", style)
    text = f"Headline of the story\n\n{line} Officials said on Monday."
    lines = [f.fields for f in pack().extract(text, published=published) if f.type == "Dateline"]
    assert lines and lines[0]["location"] == location and lines[0]["date"] == date, (text, published)


@given(st.deferred(lambda: facts(pack(), "Money")))
def test_fact_values_type_check(values):
    assert isinstance(values["amount"], Decimal)
    assert values["currency"] is None or len(values["currency"]) == 3


@given(money_texts())
def test_money_followed_by_percent_context_is_still_money(case):
    text, amount, amount_max, currency = case
    found = [f for f in pack().extract(f"It paid {text}, 5 percent more than a year ago.") if f.type == "Money"]
    assert [(f.fields["amount"], f.fields.get("amount_max"), f.fields["currency"]) for f in found] == \
        [(amount, amount_max, currency)], text


UNRELATED = ["The weather was mild that week.", "Talks went on late into the night.",
             "The meeting ended without a statement."]


@given(st.lists(st.sampled_from(UNRELATED), min_size=1, max_size=3), st.integers(0, 10))
def test_inserting_unrelated_sentences_keeps_the_facts(extra, where):
    text = (ROOT / "examples" / "seed" / "menafn-kz-uk.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    # the seed is hard-wrapped: insert where a line ends a sentence, i.e. between paragraphs
    cuts = [i + 1 for i, line in enumerate(lines[:-1]) if line.endswith(".")]
    cut = cuts[where % len(cuts)]
    changed = "\n".join(lines[:cut] + [" ".join(extra)] + lines[cut:])
    def values(t):
        return [(f.type, f.text, f.fields) for f in pack().extract(t)]
    assert values(changed) == values(text)


def test_hypothesis_check_of_the_pack_is_clean():
    """`ierun test rules/ --hypothesis`: what each rule matches gives a fact and still matches in other text.
    (It found rules taking any number for a day and a month; they now take 1-31 and 1-12.)"""
    from ierun.testing.examples import hypothesis_check
    assert hypothesis_check(pack(), max_examples=10, only_rules=set(RULES)) == []
