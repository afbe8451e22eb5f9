"""The small things analysts hit at the command line: help for every command and option (with defaults), a
mistyped command, a table aligned across documents, eval's warnings, the benchmark that needs shared data."""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ierun.cli import main
from ierun.cli.commands import COMMANDS, SUBCOMMANDS, help_formatter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))


def _exit(argv) -> int:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return stop.value.code


def test_top_level_help_lists_every_command(capsys):
    assert _exit(["--help"]) == 0
    out = capsys.readouterr().out
    assert set(SUBCOMMANDS) == {"run", "check", "test", "eval", "diff", "explain", "print"}
    assert "Commands (ierun COMMAND --help for each):\n\n" in out
    for line in COMMANDS.values():
        assert f"  {line}\n" in out
    assert "  ierun eval RULES... GOLD.jsonl     score the rules against a gold file (P, R, F1)\n" in out


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    assert _exit([command, "--help"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("usage: ierun [options]" if command == "run" else f"usage: ierun {command} ")


class _Parsed(Exception):
    pass


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_option_has_help_and_shows_its_default(command, monkeypatch):
    """Each argument has a help text; each option taking a value shows its default in --help."""
    def grab(self, *args, **kw):
        raise _Parsed(self)
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", grab)
    monkeypatch.setattr(argparse.ArgumentParser, "parse_intermixed_args", grab)
    with pytest.raises(_Parsed) as got:
        main([command, "x"])
    parser = got.value.args[0]
    formatter = help_formatter(parser.prog)
    for action in parser._actions:
        assert action.help, (command, action.dest)
        shown = formatter._get_help_string(action)
        if action.option_strings and action.nargs != 0:
            assert "(default: " in shown, (command, action.dest, shown)
    assert parser.formatter_class is help_formatter


def test_a_mistyped_command_gets_did_you_mean(capsys):
    assert main(["evl", "rules", "gold.jsonl"]) == 2
    assert capsys.readouterr().err == (
        "usage: ierun [options] RULES... INPUT...\n"
        "ierun: error: unknown command 'evl': did you mean 'eval'? (commands: run, check, test, eval, diff, explain, print)\n")
    assert main(["chekc", "rules"]) == 2
    assert "unknown command 'chekc': did you mean 'check'?" in capsys.readouterr().err


def test_a_file_named_like_a_command_is_not_a_typo(capsys):
    Path("evals").mkdir()
    assert _exit(["evals", "x.txt"]) == 2  # the usual message about rules: 'evals' is a folder, not a typo
    assert capsys.readouterr().err.endswith(
        "ierun: error: the first argument must be a rule file (.ie, .yaml) or a directory of them: evals\n")


RULES = "fact Percent { value: decimal  unit: str }\n" \
        "rule percent.word -> Percent { match n:NUMBER u:(\"percent\" | \"pct\")  value = number(n)  unit = u }\n"


def test_table_aligns_columns_across_documents(capsys):
    Path("p.ie").write_text(RULES)
    Path("a.txt").write_text("Up 5 pct.\n")
    Path("a-much-longer-name.txt").write_text("It rose 12345 percent, the most since 1987.\n")
    assert main(["p.ie", "a.txt", "a-much-longer-name.txt", "--format", "table", "-j", "1"]) == 0
    assert capsys.readouterr().out == (
        "doc                     type     rule          span  text           fields\n"
        "a.txt                   Percent  percent.word  3-8   5 pct          value=5, unit=pct\n"
        "a-much-longer-name.txt  Percent  percent.word  8-21  12345 percent  value=12345, unit=percent\n")


def test_table_cannot_be_resumed(capsys):
    Path("p.ie").write_text(RULES)
    Path("a.txt").write_text("Up 5 pct.\n")
    assert _exit(["p.ie", "a.txt", "--format", "table", "-o", "out.txt", "--resume"]) == 2
    assert capsys.readouterr().err.endswith(
        "ierun: error: --resume needs --format jsonl (a table is written whole at the end)\n")


def _gold(records):
    Path("gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def test_eval_warns_about_fact_types_it_cannot_score(capsys):
    Path("rules").mkdir()
    Path("rules/p.ie").write_text(RULES + "fact Hidden hidden { text: str }\n")
    _gold([{"id": "a", "text": "Up 5 pct.", "gold": {"percent": []}}])
    assert main(["eval", "rules", "gold.jsonl"]) == 0
    assert capsys.readouterr().err == (
        "ierun: warning: fact type 'Percent' is not scored: no scoring scheme declares how (add a [Percent] table "
        "to a scoring.toml beside the rules)\n")
    Path("rules/scoring.toml").write_text('[Percent]\ngold = "percent"\n[Percent.measures]\nstrict = ["value:decimal"]\n')
    _gold([{"id": "a", "text": "Up 5 pct.", "gold": {"money": []}}])
    assert main(["eval", "rules", "gold.jsonl"]) == 0
    assert capsys.readouterr().err == (
        "ierun: warning: fact type 'Percent' is not scored: no article of gold.jsonl has the key 'percent' its "
        "scoring scheme reads\n")
    _gold([{"id": "a", "text": "Up 5 pct.", "gold": {"percent": []}}])
    assert main(["eval", "rules", "gold.jsonl"]) == 0
    assert capsys.readouterr().err == ""


def test_eval_table_names_the_data_it_needs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "eval_table.py"), "--eval-dir", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "eval_table.py: this table needs the development gold files of the shared evaluation data "
        "(reuters1987-dev.jsonl, reuters2006-dev.jsonl, wire-datelines-dev.jsonl, gold-dev.jsonl, gold-dev-2.jsonl, "
        f"money-phrases-dev.jsonl, money-prices-dev.jsonl), not found in {tmp_path}; give their folder with "
        "--eval-dir DIR\n")
