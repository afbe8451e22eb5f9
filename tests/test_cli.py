"""Bad input of any kind gets a clear message naming the file and position; the rest is still processed."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "examples" / "rules")
MONEY = "Trade reached $879 million last year.\n"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))


def run(capsys, *args):
    code = main([RULES, *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_text_file(capsys):
    Path("a.txt").write_text(MONEY)
    code, facts, err = run(capsys, "a.txt")
    assert (code, err) == (0, "")
    assert [(f["doc"], f["text"], f["fields"]) for f in facts] == \
        [("a.txt", "$879 million", {"amount": "879000000", "currency": "USD"})]


def test_missing_file_is_reported_and_the_rest_processed(capsys):
    Path("a.txt").write_text(MONEY)
    code, facts, err = run(capsys, "missing.txt", "a.txt")
    assert code == 1
    assert len(facts) == 1
    assert err == ("ierun: error: missing.txt: no such file or directory\n"
                   "ierun: 1 input failed; the others were processed\n")


def test_not_utf8_names_the_byte(capsys):
    Path("bad.txt").write_bytes(b"Costs $5 million \xff\xfe here")
    Path("good.txt").write_text(MONEY)
    code, facts, err = run(capsys, "bad.txt", "good.txt")
    assert code == 1
    assert [f["doc"] for f in facts] == ["good.txt"]
    assert err.splitlines()[0] == ("ierun: error: bad.txt: byte 17: not valid utf-8 (b'\\xff'); "
                                   "choose the encoding with --encoding")


def test_encoding_option(capsys):
    Path("latin.txt").write_bytes("Caf\xe9 paid $5 million.".encode("latin-1"))
    code, facts, err = run(capsys, "--encoding", "latin-1", "latin.txt")
    assert (code, err) == (0, "")
    assert facts[0]["text"] == "$5 million"
    assert facts[0]["start"] == 10


def test_empty_file_gives_no_facts_and_no_error(capsys):
    Path("empty.txt").write_text("")
    assert run(capsys, "empty.txt") == (0, [], "")


def test_directory_without_text_files(capsys):
    Path("d").mkdir()
    Path("d/x.csv").write_text("a,b")
    code, facts, err = run(capsys, "d")
    assert code == 1
    assert err.splitlines()[0] == "ierun: error: d: directory has no text files (*.txt)"


def test_directory_of_text_files_in_order(capsys):
    Path("d/sub").mkdir(parents=True)
    Path("d/b.txt").write_text(MONEY)
    Path("d/sub/a.txt").write_text("It paid 5 dollars.")
    code, facts, err = run(capsys, "d")
    assert code == 0
    assert [f["doc"] for f in facts] == ["d/b.txt", "d/sub/a.txt"]


def test_jsonl_malformed_line_reported_with_line_number(capsys):
    lines = [json.dumps({"id": "one", "text": MONEY, "published": "2020-01-01"}),
             '{"id": "two", "text": ',
             json.dumps({"id": "three", "text": "Paid $1.5 billion."}),
             json.dumps({"id": "four", "body": "no text field"}),
             '{"id": "five", "text": "unterminated}']
    Path("c.jsonl").write_text("\n".join(lines) + "\n")
    code, facts, err = run(capsys, "--jsonl", "c.jsonl")
    assert code == 1
    assert [f["doc"] for f in facts] == ["one", "three"]
    assert err.splitlines() == [
        "ierun: error: c.jsonl:2: malformed JSON Lines record: Expecting value at column 23",
        "ierun: error: c.jsonl:4: record has no string field 'text'",
        "ierun: error: c.jsonl:5: malformed JSON Lines record: Unterminated string starting at column 24",
        "ierun: 3 inputs failed; the others were processed"]


def test_jsonl_field_names(capsys):
    Path("c.jsonl").write_text(json.dumps({"key": "k1", "body": MONEY}) + "\n")
    code, facts, _ = run(capsys, "--jsonl", "--id-field", "key", "--text-field", "body", "c.jsonl")
    assert code == 0 and facts[0]["doc"] == "k1"


def test_published_option_and_field_give_the_year(capsys):
    text = "(MENAFN- Trend News Agency) BAKU, Azerbaijan, Dec 31. The talks"
    Path("d.txt").write_text(text)
    code, facts, _ = run(capsys, "--published", "2024-01-02", "d.txt")
    assert facts[0]["fields"]["date"] == "2023-12-31"
    Path("d.jsonl").write_text(json.dumps({"id": "x", "text": text, "published": "02-JAN-1987 10:00:00.00"}) + "\n")
    code, facts, _ = run(capsys, "d.jsonl")
    assert facts[0]["fields"]["date"] == "1986-12-31"


def test_no_publication_date_leaves_the_date_null(capsys):
    Path("d.txt").write_text("(MENAFN- Trend News Agency) BAKU, Azerbaijan, Dec 31. The talks")
    code, facts, _ = run(capsys, "d.txt")
    assert facts[0]["fields"]["date"] is None


def test_stdin(capsys, monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MONEY.encode())))
    code, facts, _ = run(capsys, "-")
    assert code == 0 and facts[0]["doc"] == "-"


def test_output_file(capsys):
    Path("a.txt").write_text(MONEY)
    assert main([RULES, "a.txt", "-o", "out.jsonl"]) == 0
    assert json.loads(Path("out.jsonl").read_text())["text"] == "$879 million"


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main([RULES])
    assert info.value.code == 2
    assert "no INPUT given" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["a.txt", "b.txt"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main([RULES, "x.txt", "--published", "yesterday"])
    assert info.value.code == 2


def test_broken_rules_exit_1_without_traceback(capsys):
    Path("r.ie").write_text("fact Money { amount: decimel }\n")
    Path("a.txt").write_text(MONEY)
    assert main(["r.ie", "a.txt"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("r.ie:1:22: error[E116]: unknown type 'decimel'")
    assert "Traceback" not in err


PATHOLOGICAL = '''fact Hit { text: str }
rule slow.nested -> Hit {
    match t:r/(a|a)+c/
    text = t
}
'''


def test_catastrophic_regex_is_bounded_and_reported(capsys):
    Path("slow.ie").write_text(PATHOLOGICAL)
    # the gate reads the regex: a text without "ac" cannot match and is not tried at all; with one, the
    # regex is tried from the start and backtracks over the forty a's
    Path("a.txt").write_text("a" * 40 + "! ac\n")
    Path("b.txt").write_text("aaac\n")
    code = main(["slow.ie", "a.txt", "b.txt", "--timeout", "0.2"])
    out, err = capsys.readouterr()
    assert code == 1
    assert [json.loads(l)["doc"] for l in out.splitlines()] == ["b.txt"]
    assert err.splitlines()[:2] == [
        "slow.ie:2:6: error[E201]: rule 'slow.nested' ran out of time (0.2 s) on document a.txt; "
        "its matches in this document are skipped",
        "    rule slow.nested -> Hit {"]


def test_explain_stages(capsys):
    Path("a.txt").write_text(MONEY)
    for stage, needle in (("ast", "RuleDecl"), ("ir", "phases"), ("plan", "trigger"), ("matches", "kept")):
        assert main([RULES, "a.txt", "--explain", stage, "--no-cache"]) == 0
        assert needle in capsys.readouterr().err


def test_console_script_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "ierun", "check", RULES], capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "engine")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.endswith("ok (4 fact types, 6 lexicons, 6 rules)\n")


def test_jobs_give_the_same_output_in_input_order(capsys):
    corpus = ROOT.parent / "shared" / "eval" / "reuters1987-dev.jsonl"
    if not corpus.exists():
        pytest.skip("the evaluation data is not beside the checkout")
    lines = corpus.read_text(encoding="utf-8").splitlines()[:300]
    lines.insert(150, '{"id": "broken", ')
    Path("c.jsonl").write_text("\n".join(lines) + "\n")
    outputs = []
    for jobs in ("1", "2"):
        code = main([RULES, "--jsonl", "c.jsonl", "--jobs", jobs])
        out, err = capsys.readouterr()
        assert code == 1
        assert err.splitlines()[0].startswith("ierun: error: c.jsonl:151: malformed JSON Lines record")
        outputs.append(out)
    assert outputs[0] == outputs[1]
    docs = [json.loads(l)["doc"] for l in outputs[0].splitlines()]
    order = [json.loads(l)["id"] for l in lines if l.startswith('{"id": "reuters')]
    assert docs == sorted(docs, key=order.index)
