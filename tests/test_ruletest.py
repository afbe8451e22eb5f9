"""`ierun test` and the pytest plugin run the examples next to the rules, with messages that show the rule's
file:line, the example, what was expected and what came out."""
import os
import subprocess
import sys
from pathlib import Path

from ierun.cli import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "broken_rules"


def test_ierun_test_passes_on_the_examples(capsys):
    assert main(["test", str(ROOT / "examples" / "rules"), "-q"]) == 0
    assert capsys.readouterr().out == "19 passed, 0 failed\n"


def test_ierun_test_reports_a_broken_rule(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["test", "tests/fixtures/broken_rules"]) == 1
    assert capsys.readouterr().out == (
        "ok   money.dollars example 'paid $5 billion'\n"
        "tests/fixtures/broken_rules/money.ie:9:13: FAIL money.dollars example 'paid $5 million'\n"
        "  expected: amount=5000000\n"
        "  got:      amount=5000, currency=USD  (from '$5 million' at 5-15)\n"
        "  why:\n"
        "    money.dollars: matched  (tests/fixtures/broken_rules/money.ie:4:6)\n"
        "      it matched '$5 million' at 5-15 and the engine emitted this Money fact\n"
        "      amount = \"5000\" from '5 million'  set at tests/fixtures/broken_rules/money.ie:5:17\n"
        "      currency = \"USD\"  set at tests/fixtures/broken_rules/money.ie:7:5\n"
        "\n"
        "ok   money.dollars counter 'paid 5 million'\n"
        "ok   money.yen example 'cost 5 yen'\n"
        "ok   money.yen counter '5 percent'\n"
        "4 passed, 1 failed\n")


def test_overlap_that_hides_an_example_is_named(tmp_path, capsys):
    (tmp_path / "r.ie").write_text('''fact Hit { t: str }
rule a.short -> Hit { match t:NUMBER t = t  example "5 dlrs" { t: "5" } }
rule a.long -> Hit { match t:(NUMBER "dlrs") priority 1 t = t }
''')
    assert main(["test", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "  got:      nothing from this rule\n" \
           "  why:\n" \
           f"    a.short: lost  ({tmp_path / 'r.ie'}:2:6)\n" \
           "      it matched '5' at 0-1 and lost overlap resolution to a.long ('5 dlrs' at 0-6): a.long has the " \
           "higher priority (1 > 0)\n" \
           f"      t = \"5\" from '5'  set at {tmp_path / 'r.ie'}:2:29\n" in out


def test_pytest_plugin_collects_one_item_per_example(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "money.ie").write_text((BROKEN / "money.ie").read_text())
    (tmp_path / "pytest.ini").write_text("[pytest]\nierun_rules = rules\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "engine")}
    from importlib.metadata import entry_points
    installed = any(ep.name == "ierun" for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "ierun.testing.pytest_plugin"]  # the entry point loads it when installed
    out = subprocess.run([sys.executable, "-m", "pytest", *plugin, "rules", "-v", "-p", "no:cacheprovider"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "rules/money.ie::money.dollars::example0 PASSED" in out.stdout
    assert "rules/money.ie::money.dollars::example1 FAILED" in out.stdout
    assert "rules/money.ie::money.yen::counter1 PASSED" in out.stdout
    assert "FAIL money.dollars example 'paid $5 million'\n  expected: amount=5000000\n" \
           "  got:      amount=5000, currency=USD  (from '$5 million' at 5-15)" in out.stdout
    assert "1 failed, 4 passed" in out.stdout


def test_hypothesis_option_reports_a_shrunk_counter_example(tmp_path, capsys):
    (tmp_path / "d.ie").write_text('''fact D { date: date }
rule d.feb -> D {
    match "Feb" day:NUMBER
    date = date(day, "Feb", "2024")
    example "on Feb 26" { date: "2024-02-26" }
}
''')
    assert main(["test", str(tmp_path), "-q", "--hypothesis", "--examples", "50"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 passed, 0 failed"
    assert out[1].startswith(f"{tmp_path / 'd.ie'}:2:6: FAIL d.feb: failed  d.feb (0, ")
    assert out[2].startswith("  minimal text: 'Feb ")
    assert out[-1] == "hypothesis: 0 passed, 1 failed"
