"""`ierun diff OLD NEW INPUT...`: every fact added, removed or changed by an edit of the rules, a verdict
against gold on each, figures that agree with `ierun eval`, and OLD or NEW read from a git revision."""
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from ierun.cli import main
from ierun.testing.diff import compare

FACT = "fact Percent { value: decimal  unit: str }\n"
OLD = FACT + """rule percent.word -> Percent { match n:NUMBER u:("percent" | "pct")  value = number(n)  unit = u }
rule percent.pts -> Percent { match n:NUMBER "pts"  value = number(n)  unit = "pts" }
"""
# "pct" dropped (removed facts), "pts" now reads "points" (changed facts), a new rule for "points" (added facts)
NEW = FACT + """rule percent.word -> Percent { match n:NUMBER u:"percent"  value = number(n)  unit = u }
rule percent.pts -> Percent { match n:NUMBER "pts"  value = number(n)  unit = "points" }
rule percent.points -> Percent { match n:NUMBER u:"points"  value = number(n)  unit = u }
"""
SCORING = '[Percent]\ngold = "percent"\n[Percent.measures]\nstrict = ["value:decimal", "unit:text"]\n' \
          'value = ["value:decimal"]\n'
GOLD = [
    ("a", "Sales rose 7 pct.", {"percent": [{"value": "7", "unit": "pct"}]}),   # removed: regression
    ("c", "The 9 pct figure.", {"percent": []}),                                # removed: fix
    ("d", "Up 4 pct.", {"money": []}),                                          # removed: neutral (not scored)
    ("e", "It rose 2 points.", {"percent": [{"value": "2", "unit": "points"}]}),  # added: fix
    ("f", "It rose 6 points.", {"percent": []}),                                # added: regression
    ("g", "Down 3 pts.", {"percent": [{"value": "3", "unit": "points"}]}),      # changed: fix
    ("h", "Down 8 pts.", {"percent": [{"value": "8", "unit": "pts"}]}),         # changed: regression
    ("i", "Flat at 5 percent.", {"percent": [{"value": "5", "unit": "percent"}]}),  # no change
    ("j", "Down 3 points.", {"percent": [{"value": "3", "unit": "points"}]}),   # added: fix
]
EXPECTED = [  # (doc, change, verdict, old fields, new fields)
    ("a", "removed", "regression", {"value": "7", "unit": "pct"}, None),
    ("c", "removed", "fix", {"value": "9", "unit": "pct"}, None),
    ("d", "removed", "neutral", {"value": "4", "unit": "pct"}, None),
    ("e", "added", "fix", None, {"value": "2", "unit": "points"}),
    ("f", "added", "regression", None, {"value": "6", "unit": "points"}),
    ("g", "changed", "fix", {"value": "3", "unit": "pts"}, {"value": "3", "unit": "points"}),
    ("h", "changed", "regression", {"value": "8", "unit": "pts"}, {"value": "8", "unit": "points"}),
    ("j", "added", "fix", None, {"value": "3", "unit": "points"}),
]


def _pack(folder: Path, rules: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "percent.ie").write_text(rules)
    (folder / "scoring.toml").write_text(SCORING)
    return folder


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    _pack(tmp_path / "old", OLD)
    _pack(tmp_path / "new", NEW)
    Path("gold.jsonl").write_text("".join(json.dumps({"id": i, "text": t, "gold": g}) + "\n" for i, t, g in GOLD))
    return tmp_path


def _json(capsys, *args):
    code = main(["diff", *args, "--json"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def _short(changes):
    return [(c["doc"], c["change"], c["verdict"], c["old"] and c["old"]["fields"], c["new"] and c["new"]["fields"])
            for c in changes]


def test_each_kind_of_change_and_verdict(work, capsys):
    code, changes, err = _json(capsys, "old", "new", "gold.jsonl", "--gold", "gold.jsonl", "-j", "1")
    assert (code, err) == (0, "")
    assert _short(changes) == EXPECTED
    assert changes[0] == {
        "doc": "a", "change": "removed", "type": "Percent", "verdict": "regression", "new": None,
        "old": {"doc": "a", "type": "Percent", "rule": "percent.word", "start": 11, "end": 16, "text": "7 pct",
                "fields": {"value": "7", "unit": "pct"}, "field_spans": {"value": [11, 12], "unit": [13, 16]}}}


def test_without_gold_there_is_no_verdict(work, capsys):
    code, changes, err = _json(capsys, "old", "new", "gold.jsonl", "-j", "1")
    assert (code, err) == (0, "")
    assert [(c["doc"], c["change"], c["verdict"]) for c in changes] == [(d, ch, None) for d, ch, *_ in EXPECTED]


def test_fail_on_regression_exits_1(work, capsys):
    code, changes, err = _json(capsys, "old", "new", "gold.jsonl", "--gold", "gold.jsonl", "--fail-on-regression")
    assert code == 1
    assert err == "ierun: 3 regressions (--fail-on-regression)\n"
    # only fixes among the inputs: exit 0 (and the figures count the gold articles found in the inputs)
    Path("fixes.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t, _ in GOLD if i in "ceg"))
    assert main(["diff", "old", "new", "fixes.jsonl", "--gold", "gold.jsonl", "--fail-on-regression"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "--- 3 changes in 3 of 3 documents: 1 added, 1 removed, 1 changed; 3 fixes, 0 regressions, 0 neutral\n" in out
    assert "--- figures against gold.jsonl (3 of its 9 articles in the inputs)\n" in out


def test_fail_on_regression_needs_gold(work, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["diff", "old", "new", "gold.jsonl", "--fail-on-regression"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.endswith("ierun: error: --fail-on-regression needs --gold GOLD.jsonl\n")


def test_text_report_shows_context_fields_and_summaries(work, capsys):
    assert main(["diff", "old", "new", "gold.jsonl", "--gold", "gold.jsonl", "--context", "5", "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "a:11-16: removed Percent (percent.word)  [regression]\n"
        "    … rose «7 pct».\n"
        "  - value=\"7\", unit=\"pct\"\n\n")
    assert "g:5-10: changed Percent (percent.pts)  [fix]\n    Down «3 pts».\n" \
           "  - value=\"3\", unit=\"pts\"\n  + value=\"3\", unit=\"points\"\n\n" in out
    assert ("--- 8 changes in 8 of 9 documents: 3 added, 3 removed, 2 changed; 4 fixes, 3 regressions, 1 neutral\n\n"
            "fact type      added    removed    changed        fix regression    neutral\n"
            "Percent            3          3          2          4          3          1\n\n"
            "rule                added    removed    changed        fix regression    neutral\n"
            "percent.points          3          0          0          2          1          0\n"
            "percent.pts             0          0          2          1          1          0\n"
            "percent.word            0          3          0          1          1          1\n") in out


def _eval(capsys, rules):
    assert main(["eval", rules, "gold.jsonl", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_figures_agree_with_two_eval_runs(work, capsys):
    before, after = _eval(capsys, "old"), _eval(capsys, "new")
    assert main(["diff", "old", "new", "gold.jsonl", "--gold", "gold.jsonl"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("--- figures against gold.jsonl (9 of its 9 articles in the inputs)\n"):].splitlines()[2:]
    assert before != after
    assert [row.split()[0] for row in table] == list(before) == ["Percent.strict", "Percent.value"]
    for row in table:
        name, p0, p1, r0, r1, f0, f1, _ = row.split()
        assert [p0, r0, f0] == [f"{before[name][k]:.3f}" for k in ("precision", "recall", "f1")]
        assert [p1, r1, f1] == [f"{after[name][k]:.3f}" for k in ("precision", "recall", "f1")]


def test_parallel_runs_give_the_same_changes(work, capsys):
    one = _json(capsys, "old", "new", "gold.jsonl", "--gold", "gold.jsonl", "-j", "1")
    four = _json(capsys, "old", "new", "gold.jsonl", "--gold", "gold.jsonl", "-j", "4")
    assert one == four


# ---- git:REV ----------------------------------------------------------------------------------------------
def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(work):
    _git(work, "init", "-q")
    _pack(work / "rules", OLD)
    _git(work, "add", "rules")
    _git(work, "commit", "-q", "-m", "old rules")
    _pack(work / "rules", NEW)
    _git(work, "commit", "-q", "-am", "new rules")
    return work


def test_git_rev_reads_the_same_paths_at_a_revision(repo, capsys, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(repo / "tmp"))
    (repo / "tmp").mkdir()
    code, changes, err = _json(capsys, "git:HEAD~1", "rules", "gold.jsonl", "--gold", "gold.jsonl")
    assert (code, err) == (0, "")
    assert _short(changes) == EXPECTED
    assert list((repo / "tmp").iterdir()) == []  # the temporary copy of the rules is removed


def test_git_rev_on_either_side_and_uncommitted_edits(repo, capsys):
    (repo / "rules" / "percent.ie").write_text(OLD)  # an edit not yet committed, compared with HEAD
    code, changes, err = _json(capsys, "rules", "git:HEAD", "gold.jsonl", "--gold", "gold.jsonl")
    assert (code, err) == (0, "")
    assert _short(changes) == EXPECTED
    code, changes, err = _json(capsys, "git:HEAD", "rules", "gold.jsonl")
    assert [(c["doc"], c["change"]) for c in changes] == [("a", "added"), ("c", "added"), ("d", "added"),
                                                          ("e", "removed"), ("f", "removed"),
                                                          ("g", "changed"), ("h", "changed"), ("j", "removed")]


def test_git_rev_rule_errors_name_the_revision(repo, capsys):
    (repo / "rules" / "percent.ie").write_text(FACT + "rule broken -> Percnt { match \"x\" }\n")
    _git(repo, "commit", "-q", "-am", "broken")
    _pack(repo / "rules", NEW)
    assert main(["diff", "git:HEAD", "rules", "gold.jsonl"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("HEAD:rules/percent.ie:2:16: error[E101]: unknown fact type 'Percnt'\n")


def test_git_rev_unknown_revision(repo, capsys):
    assert main(["diff", "git:nosuchrev", "rules", "gold.jsonl"]) == 1
    assert capsys.readouterr().err == \
        f"ierun: error: git:nosuchrev: unknown revision 'nosuchrev' in the git repository {repo.resolve()}\n"


def test_git_rev_path_missing_at_that_revision(repo, capsys):
    _pack(repo / "mine", NEW)
    assert main(["diff", "git:HEAD", "mine", "gold.jsonl"]) == 1
    assert capsys.readouterr().err == "ierun: error: git:HEAD: mine does not exist at revision HEAD\n"


def test_git_rev_outside_a_repository(work, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(work.parent))  # no repository above tmp_path counts
    assert main(["diff", "git:HEAD", "new", "gold.jsonl"]) == 1
    assert capsys.readouterr().err == "ierun: error: new is not inside a git repository\n"


def test_both_sides_git_rev_is_a_usage_error(work, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["diff", "git:HEAD", "git:HEAD~1", "gold.jsonl"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.endswith(
        "ierun: error: one of OLD and NEW must be rule paths: git:REV means those paths at a revision\n")


# ---- the comparison itself ---------------------------------------------------------------------------------
def _fact(start, end, rule="r", fields=None, type_="T"):
    return {"doc": "d", "type": type_, "rule": rule, "start": start, "end": end, "text": "x" * (end - start),
            "fields": fields or {}, "field_spans": {}}


def test_a_rule_change_alone_is_a_change():
    old, new = [_fact(0, 3, "a.one")], [_fact(0, 3, "a.two")]
    [ch] = compare("d", old, new)
    assert (ch.change, ch.rules, ch.old, ch.new) == ("changed", ["a.one", "a.two"], old[0], new[0])


def test_same_span_other_type_is_removed_and_added():
    changes = compare("d", [_fact(0, 3, type_="A")], [_fact(0, 3, type_="B")])
    assert [(c.change, c.type) for c in changes] == [("removed", "A"), ("added", "B")]


facts = st.lists(st.builds(_fact, st.integers(0, 3), st.integers(4, 6), st.sampled_from(["r1", "r2"]),
                           st.sampled_from([{}, {"v": "1"}, {"v": "2"}]), st.sampled_from(["A", "B"])), max_size=6)


@given(facts, facts)
def test_changes_account_for_every_fact(old, new):
    """Applying the changes to the old facts gives the new facts (as multisets), and equal runs change nothing."""
    changes = compare("d", old, new)
    result = [f for f in old if not any(c.old is f for c in changes)] + [c.new for c in changes if c.new]
    key = lambda f: json.dumps(f, sort_keys=True)  # noqa: E731
    assert sorted(map(key, result)) == sorted(map(key, new))
    assert compare("d", old, list(old)) == []


def test_old_rules_without_a_scheme_are_scored_with_the_new_one(work, capsys):
    (work / "old" / "scoring.toml").unlink()  # an older revision, from before the rules declared their scoring
    assert main(["diff", "old", "new", "gold.jsonl", "--gold", "gold.jsonl"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "--- figures against gold.jsonl (9 of its 9 articles in the inputs)\n"
        "measure         P before   P after  R before   R after F1 before  F1 after F1 change\n"
        "Percent.strict     0.600     0.667     0.500     0.667     0.545     0.667    +0.121\n"
        "Percent.value      0.800     0.833     0.667     0.833     0.727     0.833    +0.106\n"
        "(before: the old rules declare no scoring scheme for Percent: scored with the new rules' scheme)\n")


def test_a_missing_input_is_reported_and_the_rest_compared(work, capsys):
    Path("a.txt").write_text("Sales rose 7 pct.\n")
    code = main(["diff", "old", "new", "missing.txt", "a.txt", "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == "ierun: error: missing.txt: no such file or directory\nierun: 1 input failed; the others were compared\n"
    assert [(c["doc"], c["change"]) for c in map(json.loads, out.splitlines())] == [("a.txt", "removed")]
