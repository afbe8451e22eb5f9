"""Every problem in a rule file is reported as path:line:col, a stable code, the line and a caret, a hint:
one malformed rule file per case in tests/bad_rules/, with its exact expected report beside it."""
import pickle
from pathlib import Path

import pytest

from ierun.cli import main
from ierun.errors import RuleError
from ierun.pipeline import load_model

ROOT = Path(__file__).resolve().parent.parent
BAD = sorted(p for p in (ROOT / "tests" / "bad_rules").iterdir() if p.suffix in (".ie", ".yaml"))


def test_there_are_at_least_30_distinct_malformed_files():
    assert len(BAD) >= 30
    codes = {p.name.split("_")[0].upper() for p in BAD}
    assert {"E001", "E002", "E003", "E101", "E102", "E103", "E104", "E105", "E106", "E107", "E108", "E109",
            "E110", "E111", "E112", "E113", "E114", "E115", "E116", "E117", "E118", "E119", "E120"} <= codes


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_report_is_exact(path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    rel = path.relative_to(ROOT)
    assert main(["check", str(rel)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == path.with_suffix(".expected").read_text(encoding="utf-8")
    assert "Traceback" not in err
    code = path.name.split("_")[0].upper()
    if code != "E1XX":
        assert f"error[{code}]" in err.splitlines()[0]
        assert err.startswith(f"{rel}:")


def test_all_problems_are_collected():
    with pytest.raises(RuleError) as info:
        load_model([ROOT / "tests" / "bad_rules" / "e1xx_many_errors.ie"])
    found = sorted(info.value.diagnostics, key=lambda d: d.sort_key())
    assert [d.code for d in found] == ["E101", "E103", "E115", "E108"]


def test_errors_pickle_with_their_fields():
    with pytest.raises(RuleError) as info:
        load_model([ROOT / "tests" / "bad_rules" / "e103_unknown_lexicon.ie"])
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value)
    d = again.diagnostics[0]
    assert (d.code, d.loc.line, d.loc.col, d.hint) == ("E103", 4, 22, "did you mean '@scale'?")


def test_clean_examples_check_exits_0(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["check", "examples/"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines() == ["examples/rules: ok (4 fact types, 6 lexicons, 6 rules)",
                                "examples/rules-yaml: ok (4 fact types, 6 lexicons, 6 rules)"]


def test_check_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2


def test_check_missing_path(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "nowhere"]) == 1
    assert capsys.readouterr().err == "error[E004]: nowhere: no such rule file or directory\n1 error\n"


def test_check_directory_without_rule_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    assert main(["check", "empty"]) == 1
    assert capsys.readouterr().err == \
        "error[E121]: no rule files (*.ie, *.yaml, *.yml) in directory empty\n1 error\n"


def test_rule_file_not_utf8(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("bad.ie").write_bytes(b"fact Money { amount: decimal }\n# caf\xe9\n")
    assert main(["check", "bad.ie"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "bad.ie:2:6: error[E004]: rule file is not UTF-8 (byte 36: b'\\xe9')"


def test_rule_file_with_a_byte_order_mark(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("bom.ie").write_bytes(b"\xef\xbb\xbffact Money { amount: decimal }\n")
    assert main(["check", "bom.ie"]) == 0
    assert capsys.readouterr().out == "bom.ie: ok (1 fact types, 0 lexicons, 0 rules)\n"
