"""`ierun eval` knows no fact type: a rule set declares how its facts are scored (scoring.toml beside the
rules), so an analyst's own fact type is evaluated like the pack's."""
import json
from pathlib import Path

import pytest

from ierun.cli import main

PERCENT_RULES = """
fact Percent { value: decimal  unit: str }
rule percent.word -> Percent { match n:NUMBER u:("percent" | "pct")  value = number(n)  unit = u }
"""
PERCENT_SCORING = """
[Percent]
gold = "percent"
[Percent.measures]
strict = ["value:decimal", "unit:text"]
value = ["value:decimal"]
"""


def _gold(path: Path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


@pytest.fixture
def percent(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "percent.ie").write_text(PERCENT_RULES)
    (rules / "scoring.toml").write_text(PERCENT_SCORING)
    gold = tmp_path / "gold.jsonl"
    _gold(gold, [
        {"id": "a", "text": "Profits rose 5 percent and sales 7 pct.",
         "gold": {"percent": [{"value": "5", "unit": "percent"}, {"value": "7", "unit": "PCT"}]}},
        {"id": "b", "text": "It fell 1,5 percent, or 3 percent by another count.",
         "gold": {"percent": [{"value": "3", "unit": "percent"}, {"value": "2", "unit": "percent", "uncertain": True}]}},
        {"id": "c", "text": "No figures here.", "gold": {"money": []}},  # does not score Percent
    ])
    return rules, gold


def test_an_analysts_own_fact_type_is_evaluated(percent, capsys):
    rules, gold = percent
    assert main(["eval", str(rules), str(gold), "--errors", "3"]) == 0
    out = capsys.readouterr().out
    # a: both found (units compared as text, so "pct" = "PCT"); b: "1,5" (read as 1.5) is a false alarm, 3 found
    assert out.splitlines()[:3] == [
        "measure                   docs     tp     fp     fn       P       R      F1",
        "Percent.strict               2      3      1      0   0.750   1.000   0.857",
        "Percent.value                2      3      1      0   0.750   1.000   0.857",
    ]
    assert "--- Percent: false alarms (1)\n  b: (Decimal('1.5'), 'percent')  from '1,5 percent'" in out


def test_eval_json_names_each_measure(percent, capsys):
    rules, gold = percent
    assert main(["eval", str(rules), str(gold), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert list(scores) == ["Percent.strict", "Percent.value"]
    assert scores["Percent.value"] == {"docs": 2, "tp": 3, "fp": 1, "fn": 0, "precision": 0.75, "recall": 1.0,
                                       "f1": 0.8571}


def test_a_rule_set_without_a_scheme_scores_nothing(tmp_path, capsys):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "percent.ie").write_text(PERCENT_RULES)
    gold = tmp_path / "gold.jsonl"
    _gold(gold, [{"id": "a", "text": "5 percent", "gold": {"percent": []}}])
    assert main(["eval", str(rules), str(gold)]) == 0
    assert capsys.readouterr().out == "measure                   docs     tp     fp     fn       P       R      F1\n"


@pytest.mark.parametrize("scoring, message", [
    ('[Percnt]\ngold = "p"\n[Percnt.measures]\nstrict = ["value"]\n',
     "scoring.toml:1:1: error[E150]: scoring scheme for unknown fact type 'Percnt'"),
    ('[Percent]\ngold = "p"\n[Percent.measures]\nstrict = ["valeu:decimal"]\n',
     "scoring.toml:4:12: error[E150]: measure 'Percent.strict' names unknown field 'valeu' of 'Percent'"),
    ('[Percent]\ngold = "p"\n[Percent.measures]\nstrict = ["value:round"]\n',
     "scoring.toml:4:1: error[E150]: measure 'Percent.strict': each item is \"FIELD:NORMALIZER\", the normalizer "
     "one of decimal, text, place, code, exact"),
    ('[Percent]\ngold = "p"\nshape = "many"\n[Percent.measures]\nstrict = ["value"]\n',
     "scoring.toml:3:1: error[E150]: scoring scheme 'Percent': shape must be one of list, one, value, not 'many'"),
    ('[Percent]\nmeasures = {}\n',
     "scoring.toml:1:1: error[E150]: scoring scheme 'Percent' needs gold = \"KEY\" and a [Percent.measures] table"),
    ('[Percent\n', "scoring.toml:1:9: error[E150]: scoring file is not TOML: Expected ']' at the end of a table "
                   "declaration"),
])
def test_a_bad_scoring_file_is_reported_with_its_position(tmp_path, capsys, scoring, message):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "percent.ie").write_text(PERCENT_RULES)
    (rules / "scoring.toml").write_text(scoring)
    gold = tmp_path / "gold.jsonl"
    _gold(gold, [{"id": "a", "text": "5 percent", "gold": {"percent": []}}])
    assert main(["eval", str(rules), str(gold)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0] == str(rules / message)
