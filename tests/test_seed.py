"""The seed article, end to end: `ierun examples/rules/ examples/seed/menafn-kz-uk.txt` prints exactly the
facts in examples/seed/expected.jsonl; the YAML twin of the rules gives the same facts."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

import ierun
from ierun.cli import main
from ierun.pipeline import find_rule_files, parse_file

ROOT = Path(__file__).resolve().parent.parent
SEED = "examples/seed/menafn-kz-uk.txt"


@pytest.fixture(autouse=True)
def at_root(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))


def test_cli_output_is_exactly_the_expected_file(capsys):
    assert main(["examples/rules/", SEED]) == 0
    out = capsys.readouterr().out
    assert out == (ROOT / "examples/seed/expected.jsonl").read_text(encoding="utf-8")


def test_cached_run_gives_the_same_output(capsys):
    assert main(["examples/rules/", SEED]) == 0
    first = capsys.readouterr().out
    assert list((Path(__import__("os").environ["IERUN_CACHE_DIR"])).glob("plan-*.plan"))
    assert main(["examples/rules/", SEED]) == 0
    assert capsys.readouterr().out == first


def test_the_seed_facts():
    facts = ierun.load("examples/rules").extract((ROOT / SEED).read_text(encoding="utf-8"))
    by_type = {}
    for f in facts:
        by_type.setdefault(f.type, []).append(f.fields)
    assert by_type["Dateline"] == [{"location": "ASTANA, Kazakhstan", "date": __import__("datetime").date(2023, 10, 2),
                                    "agency": "Trend News Agency"}]
    assert [(t["person"], t["role"], t["organization"]) for t in by_type["Title"]] == [
        ("Roman Vasilenko", "Deputy Minister of Foreign Affairs", "Kazakhstan"),
        ("Leo Docherty", "Parliamentary Under Secretary of State",
         "Foreign, Commonwealth, and Development Office (FCDO) of the UK")]
    assert [(m["amount"], m["currency"]) for m in by_type["Money"]] == [
        (Decimal(x), "USD") for x in ("1800000000", "1500000000", "384300000", "879000000", "559000000",
                                      "320000000")]
    assert not any("percent" in f.text for f in facts)
    assert set(by_type) == {"Dateline", "Title", "Money"}  # Published is hidden


def test_yaml_twin_gives_the_same_facts():
    text = (ROOT / SEED).read_text(encoding="utf-8")
    ie = [f.to_dict() for f in ierun.load("examples/rules").extract(text)]
    ya = [f.to_dict() for f in ierun.load("examples/rules-yaml").extract(text)]
    assert ie == ya


def test_both_syntaxes_give_the_same_model():
    (ie,) = [parse_file(p) for p in find_rule_files(["examples/rules"])]
    (ya,) = [parse_file(p) for p in find_rule_files(["examples/rules-yaml"])]
    assert ie.decls == ya.decls


def test_table_format(capsys):
    assert main(["examples/rules/", SEED, "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["doc", "type", "rule", "span", "text", "fields"]
    assert len(lines) == 10
    assert "amount=1800000000, currency=USD" in lines[4]


def test_jsonl_contract_fields():
    facts = ierun.load("examples/rules").extract_dicts((ROOT / SEED).read_text(encoding="utf-8"), doc_id="seed")
    money = facts[3]
    assert list(money) == ["doc", "type", "rule", "start", "end", "text", "fields", "field_spans"]
    assert money == {"doc": "seed", "type": "Money", "rule": "money.symbol_amount", "start": 2088, "end": 2100,
                     "text": "$1.8 billion", "fields": {"amount": "1800000000", "currency": "USD"},
                     "field_spans": {"amount": [2089, 2100], "currency": [2088, 2089]}}
    json.dumps(facts)
