"""Rules nested very deeply are refused with a file:line:col error (E122), never a RecursionError traceback:
a chain of 3,000 named patterns, 900 nested parentheses, YAML nested 5,000 levels deep. Each is run through
the CLI as a user would run it (a new process: the stack depth is the real one), by `ierun check` and by
an extraction."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HINT = "  hint: split the pattern into a few named patterns of moderate depth, or flatten the groups\n"


def chain(n: int) -> str:
    """n named patterns, each the one before (defined last first: the cycle check walks the whole chain)."""
    lines = ["fact T { x: str }"] + [f"pattern p{i} = %p{i - 1}" for i in range(n - 1, 0, -1)]
    return "\n".join(lines + ['pattern p0 = "a"', f"rule r -> T {{\n    match x:%p{n - 1}\n    x = x\n}}"]) + "\n"


def parens(n: int) -> str:
    return 'fact T { x: str }\nrule r -> T {\n    match x:' + "(" * n + '"a" "b"' + ")" * n + "\n    x = x\n}\n"


def deep_yaml(n: int) -> str:
    return "facts:\n  T:\n    fields: {x: str}\nrules:\n  r: " + "[" * n + "1" + "]" * n + "\n"


CASES = {
    # name: (file name, text, the first line of the report, the hint)
    "chain": ("chain.ie", chain(3000), "chain.ie:2901:9: error[E122]: named pattern '%p100' nested deeper than "
              "100 levels (with the named patterns it uses)\n", HINT),
    "parens": ("parens.ie", parens(900), "parens.ie:3:210: error[E122]: rule file nested deeper than 100 levels\n",
               HINT),
    "yaml": ("deep.yaml", deep_yaml(5000), "deep.yaml:5:104: error[E122]: YAML nested deeper than 100 levels\n",
             "  hint: a rule file needs only a few levels\n"),
}


def ierun(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine"), IERUN_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m", "ierun", *args], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["check", "extract"])
def test_deep_rules_are_a_clean_error(case, command, tmp_path):
    name, text, first, hint = CASES[case]
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "a.txt").write_text("a b\n", encoding="utf-8")
    done = ierun(tmp_path, "check", name) if command == "check" else ierun(tmp_path, name, "a.txt")
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines(keepends=True)
    assert lines[0] == first
    assert hint in lines
    assert lines[-1] == "1 error\n"


def test_the_limit_leaves_moderate_nesting_alone(tmp_path):
    """90 named patterns in a chain and 90 nested groups are fine, and match."""
    (tmp_path / "ok.ie").write_text(chain(90).replace("rule r", "rule a") + parens(90).replace(
        "fact T { x: str }\nrule r", "rule b"), encoding="utf-8")
    (tmp_path / "a.txt").write_text("a b\nthen a\n", encoding="utf-8")
    done = ierun(tmp_path, "ok.ie", "a.txt")
    assert (done.returncode, done.stderr) == (0, "")
    assert [line.split('"rule": ')[1][:3] for line in done.stdout.splitlines()] == ['"b"', '"a"']
