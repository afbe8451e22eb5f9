"""`ierun explain` and `RuleSet.explain`: each rule's outcome on a text (matched, lost, value_failed, skipped,
failed), down to the element that failed; and the agreement of the explanation with the compiled engine."""
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import ierun
from ierun.cli import main
from ierun.engine.trace import Dropped, Failed, Kept
from ierun.language import ir
from ierun.pipeline import RuleSet, compile_model
from ierun.testing.explain import OUTCOMES
from strategies import LEXICONS, patterns, texts

ROOT = Path(__file__).resolve().parent.parent
SEED = "examples/seed/menafn-kz-uk.txt"

MILLION = '''fact Money { currency: str }

rule m.million -> Money {
    match cur:"$" n:NUMBER "million"
    currency = "USD"
}
'''

RULES = '''fact Hit { t: str }
rule a.short -> Hit { match t:NUMBER  t = t }
rule a.long -> Hit { match t:(NUMBER "dlrs") priority 1  t = t }
fact D { date: date }
rule d.feb -> D {
    match "Feb" day:NUMBER
    date = date(day, "Feb", "2024")
}
fact Shares { n: str }
rule s.of -> Shares { match d:<D> "shares"  n = "x" }
fact Pair { t: str }
rule p.pair -> Pair { match t:"alpha" "beta"  t = t  scope sentence }
'''


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _million(tmp_path) -> Path:
    f = tmp_path / "m.ie"
    f.write_text(MILLION)
    return f


# ---- the "done when" examples --------------------------------------------------------------------
def test_seed_article_explains_the_money_rules_at_a_span(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    # a plan of its own: a cached plan names the rule files by the path they were first compiled from
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path))
    assert main(["explain", "rules", SEED, "--find", "$1.8 billion", "--json"]) == 0
    lines = _json_lines(capsys.readouterr().out)
    money = [d for d in lines if d["rule"].startswith("money.")]
    rules = ierun.load("rules")
    assert [d["rule"] for d in money] == [r.name for r in rules.ir.rules if r.fact == "Money"]
    assert all(d["outcome"] in OUTCOMES and d["doc"] == SEED for d in lines)
    matched = [d for d in money if d["outcome"] == "matched"]
    assert matched == [{
        "doc": SEED, "rule": "money.symbol_amount", "outcome": "matched",
        "reason": "it matched '$1.8 billion' at 2088-2100 and the engine emitted this Money fact",
        "fact": {"doc": SEED, "type": "Money", "rule": "money.symbol_amount", "start": 2088, "end": 2100,
                 "text": "$1.8 billion", "fields": {"amount": "1800000000", "currency": "USD"},
                 "field_spans": {"amount": [2089, 2100], "currency": [2088, 2089]}},
        "field_sources": {"amount": "rules/money/money.ie:22:18", "currency": "rules/money/money.ie:27:11"}}]
    # the others: each says why, and a failure names the element, its place and what the text holds there
    failed = {d["rule"]: d for d in money if d["outcome"] == "failed"}
    assert failed["money.symbol_and_cents"]["failed_at"] == {
        "source": "rules/money/money.ie:194:43", "offset": 2093, "expected": "text matching the regex /[0-9]{2}/",
        "found": "billion"}
    assert all(d["reason"] for d in money)


def test_a_failing_element_is_named_with_its_place_and_what_the_text_holds(tmp_path, capsys):
    rf = _million(tmp_path)
    assert main(["explain", str(rf), "--text", "paid $5 billion", "--json"]) == 0
    [d] = _json_lines(capsys.readouterr().out)
    assert (d["doc"], d["rule"], d["outcome"]) == ("<text>", "m.million", "failed")
    assert d["failed_at"] == {"source": f"{rf}:4:28", "offset": 8, "expected": 'the literal "million"',
                              "found": "billion"}
    assert d["attempts"][0]["matched"] == [
        {"source": f"{rf}:4:15", "element": '"$"', "start": 5, "end": 6, "text": "$"},
        {"source": f"{rf}:4:21", "element": "NUMBER", "start": 6, "end": 7, "text": "5"}]
    assert d["reason"].startswith(f"from offset 5, \"$\" took '$', NUMBER took '5', then {rf}:4:28 expected the "
                                  "literal \"million\" and found 'billion' at offset 8")


def test_text_output_puts_a_caret_under_the_failing_element(tmp_path, capsys):
    rf = _million(tmp_path)
    assert main(["explain", str(rf), "--text", "paid $5 billion", "--find", "$5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"m.million: failed  ({rf}:3:6)"
    assert out[2:6] == [
        f"  matched \"$\" = '$' at 5-6  ({rf}:4:15)",
        f"  matched NUMBER = '5' at 6-7  ({rf}:4:21)",
        '          match cur:"$" n:NUMBER "million"',
        "                                 ^^^^^^^^^"]


def test_a_rule_hidden_by_a_higher_priority_rule_is_lost_to_it():
    rules = ierun.loads(RULES, path="r.ie")
    [e] = rules.explain("it cost 5 dlrs", rule="a.short")
    assert e.outcome == "lost"
    assert e.winner == {"rule": "a.long", "start": 8, "end": 14, "text": "5 dlrs"}
    assert e.reason == ("it matched '5' at 8-9 and lost overlap resolution to a.long ('5 dlrs' at 8-14): a.long has "
                        "the higher priority (1 > 0)")
    assert e.fact["fields"] == {"t": "5"} and e.field_sources == {"t": "r.ie:2:29"}


def test_a_longer_match_wins_and_says_so():
    rules = ierun.loads('''fact Hit { t: str }
rule a.one -> Hit { match t:NUMBER  t = t }
rule a.two -> Hit { match t:(NUMBER "dlrs")  t = t }
''')
    [e] = rules.explain("it cost 5 dlrs", rule="a.one")
    assert (e.outcome, e.reason.split(": ", 1)[1]) == ("lost", "a.two's match is longer (6 > 1 characters)")


def test_a_once_type_keeps_one_fact_and_settles_early():
    rules = ierun.loads('''fact P once { t: str }
rule p.a -> P { match t:"alpha"  t = t }
rule p.b -> P { match t:"beta"  t = t }
rule p.c -> P { match t:"gamma"  priority -1  t = t }
''')
    a, b, c = rules.explain("alpha and beta and gamma")
    assert (a.outcome, b.outcome, c.outcome) == ("matched", "lost", "skipped")
    assert b.reason == ("it matched 'beta' at 10-14 and lost overlap resolution to p.a ('alpha' at 0-5): P is a `once` "
                        "type: only its best fact is kept, and p.a's ranks first (priority 0 vs 0, then the earlier "
                        "start)")
    assert c.reason == ("P is a `once` type already settled by p.a (priority 0 > -1): rules of lower priority are not "
                        "run")


def test_a_rule_whose_trigger_word_is_absent_is_skipped():
    rules = ierun.loads(RULES, path="r.ie")
    [e] = rules.explain("the price rose", rule="d.feb")
    assert (e.outcome, e.reason) == ("skipped", "none of its trigger words occurs in the document (feb)")


def test_a_rule_that_consumes_an_absent_fact_is_skipped():
    rules = ierun.loads(RULES, path="r.ie")
    [e] = rules.explain("5 shares", rule="s.of")
    assert (e.outcome, e.reason) == ("skipped", "it consumes D facts and the document has none")


def test_a_scope_that_cuts_the_span_skips_the_rule():
    rules = ierun.loads(RULES, path="r.ie")
    [e] = rules.explain("It was alpha. Then beta came.", rule="p.pair", find="alpha. Then beta")
    assert (e.outcome, e.reason) == ("skipped", "its scope (sentence) cuts the span 7-23: a match must lie in one")


def test_a_field_that_cannot_be_computed_is_value_failed():
    rules = ierun.loads(RULES, path="r.ie")
    [e] = rules.explain("on Feb 30 it", rule="d.feb")
    assert e.as_dict() == {
        "doc": None, "rule": "d.feb", "outcome": "value_failed",
        "reason": "it matched 'Feb 30' at 3-9 but a field value could not be computed: no such date: 2024-02-30 "
                  "(day is out of range for month)",
        "message": "no such date: 2024-02-30 (day is out of range for month)"}


def test_at_an_offset_only_what_covers_it_counts():
    rules = ierun.loads(RULES, path="r.ie")
    assert [e.outcome for e in rules.explain("Feb 3 and Feb 4", rule="d.feb", at=10)] == ["matched"]
    [e] = rules.explain("Feb 3 and Feb 4", rule="d.feb", at=10)
    assert e.fact["text"] == "Feb 4"
    [e] = rules.explain("Feb 3 and x 4", rule="d.feb", at=12)
    assert e.outcome == "failed" and e.failed_at.expected == 'the literal "Feb"'


def test_every_rule_of_a_type_and_standard_input(tmp_path, capsys, monkeypatch):
    (tmp_path / "r.ie").write_text(RULES)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"it cost 5 dlrs")))
    assert main(["explain", str(tmp_path / "r.ie"), "-", "--type", "Hit", "--json"]) == 0
    got = [(d["rule"], d["outcome"]) for d in _json_lines(capsys.readouterr().out)]
    assert got == [("a.short", "lost"), ("a.long", "matched")]


def test_bad_requests_say_what_was_wrong(tmp_path, capsys):
    rf = _million(tmp_path)
    assert main(["explain", str(rf), "--text", "paid $5", "--find", "euro"]) == 1
    assert capsys.readouterr().err == "ierun: error: <text>: --find: 'euro' does not occur in the text\n"
    assert main(["explain", str(rf), "--text", "paid $5", "--rule", "m.milion"]) == 1
    assert capsys.readouterr().err == "ierun: error: <text>: no rule named 'm.milion' (known: m.million)\n"
    assert main(["explain", str(rf), "--text", "paid $5", "--type", "Mony"]) == 1
    assert capsys.readouterr().err == "ierun: error: <text>: no fact type 'Mony' (known: Money)\n"
    assert main(["explain", str(rf), "--text", "paid $5", "--at", "99"]) == 1
    assert capsys.readouterr().err == "ierun: error: <text>: --at 99: outside the text (0-7)\n"
    with pytest.raises(SystemExit) as exit_:
        main(["explain", str(rf)])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        'ierun: error: no INPUT given (a text file, JSON Lines, - for standard input, or --text "...")\n')
    assert main(["explain", str(rf), str(tmp_path / "missing.txt")]) == 1
    assert capsys.readouterr().err == f"ierun: error: {tmp_path / 'missing.txt'}: no such file or directory\n"


def test_an_explain_error_has_its_code_and_pickles():
    import pickle
    from ierun.testing.explain import ExplainError
    with pytest.raises(ExplainError) as err:
        ierun.loads(MILLION).explain("paid $5", rule="nope")
    again = pickle.loads(pickle.dumps(err.value))
    assert (str(again), again.code) == ("no rule named 'nope' (known: m.million)", "E301")


def test_ierun_test_shows_where_a_failing_example_stopped(tmp_path, capsys):
    (tmp_path / "m.ie").write_text(MILLION.replace('    currency = "USD"\n', '    currency = "USD"\n'
                                                   '    example "paid $5 billion" { currency: "USD" }\n'
                                                   '    counter "paid $5 million"\n'))
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    rf = tmp_path / "m.ie"
    assert ("  got:      nothing from this rule\n"
            "  why:\n"
            f"    m.million: failed  ({rf}:3:6)\n") in out
    assert ('              match cur:"$" n:NUMBER "million"\n'
            "                                     ^^^^^^^^^\n") in out
    assert ("  expected: no Money from this rule\n"
            "  got:      currency=USD  (from '$5 million' at 5-15)\n"
            "  why:\n"
            f"    m.million: matched  ({rf}:3:6)\n"
            "      it matched '$5 million' at 5-15 and the engine emitted this Money fact\n"
            f"      currency = \"USD\"  set at {rf}:5:5\n") in out


# ---- the explanation agrees with the compiled engine ---------------------------------------------
def _ruleset(pats, priorities, keep_all):
    rules = tuple(ir.Rule(f"r.{i}", "T", p, (), priority=pr, keep_all=k)
                  for i, (p, pr, k) in enumerate(zip(pats, priorities, keep_all)))
    model = ir.RuleModel({"T": ir.FactType("T", ())}, LEXICONS, rules, (tuple(r.name for r in rules),))
    return RuleSet(compile_model(model))


@settings(max_examples=300)
@given(st.lists(patterns(depth=2), min_size=1, max_size=3), texts(),
       st.lists(st.integers(0, 2), min_size=3, max_size=3), st.lists(st.booleans(), min_size=3, max_size=3))
def test_explain_agrees_with_the_engine(pats, text, priorities, keep_all):
    rules = _ruleset(pats, priorities, keep_all)
    run = rules.extractor.run(text, trace=True, include_hidden=True)
    for e in rules.explain(text):
        emitted = any(f.rule == e.rule for f in run.facts)
        # dropped by overlap resolution, or kept by it (as `all`) where the span already held a fact of the type
        dropped = any(isinstance(t, (Dropped, Kept)) and t.rule == e.rule for t in run.trace)
        value = any(isinstance(t, Failed) and t.rule == e.rule for t in run.trace)
        assert (e.outcome == "matched") == emitted
        assert (e.outcome == "lost") == (dropped and not emitted)
        if not emitted and not dropped:
            assert e.outcome in (("value_failed",) if value else ("failed", "skipped"))
        if e.outcome == "failed":  # the element that failed, unless no match can start anywhere in the text
            assert e.failed_at is not None or not text.strip()
            assert e.failed_at is None or 0 <= e.failed_at.offset <= len(text) and e.attempts
