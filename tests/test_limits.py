"""Time limits: a rule that runs out of time on a document emits none of its facts there and the document is
reported (E201, naming the rule and the document); the limit holds for the whole document, across every
range of the rule's scope and every place the gate gives; and it grows with the document, so that a
legitimate large document is never cut short."""
import json
from pathlib import Path

import pytest

import ierun
from ierun.cli import main
from ierun.engine.match import TIMEOUT_CHARS, time_budget

# (?:(?:a|aa)+)+b backtracks catastrophically on a run of a's with no b: 0.03-0.1 s a line of 18 a's, far
# under a limit of 0.5 s, and 120 such lines take far more than it. The gate reads the regex: each line holds
# a place where the rule may match, or the rule would not be tried there at all ("ab" at the end of the line
# for the raw regex; for the token-bounded one, a "b" the boundary after it refuses, "bc")
SLOW = {"regex_first": "a" * 18 + "c ab", "word_first": "a" * 18 + "bc"}
SLOW_LINES = 120
FACT = "fact Boom { x: str }\nfact Word { w: str }\n"
# the regex first: the rule is tried over each line (finditer per range); a word first: at each place the
# gate gives (finditer_at), or over each line without Hyperscan
RULES = {
    "regex_first": FACT + 'rule boom -> Boom {\n    match x:r/(?:(?:a|aa)+)+b/\n    scope line\n    x = x\n}\n',
    "word_first": FACT + 'rule boom -> Boom {\n    match "go" x:/(?:(?:a|aa)+)+b/\n    scope line\n    x = x\n}\n',
}
WORD_RULE = 'rule word -> Word {\n    match w:"zebra"\n    w = w\n}\n'


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("kind", sorted(RULES))
def test_scope_line_cannot_bypass_the_limit(kind, capsys):
    """Catastrophic lines, each under the limit, used to run one after another (60 of them: 28 s, exit 0, no
    report): the limit was per range, not per document."""
    prefix = "go " if kind == "word_first" else ""
    Path("r.ie").write_text(RULES[kind], encoding="utf-8")
    Path("lines.txt").write_text("".join(prefix + SLOW[kind] + "\n" for _ in range(SLOW_LINES)), encoding="utf-8")
    code = main(["r.ie", "lines.txt", "--timeout", "0.5", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("r.ie:3:6: error[E201]: rule 'boom' ran out of time (0.5 s) on document lines.txt; "
                          "its matches in this document are skipped\n")
    assert "  hint: the limit is 0.5 s plus 0.5 s per 1,000 characters (" in err
    assert err.endswith("ierun: 1 input failed; the others were processed\n")
    assert "Traceback" not in err


@pytest.mark.parametrize("kind", sorted(RULES))
def test_a_rule_out_of_time_emits_none_of_its_facts(kind, capsys):
    """Lines that match come first, then catastrophic ones: the facts found before the time ran out are not
    emitted (what a rule emits must not depend on the machine's speed); the other rules' facts are."""
    prefix = "go " if kind == "word_first" else ""
    Path("r.ie").write_text(RULES[kind] + WORD_RULE, encoding="utf-8")
    good = "".join(prefix + "aab\n" for _ in range(20))
    Path("doc.txt").write_text(good + "a zebra\n" + "".join(prefix + SLOW[kind] + "\n" for _ in range(SLOW_LINES)),
                               encoding="utf-8")
    code = main(["r.ie", "doc.txt", "--timeout", "0.5", "--no-cache"])
    out, err = capsys.readouterr()
    facts = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [(f["type"], f["text"]) for f in facts] == [("Word", "zebra")]
    assert err.count("error[E201]") == 1 and "rule 'boom'" in err


def test_the_same_rules_find_every_fact_when_in_time(capsys):
    """The control for the two tests above: without the slow lines, every fact."""
    Path("r.ie").write_text(RULES["regex_first"] + WORD_RULE, encoding="utf-8")
    Path("doc.txt").write_text("aab\n" * 20 + "a zebra\n", encoding="utf-8")
    code = main(["r.ie", "doc.txt", "--timeout", "0.5", "--no-cache"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert [json.loads(line)["type"] for line in out.splitlines()] == ["Boom"] * 20 + ["Word"]


def test_a_large_legitimate_document_is_not_cut_short():
    """2 MB of "$5 million": every one of the 190,000 amounts with the default limit (the limit used to be
    the same for 2 MB as for 2 KB, and a run kept about half of them, a different half each time)."""
    rules = ierun.loads('fact Money { amount: decimal }\nrule money.millions -> Money {\n'
                        '    match "$" ~ n:NUMBER "million"\n    amount = number(n) * 1000000\n}\n')
    text = "$5 million " * 190_000
    out = rules.extractor.run(text, doc_id="big")
    assert out.problems == []
    assert len(out.facts) == 190_000
    assert {str(f.fields["amount"]) for f in out.facts} == {"5000000"}


def test_the_time_budget_grows_with_the_document():
    assert time_budget(2.0, 0) == 2.0
    assert time_budget(2.0, TIMEOUT_CHARS) == 4.0
    assert time_budget(0.5, 10 * TIMEOUT_CHARS) == 5.5


def test_the_extractor_keeps_no_state_of_a_document():
    """One Extractor serves many documents (and threads): a run leaves nothing on it."""
    rules = ierun.loads(RULES["regex_first"] + WORD_RULE)
    ex = rules.extractor
    before = {k: v for k, v in vars(ex).items()}
    ex.run("aab\na zebra\n", doc_id="d")
    assert vars(ex).keys() == before.keys()
    assert all(vars(ex)[k] is v for k, v in before.items())
