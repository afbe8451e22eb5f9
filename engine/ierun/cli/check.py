"""`ierun check RULES... [--strict]`: compile the rules as one rule set, report every error, then the lint
warnings (language/lint.py, testing/shadow.py). Warnings go to standard error and leave the exit code 0;
with --strict they are errors (exit 1). `# allow Wxxx` on a warning's line or its rule's line keeps it quiet."""
from __future__ import annotations

import sys

from ..errors import IerunError, RuleError


def check_sets(paths) -> list[list]:
    """The rule sets to check: several arguments are one rule set (as for extraction, `ierun test` and `ierun
    explain`); one directory with no rule files of its own (examples/) is a folder of rule sets."""
    from ..pipeline import rule_sets
    return rule_sets(paths) if len(paths) == 1 else [list(paths)]


def warnings_of(paths, prog, use_cache: bool = True) -> tuple[list, int]:
    """(the warnings shown, the number allowed by a comment) for a checked rule set."""
    from ..language.lint import allowed, lint
    from ..pipeline import RuleSet, load_plan
    from ..testing.shadow import shadowed
    found = lint(prog)
    found += shadowed(RuleSet(load_plan(paths, use_cache=use_cache)))
    shown = [f for f in found if not allowed(f)]
    shown.sort(key=lambda f: f.diagnostic.sort_key())
    return shown, len(found) - len(shown)


def cmd_check(argv) -> int:
    from .commands import _Parser
    p = _Parser(prog="ierun check", description="Compile rule files as one rule set; report every error, then "
                "warnings about rules likely to be wrong (W301-W307).")
    p.add_argument("rules", nargs="+", metavar="RULES", help="rule files or directories (together: one rule set)")
    p.add_argument("--strict", action="store_true", help="warnings are errors: exit 1 when any is shown "
                   "(default: off)")
    p.add_argument("--no-lint", action="store_true", help="errors only, no warnings (default: off)")
    a = p.parse_args(argv)
    from ..pipeline import load_checked
    status = 0
    for paths in check_sets(a.rules):
        try:
            prog, rs = load_checked(paths)
            shown, quiet = ([], 0) if a.no_lint else warnings_of(paths, prog)
        except IerunError as err:
            sys.stderr.write(str(err) + "\n")
            status = 1
            continue
        names = " ".join(map(str, paths))
        if shown:
            severity = "error" if a.strict else "warning"
            for f in shown:
                sys.stderr.write(f.diagnostic.render(severity) + "\n")
            n = len(shown)
            sys.stderr.write(f"{names}: {n} warning{'s' if n != 1 else ''}" + (f" ({quiet} allowed)" if quiet else "")
                             + (" (--strict: errors)" if a.strict else "") + "\n")
        if a.strict and shown:
            status = 1
            continue
        sys.stdout.write(f"{names}: ok ({len(rs.facts)} fact types, {len(rs.lexicons)} lexicons, "
                         f"{len(rs.rules)} rules)\n")
    return status


__all__ = ["cmd_check", "check_sets", "warnings_of", "RuleError"]
