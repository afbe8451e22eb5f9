"""Each construct of the pattern and expression language, on real-looking text, with exact results."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import ierun

ROOT = Path(__file__).resolve().parent.parent

FACTS = """
fact Money { amount: decimal  amount_max: decimal?  currency: currency? }
fact Hit { text: str }
"""


def hits(pattern, text, extra="", options=""):
    rs = ierun.loads(FACTS + extra + f"rule t.hit -> Hit {{ match h:({pattern}) {options} text = h }}")
    return [f.text for f in rs.extract(text)]


def test_literal_exact_and_case_insensitive():
    assert hits('"dlrs"', "5 dlrs, 6 DLRS") == ["dlrs"]
    assert hits('"dlrs"i', "5 dlrs, 6 DLRS") == ["dlrs", "DLRS"]


def test_literals_match_whole_tokens_only():
    assert hits('"dlr"', "dlrs dlr") == ["dlr"]
    assert hits('"1"', "1.5 1,000 1") == ["1"]
    assert hits('"U.S."', "the U.S. and U.S.A. and U. S.") == ["U.S.", "U.S."]


def test_token_classes():
    text = "ASTANA, Kazakhstan: 1,750 dlrs (384.3) on 1/8 - ok"
    assert hits("NUMBER", text) == ["1,750", "384.3", "1/8"]
    assert hits("ALLCAPS", text) == ["ASTANA"]
    assert hits("CAPWORD", text) == ["ASTANA", "Kazakhstan"]
    assert hits("LOWER", text) == ["dlrs", "on", "ok"]
    assert hits("PUNCT", text) == [",", ":", "(", ")", "-"]
    assert len(hits("TOKEN", text)) == 13
    assert hits("WORD", "Zürich São naïve") == ["Zürich", "São", "naïve"]


def test_glue_and_gaps():
    assert hits('"$" ~ NUMBER', "$1.8 and $ 2") == ["$1.8"]
    assert hits('"$" NUMBER', "$1.8 and $ 2") == ["$1.8", "$ 2"]
    assert hits('NUMBER ~ "-" ~ "year"', "a 10-year bond, 5 - year") == ["10-year"]
    assert hits('"one" ~ "-" ~ "billion" ~ "-" ~ "dlr"', "a one-billion-dlr offering") == ["one-billion-dlr"]


def test_gap_spans_line_breaks():
    assert hits('"Deputy" "Minister"', "said Deputy\nMinister Smith") == ["Deputy\nMinister"]


def test_regexes_token_and_raw():
    assert hits(r"/\d+(bn|m)/", "5bn and 7m and 9 bn") == ["5bn", "7m"]
    assert hits(r'CAPWORD r/\n\n/ ~ CAPWORD', "Title\n\nBody text, Not\nThis") == ["Title\n\nBody"]


def test_lexicon_longest_entry_first_and_values():
    extra = 'lexicon scale: decimal { "million" | "mln" => 1000000 "million million" => 1000000000000 }\n'
    rs = ierun.loads(FACTS + extra + """
rule m.x -> Money { match n:NUMBER s:@scale amount = number(n) * @scale(s) }""")
    assert [f.fields["amount"] for f in rs.extract("2 mln and 3 million million and 4 Million")] == \
        [Decimal(2000000), Decimal(3000000000000), Decimal(4000000)]


def test_case_sensitive_lexicon():
    extra = 'lexicon sym case { "US$" "C$" }\n'
    assert hits("@sym", "US$ us$ C$ c$", extra) == ["US$", "C$"]


def test_alternation_grouping_and_quantifiers():
    assert hits('("a" | "b")+ "c"', "a b a c x b c") == ["a b a c", "b c"]
    assert hits('"x" NUMBER{2}', "x 1 2 3 x 4") == ["x 1 2"]
    assert hits('"x" NUMBER{1,2}', "x 1 2 3 x 4") == ["x 1 2", "x 4"]
    assert hits('"x" NUMBER?', "x 1 x") == ["x 1", "x"]


def test_lookahead_and_lookbehind():
    assert hits('NUMBER (?! "percent"i | "%")', "60 percent, 70 %, 80 dlrs") == ["80"]
    assert hits('NUMBER (?= "dlrs")', "60 dlrs 70 yen") == ["60"]
    assert hits('(?<= "$") ~ NUMBER', "$5 and 6") == ["5"]
    assert hits('(?<! "per") "share"', "per share, a share") == ["share"]


def test_match_never_starts_with_white_space():
    assert hits('"US"? "$"', "pay $5 or US$6") == ["$", "US$"]


def test_scopes():
    text = "Price $5 million. Later $6 million.\nNext line $7 million.\n\nPara $8 million."
    assert hits('"$" NUMBER', text, options="scope first 20") == ["$5"]
    two = 'rule t.two -> Hit { match a:("$" NUMBER "million" "." CAPWORD) SCOPE text = a }'
    rs = ierun.loads(FACTS + two.replace("SCOPE", "scope sentence"))
    assert rs.extract(text) == []
    rs = ierun.loads(FACTS + two.replace("SCOPE", "scope line"))
    assert [f.text for f in rs.extract(text)] == ["$5 million. Later"]
    rs = ierun.loads(FACTS + two.replace("SCOPE", "scope paragraph"))
    assert [f.text for f in rs.extract(text)] == ["$5 million. Later", "$6 million.\nNext"]


def test_overlap_priority_then_length_then_start():
    rules = FACTS + """
rule a.short -> Hit { match h:("$" NUMBER) text = h }
rule a.long -> Hit { match h:("$" NUMBER "million") text = h }
rule a.urgent -> Hit { match h:(NUMBER "million") priority 5 text = h }
"""
    facts = ierun.loads(rules).extract("paid $5 million")
    assert [(f.rule, f.text) for f in facts] == [("a.urgent", "5 million")]
    facts = ierun.loads(rules.replace("priority 5", "")).extract("paid $5 million")
    assert [(f.rule, f.text) for f in facts] == [("a.long", "$5 million")]


def test_all_keeps_overlapping_matches():
    assert hits("NUMBER NUMBER", "1 2 3", options="all") == ["1 2", "2 3"]
    assert hits("NUMBER NUMBER", "1 2 3") == ["1 2"]


def test_once_keeps_one_per_document():
    rs = ierun.loads("fact D once { t: str }\nrule d.x -> D { match h:CAPWORD t = h }")
    assert [f.text for f in rs.extract("Alpha beta Gamma")] == ["Alpha"]


def test_cascade_consumes_facts_of_an_earlier_phase():
    rs = ierun.loads(FACTS + """
fact Range { low: decimal  high: decimal }
rule m.dollars -> Money { match "$" ~ n:NUMBER amount = number(n) currency = "USD" }
rule r.between -> Range { match "between"i lo:<Money> "and" hi:<Money> low = lo.amount high = hi.amount }
""")
    facts = rs.extract("Between $1 and $2, or $3.")
    assert [(f.type, f.text) for f in facts] == [("Range", "Between $1 and $2"), ("Money", "$1"), ("Money", "$2"),
                                                  ("Money", "$3")]
    assert facts[0].fields == {"low": Decimal(1), "high": Decimal(2)}
    assert facts[0].field_spans == {"low": (9, 10), "high": (16, 17)}


def test_named_patterns_and_captures_inside_them():
    rs = ierun.loads(FACTS + """
lexicon scale: decimal { "million" => 1000000 "billion" => 1000000000 }
pattern amount = n:NUMBER s:@scale?
rule m.x -> Money { match "$" ~ %amount amount = number(n) * (@scale(s) ?? 1) }""")
    assert [f.fields["amount"] for f in rs.extract("$5 million, $7")] == [Decimal(5000000), Decimal(7)]


def test_expressions_arithmetic_coalesce_and_builtins():
    rs = ierun.loads(FACTS + """
lexicon scale: decimal { "million" => 1000000 "billion" => 1000000000 }
rule m.range -> Money {
    match lo:NUMBER "-" hi:NUMBER s:@scale? "dlrs"
    amount = number(lo) * (@scale(s) ?? 1)
    amount_max = number(hi) * (@scale(s) ?? 1)
    currency = "USD"
}
rule m.words -> Money { match n:(WORD ~ "-" ~ WORD | WORD) "dollars" amount = number(n) / 100 + 1 - 1 }
""")
    assert [(f.fields["amount"], f.fields["amount_max"]) for f in rs.extract("15-20 mln... 15 - 20 billion dlrs")] == \
        [(Decimal(15000000000), Decimal(20000000000))]
    assert [f.fields["amount"] for f in rs.extract("twenty-five dollars")] == [Decimal("0.25")]


def test_dates_with_year_inference_and_invalid_dates_dropped():
    rs = ierun.loads("""
fact D { date: date }
rule d.x -> D { match m:("Feb" | "Dec") d:NUMBER date = date(d, m) }
""")
    assert [f.fields["date"] for f in rs.extract("Dec 31", published="2024-01-02")] == [dt.date(2023, 12, 31)]
    assert [f.fields["date"] for f in rs.extract("Feb 26", published="1987-02-26")] == [dt.date(1987, 2, 26)]
    assert rs.extract("Feb 31", published="1987-03-01") == []
    trace = rs.extractor.run("Feb 31", dt.date(1987, 3, 1), trace=True).trace
    assert [e.render() for e in trace] == \
        ["failed  d.x (0, 6) 'Feb 31': no such date: 1987-02-31 (day is out of range for month)"]
    from ierun.engine.trace import Failed
    assert trace == [Failed("d.x", (0, 6), "Feb 31", "no such date: 1987-02-31 (day is out of range for month)",
                            "no such date")]


def test_number_normalizer_handles_unicode_digits_and_words():
    from ierun.language.normalize import number
    assert number("۴,٠٠٠") == Decimal(4000)
    assert number("1,750") == Decimal(1750)
    assert number("384.3") == Decimal("384.3")
    assert number("1/8") == Decimal("0.125")
    assert number("1 1/2") == Decimal("1.5")
    assert number("seven") == Decimal(7)
    assert number("one hundred twenty-five thousand") == Decimal(125000)
    assert number("1.750,5") == Decimal("1750.5")
    assert number("two and a half") == Decimal("2.5")
    assert number("three quarters") == Decimal("0.75")  # a plural fraction counts quarters
    assert number("a quarter") == Decimal("0.25")


def test_lexicon_files_txt_tsv_yaml(tmp_path):
    (tmp_path / "words.txt").write_text("# a comment\nrupee | rupees\n")
    (tmp_path / "codes.tsv").write_text("rupee|rupees\tINR\n")
    (tmp_path / "scales.yaml").write_text("- lakh: 100000\n- {phrases: [crore, crores], value: 10000000}\n")
    (tmp_path / "r.ie").write_text(FACTS + """
lexicon words from "words.txt"
lexicon codes: currency from "codes.tsv"
lexicon scales: decimal from "scales.yaml"
rule m.x -> Money { match n:NUMBER s:@scales c:@words amount = number(n) * @scales(s) currency = @codes(c) }
""")
    rs = ierun.load(tmp_path, use_cache=False)
    assert [(f.fields["amount"], f.fields["currency"]) for f in rs.extract("5 crore rupees, 2 lakh rupee")] == \
        [(Decimal(50000000), "INR"), (Decimal(200000), "INR")]


def test_yaml_and_dsl_are_the_same_rules():
    yaml_rules = """
facts:
  Hit:
    fields:
      text: str
rules:
  t.hit:
    emits: Hit
    match: 'h:("$" ~ NUMBER)'
    fields:
      text: h
"""
    dsl = 'fact Hit { text: str }\nrule t.hit -> Hit { match h:("$" ~ NUMBER) text = h }'
    text = "cost $5 and $6"
    assert [f.to_dict() for f in ierun.loads(yaml_rules, "yaml").extract(text)] == \
        [f.to_dict() for f in ierun.loads(dsl).extract(text)]


@pytest.mark.parametrize("text", ["", " ", "\n\n", "$", "$$$ 1", "\x00\ud7ff\uffff", "1" * 1000])
def test_degenerate_texts(text):
    ierun.load(ROOT / "examples" / "rules").extract(text)


ONCE = """fact D once { v: str  n: int }
rule d.high -> D { match "A" n:NUMBER  priority 2  v = "high"  n = int(n) }
rule d.low -> D { match "B"  priority 1  v = "low"  n = int("0") }
"""


def test_once_type_keeps_the_best_fact_and_skips_lower_priority_rules_only_when_it_stands():
    rs = ierun.loads(ONCE)
    assert [f.fields["v"] for f in rs.extract("B then A 7")] == ["high"]
    # the best candidate's value fails (1.5 is no int): the rule of lower priority still gives the fact
    assert [f.fields["v"] for f in rs.extract("B then A 1.5")] == ["low"]
    trace = rs.extractor.run("B then A 7", trace=True).trace
    assert not any("d.low" in event.render() for event in trace)  # never run: it could not have won
