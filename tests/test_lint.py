"""Lint warnings of `ierun check` (W301-W307): for each, a rule that triggers it and one that does not;
`--strict` makes them errors; `# allow Wxxx` keeps one quiet. The regex analysis as a unit, too."""
from __future__ import annotations

from pathlib import Path

from ierun.cli.commands import main
from ierun.language.redos import regex_risk

HEAD = "fact Hit { text: str }\n"
GOOD = '''    example "a Foo b" { text: "Foo" }
    example "a Foo c" { text: "Foo" }
    counter "nothing here"
'''


def check(tmp_path, monkeypatch, capsys, text, *extra, name="r.ie"):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    status = main(["check", *extra, name])
    out, err = capsys.readouterr()
    return status, out, err


def codes(err: str) -> list[str]:
    return [line.split("warning[")[1][:4] for line in err.splitlines() if "warning[W" in line]


def rule(match: str, examples: str = GOOD, name: str = "t.r", extra: str = "") -> str:
    return f"rule {name} -> Hit {{{extra}\n    match x:{match}\n    text = x\n{examples}}}\n"


# ---- clean rules: no warning, exit 0, the ok line as before ----------------------------------------
def test_a_clean_rule_has_no_warning(tmp_path, monkeypatch, capsys):
    status, out, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"Foo"'))
    assert (status, out, err) == (0, "r.ie: ok (1 fact types, 0 lexicons, 1 rules)\n", "")


# ---- W301 ------------------------------------------------------------------------------------------
def test_w301_nested_unbounded_quantifiers_in_an_embedded_regex(tmp_path, monkeypatch, capsys):
    status, out, err = check(tmp_path, monkeypatch, capsys, HEAD + rule(r'r/(\w+\s?)*!/'))
    assert status == 0 and codes(err) == ["W301"]
    assert err.splitlines()[0] == (
        r"r.ie:3:13: warning[W301]: the regex /(\w+\s?)*!/ is open to catastrophic backtracking: nested unbounded "
        "repetitions (like (a+)+): a run of characters splits between them in exponentially many ways")
    assert err.splitlines()[-1] == "r.ie: 1 warning"


def test_w301_overlapping_alternatives_and_the_safe_forms():
    assert "alternatives" in regex_risk(r"(?:\w|\d\d)+")
    assert "nested" in regex_risk("(a+)+")
    assert "nested" in regex_risk(r"(?:[a-z]+|[a-z]\.)+$")
    for safe in (r"(\w+\s)*", r"[A-Z]\w*", "(?>a+)+", r"(?:foo|bar)+", r"\p{Lu}[a-z]+", r"[0-9]{4}", "(?:a(b"):
        assert regex_risk(safe) is None, safe


def test_w301_in_a_pattern(tmp_path, monkeypatch, capsys):
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"x" (CAPWORD+ "and"?)+ "!"'))
    assert codes(err) == ["W301"]
    assert "rule 't.r' is open to catastrophic backtracking: nested unbounded repetitions" in err
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('("Foo" | WORD)* "!"'))
    assert codes(err) == ["W301"] and "alternatives that can start with the same token" in err
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"x" (CAPWORD+ "and")* "Foo"'))
    assert codes(err) == []


# ---- W302 ------------------------------------------------------------------------------------------
def test_w302_a_shadowed_rule_names_the_other(tmp_path, monkeypatch, capsys):
    wide = rule('"Foo" WORD', name="t.wide", extra="\n    priority 2")
    narrow = rule('"Foo"', name="t.narrow")
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + wide + narrow)
    assert codes(err) == ["W302"]
    assert "warning[W302]: rule 't.narrow' is shadowed by 't.wide': each of its examples yields a fact of " \
           "'t.wide' instead" in err
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + narrow)
    assert codes(err) == []


# ---- W303 ------------------------------------------------------------------------------------------
def test_w303_unused_lexicon_and_pattern(tmp_path, monkeypatch, capsys):
    text = HEAD + 'lexicon spare { "a" }\nlexicon used { "Foo" }\npattern idle = "x"\npattern p = @used\n' + \
        rule("%p")
    status, _, err = check(tmp_path, monkeypatch, capsys, text)
    assert codes(err) == ["W303", "W303"]
    assert "r.ie:2:1: warning[W303]: lexicon 'spare' is never used" in err
    assert "r.ie:4:9: warning[W303]: named pattern 'idle' is never used" in err


# ---- W304 ------------------------------------------------------------------------------------------
def test_w304_a_lexicon_entry_twice_with_different_values(tmp_path, monkeypatch, capsys):
    text = HEAD + 'lexicon v: int {\n    "Foo" => 1\n    "bar" | "foo" => 2\n    "Foo" => 1\n}\n' + \
        rule("@v").replace("text = x", "text = x")
    status, _, err = check(tmp_path, monkeypatch, capsys, text)
    assert codes(err) == ["W304"]
    assert "r.ie:4:5: warning[W304]: lexicon 'v': 'foo' is listed twice with different values (1 and 2)" in err
    assert "hint: the first value wins: keep one entry (first at r.ie:3:5)" in err


def test_w304_in_a_lexicon_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "v.tsv").write_text("Foo\t1\nbar\t2\nfoo\t1\n", encoding="utf-8")
    text = HEAD + 'lexicon v: int from "v.tsv"\n' + rule("@v")
    _, _, err = check(tmp_path, monkeypatch, capsys, text)
    assert codes(err) == []
    (tmp_path / "v.tsv").write_text("Foo\t1\nbar\t2\nfoo\t3\n", encoding="utf-8")
    _, _, err = check(tmp_path, monkeypatch, capsys, text)
    assert codes(err) == ["W304"] and "v.tsv:3:1: warning[W304]" in err


# ---- W305, W306 ------------------------------------------------------------------------------------
def test_w305_w306_examples_and_counter_examples(tmp_path, monkeypatch, capsys):
    one = '    example "a Foo b" { text: "Foo" }\n'
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"Foo"', one))
    assert codes(err) == ["W305", "W306"]
    assert "r.ie:2:6: warning[W305]: rule 't.r' has 1 example" in err
    assert "r.ie:2:6: warning[W306]: rule 't.r' has no counter-example" in err
    _, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"Foo"', ""))
    assert "rule 't.r' has 0 examples" in err


# ---- W307 ------------------------------------------------------------------------------------------
def test_w307_a_capitalized_name_at_the_start(tmp_path, monkeypatch, capsys):
    ex = '    example "x Raine Group bought y" { text: "Raine Group" }\n' \
         '    example "x Acme Corp bought y" { text: "Acme Corp" }\n    counter "it bought y"\n'
    status, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('CAPWORD+ "bought"', ex).replace(
        'x:CAPWORD+ "bought"', 'x:CAPWORD+ "bought"'))
    assert codes(err) == ["W307"]
    assert "r.ie:3:11: warning[W307]: rule 't.r' starts with a capitalized-word name that can swallow a " \
           "sentence-initial function word ('But', 'And', 'On', 'In', ...)" in err
    # excluded by a lexicon of function words, or not at the start: no warning
    guarded = 'lexicon fw case { "But" | "And" | "On" | "In" | "At" | "For" | "The" | "A" | "An" | "If" | "When" ' \
              '| "After" | "Before" | "While" | "As" | "By" | "With" | "From" | "Of" | "To" | "Under" | "Since" ' \
              '| "Although" | "Yet" | "So" | "Or" | "This" | "That" | "Its" | "His" | "Her" | "Their" | "It" ' \
              '| "He" | "She" | "They" | "We" }\n'
    _, _, err = check(tmp_path, monkeypatch, capsys, HEAD + guarded + rule('((?! @fw) CAPWORD)+ "bought"', ex))
    assert codes(err) == []
    _, _, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"x" CAPWORD+', ex.replace(" bought y", "")))
    assert codes(err) == []


# ---- --strict, # allow ----------------------------------------------------------------------------
def test_strict_makes_warnings_errors(tmp_path, monkeypatch, capsys):
    one = '    example "a Foo b" { text: "Foo" }\n    counter "b"\n'
    status, out, err = check(tmp_path, monkeypatch, capsys, HEAD + rule('"Foo"', one), "--strict")
    assert (status, out) == (1, "")
    assert err.splitlines()[0] == "r.ie:2:6: error[W305]: rule 't.r' has 1 example"
    assert err.splitlines()[-1] == "r.ie: 1 warning (--strict: errors)"


def test_a_comment_allows_a_warning_by_code(tmp_path, monkeypatch, capsys):
    one = '    example "a Foo b" { text: "Foo" }\n    counter "b"\n'
    text = HEAD + rule('"Foo"', one).replace("-> Hit {", "-> Hit {   # allow W305: one form only")
    status, out, err = check(tmp_path, monkeypatch, capsys, text, "--strict")
    assert (status, out, err) == (0, "r.ie: ok (1 fact types, 0 lexicons, 1 rules)\n", "")
    text = HEAD + rule('"Foo"', one).replace("-> Hit {", "-> Hit {   # allow W306")
    status, _, err = check(tmp_path, monkeypatch, capsys, text, "--strict")
    assert status == 1 and "error[W305]" in err


def test_yaml_rules_are_linted_too(tmp_path, monkeypatch, capsys):
    text = ("facts:\n  Hit:\n    fields:\n      text: str\nrules:\n  t.r:\n    emits: Hit\n    match: 'x:\"Foo\"'\n"
            "    fields:\n      text: x\n    examples:\n      - text: a Foo b\n")
    status, _, err = check(tmp_path, monkeypatch, capsys, text, name="r.yaml")
    assert status == 0 and codes(err) == ["W305", "W306"]


# ---- several arguments are one rule set -----------------------------------------------------------
def test_check_treats_its_arguments_as_one_rule_set(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("pack").mkdir()
    Path("mine").mkdir()
    Path("pack/p.ie").write_text(HEAD + "pattern foo = \"Foo\"\n", encoding="utf-8")
    Path("mine/m.ie").write_text(rule("%foo"), encoding="utf-8")
    assert main(["check", "pack", "mine"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("pack mine: ok (1 fact types, 0 lexicons, 1 rules)\n", "")
    assert main(["check", "mine"]) == 1
    assert "error[E104]: unknown named pattern '%foo'" in capsys.readouterr().err
