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


# ---- the catalogue: every message comes from messages.Errors -------------------------------------------
def test_every_catalogue_entry_renders():
    from string import Formatter

    from ierun.errors import Diagnostic
    from ierun.messages import CODES, entries
    used = set()
    for name, message in entries().items():
        values = {}
        for text in (message.template, message.hint or ""):
            for _, field, spec, _ in Formatter().parse(text):
                if field:
                    values[field] = 1.5 if spec else f"<{field}>"
        text, hint = message.render(**values)
        assert message.code in CODES, name
        assert "{" not in text.replace("{phrases", "") and "}" not in text.replace("...}", ""), (name, text)
        assert all(f"<{f}>" in text + (hint or "") for f, v in values.items() if isinstance(v, str)), name
        rendered = Diagnostic(message.code, text, None, hint).render()
        severity = "warning" if message.code.startswith("W") else "error"
        assert rendered.startswith(f"{severity}[{message.code}]: {text}"), name
        used.add(message.code)
    assert used == set(CODES)  # every code has its messages, and no message a code outside the table


def test_a_catalogue_message_renders_exactly():
    from ierun.errors import diagnostic
    from ierun.messages import Errors
    d = diagnostic(Errors.TIMEOUT, None, rule="money.x", seconds=2.0, doc="d7", chars=1000, budget=4.0)
    assert d.render() == ("error[E201]: rule 'money.x' ran out of time (2 s) on document d7; its matches in this "
                          "document are skipped\n  hint: the limit is 2 s plus 2 s per 1,000 characters (4 s here), "
                          "for all of the rule's matching in the document together; an embedded regex that "
                          "backtracks catastrophically needs unambiguous repetitions (raise --timeout if the rule "
                          "is only slow)")
    assert diagnostic(Errors.UNKNOWN_FACT, None, "did you mean 'Money'?", type="Mony").render() == \
        "error[E101]: unknown fact type 'Mony'\n  hint: did you mean 'Money'?"


def test_no_message_is_written_outside_the_catalogue():
    import ast

    import ierun
    from ierun.errors import Diagnostic
    pkg = Path(ierun.__file__).resolve().parent
    for path in pkg.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and \
                    isinstance(node.args[0].value, str) and (
                    getattr(node.func, "id", None) == "Diagnostic" or
                    (getattr(node.func, "attr", None) == "error" and node.args[0].value[:1] == "E" and
                     node.args[0].value[1:4].isdigit())):
                raise AssertionError(f"{path}:{node.lineno}: a message written inline")
    with pytest.raises(ValueError, match="E999 is not in the catalogue"):
        Diagnostic("E999", "made up", None)


def test_a_rule_files_path_is_shown_from_the_folder_a_message_is_read_in(tmp_path, monkeypatch):
    """A cached plan keeps its rule files' paths as first given; a run from another folder still names them
    right: relative below its folder, absolute elsewhere (errors.Source.shown)."""
    from ierun.errors import Loc, Source
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "c").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    loc = pickle.loads(pickle.dumps(Loc(Source("b/r.ie", "rule x\n"), 1, 6)))  # as the plan cache keeps it
    assert (str(loc), loc.source.full_path) == ("b/r.ie:1:6", str(tmp_path / "a" / "b" / "r.ie"))
    for folder, shown in [(tmp_path, "a/b/r.ie"), (tmp_path / "a" / "b", "r.ie"),
                          (tmp_path / "c", str(tmp_path / "a" / "b" / "r.ie"))]:
        monkeypatch.chdir(folder)
        assert str(loc) == f"{shown}:1:6"
    assert str(Loc(Source("<string>", "x"), 1, 1)) == "<string>:1:1"
