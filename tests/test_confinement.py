"""Each rule file reads lexicons only inside the rules root it was found in, in every entry point: naming
two sibling rule folders does not open their common parent (issue 10, item 11)."""
import json
from pathlib import Path

import pytest

import ierun
from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECRET = "TOPSECRET-LINE"
RULE = 'fact Thing {{\n    name: str\n}}\nlexicon {name} from "{file}"\nrule {name}.find -> Thing {{\n' \
       '    match t:@{name}\n    name = t\n}}\n'


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """tmp/secret.tsv (not rules), tmp/a/a.ie naming ../secret.tsv, tmp/b/b.ie with its own lexicon."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "secret.tsv").write_text(f"{SECRET} has no tab\nanother {SECRET}\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "a.ie").write_text(RULE.format(name="alpha", file="../secret.tsv"))
    (tmp_path / "b" / "b.ie").write_text(RULE.format(name="beta", file="words.txt").replace("Thing", "Other"))
    (tmp_path / "b" / "words.txt").write_text("pear\n")
    (tmp_path / "doc.txt").write_text("a pear\n")
    return tmp_path


E113 = ("a/a.ie:4:20: error[E113]: lexicon file '../secret.tsv' is outside the rules directory a\n"
        "    lexicon alpha from \"../secret.tsv\"\n"
        "                       ^^^^^^^^^^^^^^^\n"
        "  hint: keep lexicon files next to the rules that use them\n"
        "1 error\n")


def test_two_sibling_folders_in_one_run(tree, capsys):
    code = main(["a", "b", "doc.txt"])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert (code, out) == (1, "")
    assert err == E113


def test_check_says_the_same(tree, capsys):
    code = main(["check", "a", "b"])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert code == 1
    assert err == E113
    assert out == ""  # a and b are one rule set (issue 13): it has an error, so nothing is ok


def test_library_load_of_two_folders(tree):
    with pytest.raises(ierun.RuleError) as info:
        ierun.load("a", "b", use_cache=False)
    assert SECRET not in str(info.value)
    assert str(info.value) + "\n" == E113


def test_two_rule_files_named_keep_to_their_own_folders(tree, capsys):
    code = main(["a/a.ie", "b/b.ie", "doc.txt"])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert (code, err) == (1, E113)


def test_a_subfolder_may_still_read_lexicons_elsewhere_under_its_root(tree, capsys):
    (tree / "b" / "sub").mkdir()
    (tree / "b" / "sub" / "c.ie").write_text(RULE.format(name="gamma", file="../words.txt").replace("Thing", "Third"))
    code = main(["b", "doc.txt"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert sorted(json.loads(line)["type"] for line in out.splitlines()) == ["Other", "Third"]
