"""The default rule pack: every rule carries examples, they all pass, the seed gives exactly its facts, and
`ierun eval` scores exactly as the reference score.py does."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import ierun
from ierun.cli import main
from ierun.testing.examples import run_examples

ROOT = Path(__file__).resolve().parent.parent
# the shared evaluation data sits beside the main checkout (../shared) or beside the folder of work trees
EVAL = next((p for p in (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval")
             if (p / "score.py").exists()), ROOT.parent / "shared" / "eval")


def test_every_rule_has_two_examples_and_a_counter(pack):
    # an example cannot give an NLP pipeline's entities: the rules that need them (rules/title-ner) have theirs
    # in tests/test_title_ner.py
    needs_nlp = set(pack.plan.nlp_needs.rules) if pack.plan.nlp_needs else set()
    assert needs_nlp and all(name.startswith("title_ner.") for name in needs_nlp)
    for rule in pack.ir.rules:
        if rule.name in needs_nlp:
            continue
        positives = [e for e in rule.examples if e.positive]
        counters = [e for e in rule.examples if not e.positive]
        assert len(positives) >= 2 and counters, f"{rule.name} ({rule.loc}) needs 2 examples and a counter"


def test_all_examples_pass(pack):
    failures = [o.report() for o in run_examples(pack) if not o.ok]
    assert not failures, "\n".join(failures)


def test_seed_gives_exactly_the_facts_of_the_engine_issue(pack):
    text = (ROOT / "examples" / "seed" / "menafn-kz-uk.txt").read_text(encoding="utf-8")
    got = [(f["type"], f["text"], f["fields"]) for f in pack.extract_dicts(text)]
    want = [(f["type"], f["text"], f["fields"]) for f in map(json.loads, open(ROOT / "examples/seed/expected.jsonl"))]
    assert got == want


@pytest.mark.skipif(not (EVAL / "score.py").exists(), reason="the evaluation data is not beside the checkout")
def test_eval_agrees_with_the_reference_scorer(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    facts = tmp_path / "facts.jsonl"
    assert main(["eval", "rules", str(EVAL / "gold-dev.jsonl"), "--json", "--facts", str(facts)]) == 0
    ours = json.loads(capsys.readouterr().out)
    ref = subprocess.run([sys.executable, str(EVAL / "score.py"), str(EVAL / "gold-dev.jsonl"), str(facts), "--json"],
                         capture_output=True, text=True, check=True)
    assert ours == json.loads(ref.stdout)
    assert ours["Money.strict"]["f1"] >= 0.90
    assert ours["Title.strict"]["f1"] >= 0.75 and ours["Title.person"]["f1"] >= 0.85


def test_eval_lists_errors(tmp_path, capsys):
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": "a", "published": "2020-01-01", "text": "It paid $5 million and 3 yen.",
                                "gold": {"money": [{"amount": "5000000", "currency": "USD"},
                                                   {"amount": "4", "currency": "JPY"}]}}) + "\n")
    assert main(["eval", str(ROOT / "rules"), str(gold), "--errors", "5"]) == 0
    out = capsys.readouterr().out
    assert "Money.strict                 1      1      1      1   0.500   0.500   0.500" in out
    assert "--- Money: misses (1)\n  a: (Decimal('4'), None, 'JPY')" in out
    assert "--- Money: false alarms (1)\n  a: (Decimal('3'), None, 'JPY')  from '3 yen'" in out


def test_load_without_paths_gives_the_bundled_pack(pack):
    assert [r.name for r in ierun.load().ir.rules] == [r.name for r in pack.ir.rules]
