"""A compile that keeps up: each rule file's parsed tree and compiled pieces are kept (in the authenticated
plan cache), so an edit to one file parses and compiles that file only, with the same facts as a compile
from nothing; several RULES arguments are one rule set for `ierun test` too; a compile on a terminal says
what it does, nothing on a pipe."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import ierun
from ierun import pipeline
from ierun.cli.commands import main
from ierun.engine import compile as compile_mod
from ierun.engine import gate as gate_mod

ROOT = Path(__file__).resolve().parent.parent
TEXT = "On Monday Acme bought $5 million of shares, and Zeta acquired 3 mln dlrs of bonds. The Foo bought Bar."
MINE = '''fact Deal {{ buyer: str  price: decimal }}

rule mine.deal -> Deal {{
    match buyer:CAPWORD "{word}" m:<Money>
    buyer = buyer
    price = m.amount
    example "Acme {word} $5 million of shares" {{ buyer: "Acme" }}
    example "Zeta {word} 3 mln dlrs of bonds" {{ buyer: "Zeta" }}
    counter "it {word} nothing"
}}

rule mine.other -> Deal {{
    match buyer:CAPWORD "sold" m:<Money>
    buyer = buyer
    price = m.amount
}}
'''


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("IERUN_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(ROOT / "examples" / "rules", tmp_path / "pack")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "deals.ie").write_text(MINE.format(word="bought"), encoding="utf-8")
    return tmp_path


class Count:
    def __init__(self, monkeypatch, module, name):
        self.calls = []
        real = getattr(module, name)

        def counted(*args, **kw):
            self.calls.append(args)
            return real(*args, **kw)
        monkeypatch.setattr(module, name, counted)


def test_an_edit_to_one_file_parses_and_compiles_that_file_only(setup, monkeypatch):
    paths = [setup / "pack", setup / "mine"]
    ierun.load(*paths)  # everything compiled, and kept
    parses = Count(monkeypatch, pipeline, "parse_file")
    regexes = Count(monkeypatch, compile_mod, "regex_code")
    databases = Count(monkeypatch, gate_mod, "_build_db")
    (setup / "mine" / "deals.ie").write_text(MINE.format(word="acquired"), encoding="utf-8")
    edited = ierun.load(*paths)
    assert [Path(c[0]).name for c in parses.calls] == ["deals.ie"]
    assert len(regexes.calls) == 1 and "acquired" in regexes.calls[0][0]  # mine.deal; mine.other is unchanged
    if gate_mod.enabled():
        assert len(databases.calls) == 1  # the gate of mine/deals.ie's rules that consume Money
    fresh = ierun.load(*paths, use_cache=False)
    assert edited.extract_dicts(TEXT, "2024-01-02") == fresh.extract_dicts(TEXT, "2024-01-02")
    assert [f["fields"]["buyer"] for f in edited.extract_dicts(TEXT, "2024-01-02") if f["type"] == "Deal"] == ["Zeta"]
    # nothing changed: the whole plan comes from the cache, nothing is parsed or compiled
    parses.calls.clear(), regexes.calls.clear()
    ierun.load(*paths)
    assert parses.calls == [] and regexes.calls == []


def test_a_corrupt_pieces_entry_is_rebuilt_with_the_same_facts(setup):
    paths = [setup / "pack", setup / "mine"]
    expected = ierun.load(*paths, use_cache=False).extract_dicts(TEXT, "2024-01-02")
    ierun.load(*paths)
    plan_entry = pipeline.fingerprint(paths)
    for entry in (setup / "cache").glob("plan-*.plan"):
        if plan_entry in entry.name:
            entry.unlink()  # the plan itself is rebuilt from the pieces ...
        else:
            raw = bytearray(entry.read_bytes())
            raw[len(raw) // 2] ^= 0x10  # ... and a piece that fails its MAC is compiled again
            entry.write_bytes(bytes(raw))
    assert ierun.load(*paths).extract_dicts(TEXT, "2024-01-02") == expected
    assert ierun.load(*paths).extract_dicts(TEXT, "2024-01-02") == expected


def test_pieces_are_not_shared_across_versions(setup, monkeypatch):
    paths = [setup / "pack", setup / "mine"]
    ierun.load(*paths)
    regexes = Count(monkeypatch, compile_mod, "regex_code")
    monkeypatch.setattr(pipeline, "_versions", lambda: "another ierun")
    ierun.load(*paths)
    assert len(regexes.calls) == 8  # the pack's 6 rules and mine's 2, all compiled again


def test_ierun_test_takes_its_arguments_as_one_rule_set(setup, monkeypatch, capsys):
    monkeypatch.chdir(setup)
    assert main(["test", "-q", "pack", "mine"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "22 passed, 0 failed"
    assert main(["test", "mine"]) == 1  # alone, mine does not know <Money>
    assert "error[E101]: unknown fact type 'Money'" in capsys.readouterr().err


def test_a_compile_on_a_pipe_says_nothing(setup, monkeypatch, capsys):
    monkeypatch.chdir(setup)
    Path("doc.txt").write_text(TEXT, encoding="utf-8")
    assert main(["pack", "mine", "doc.txt", "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_a_compile_on_a_terminal_shows_progress(setup, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True
    err = Tty()
    monkeypatch.setattr("sys.stderr", err)
    pipeline.load_plan([setup / "pack", setup / "mine"])
    text = err.getvalue()
    assert text.startswith("ierun: compiling 8 rules in 2 files ... done (") and text.endswith(" s)\n")
    err.truncate(0), err.seek(0)
    pipeline.load_plan([setup / "pack", setup / "mine"])  # from the cache: nothing to say
    assert err.getvalue() == ""
