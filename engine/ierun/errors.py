"""Diagnostics: `path:line:col: error[CODE]: message`, the source line, a caret, a hint.

Every stage reports problems as `Diagnostic`s; a stage collects all of them and raises one `IerunError`.
Exceptions keep their diagnostics as fields and pickle (multiprocessing moves them between workers).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

MAX_ERRORS = 50

# The stable error codes. The message spec is the test suite (tests/test_errors.py).
CODES = {
    "E001": "syntax error in a rule file",
    "E002": "YAML syntax error",
    "E003": "wrong structure in a YAML rule file",
    "E004": "unreadable rule file",
    "E101": "unknown fact type",
    "E102": "duplicate name",
    "E103": "unknown lexicon",
    "E104": "unknown named pattern",
    "E105": "unknown capture",
    "E106": "missing required field",
    "E107": "unknown field",
    "E108": "type mismatch",
    "E109": "invalid currency code",
    "E110": "cycle",
    "E111": "invalid regular expression",
    "E112": "missing lexicon file",
    "E113": "lexicon file outside the rules directory",
    "E114": "example does not type-check",
    "E115": "unknown function or wrong arguments",
    "E116": "unknown type",
    "E117": "bad lexicon entry",
    "E118": "pattern can match empty text",
    "E119": "bad option value",
    "E120": "unknown fact field",
    "E121": "no rule files",
    "E122": "a rule too large: nested too deeply or repeated too many times",
    "E201": "a rule ran out of time on a document",
}


@dataclass(frozen=True, slots=True)
class Source:
    """A text that rules were read from: a file, or the string a test passed."""

    path: str
    text: str = field(repr=False)

    def line(self, n: int) -> str:
        lines = self.text.splitlines()
        return lines[n - 1] if 0 < n <= len(lines) else ""


@dataclass(frozen=True, slots=True)
class Loc:
    """A position in a rule file (1-based line and column); `end_col` is exclusive, on the same line."""

    source: Source = field(repr=False)
    line: int
    col: int
    end_col: int = 0

    @property
    def path(self) -> str:
        return self.source.path

    def __str__(self) -> str:
        return f"{self.source.path}:{self.line}:{self.col}"

    @staticmethod
    def at_offset(source: Source, offset: int, length: int = 1) -> "Loc":
        text = source.text
        offset = max(0, min(offset, len(text)))
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return Loc(source, line, col, col + max(1, length))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    loc: Loc | None
    hint: str | None = None

    def render(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        out = [f"{where}error[{self.code}]: {self.message}"]
        if self.loc is not None:
            text = self.loc.source.line(self.loc.line)
            if text:
                width = max(1, (self.loc.end_col or self.loc.col + 1) - self.loc.col)
                width = min(width, max(1, len(text) - self.loc.col + 1))
                out.append(f"    {text}")
                out.append("    " + " " * (self.loc.col - 1) + "^" * width)
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def sort_key(self):
        return (self.loc.path, self.loc.line, self.loc.col) if self.loc else ("", 0, 0)


class IerunError(Exception):
    """A problem a user can act on; never shown as a traceback."""

    def __init__(self, diagnostics):
        self.diagnostics = tuple(diagnostics)
        super().__init__(self.diagnostics)

    def __reduce__(self):
        return (type(self), (self.diagnostics,))

    def __str__(self) -> str:
        shown = sorted(self.diagnostics, key=Diagnostic.sort_key)[:MAX_ERRORS]
        parts = [d.render() for d in shown]
        more = len(self.diagnostics) - len(shown)
        if more > 0:
            parts.append(f"... and {more} more errors")
        n = len(self.diagnostics)
        parts.append(f"{n} error{'s' if n != 1 else ''}")
        return "\n".join(parts)


class RuleError(IerunError):
    """One or more rule files are wrong (exit code 1 of `ierun check`)."""


class Collector:
    """Collects diagnostics of one stage; `raise_if_any` raises them once."""

    def __init__(self):
        self.items: list[Diagnostic] = []

    def error(self, code: str, message: str, loc: Loc | None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, loc, hint))

    def extend(self, diagnostics) -> None:
        self.items.extend(diagnostics)

    def raise_if_any(self) -> None:
        if self.items:
            raise RuleError(self.items)


def did_you_mean(name: str, known, prefix: str = "") -> str | None:
    """A hint naming the closest known name, or the list of known names when few."""
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{prefix}{close[0]}'?"
    if not known:
        return None
    if len(known) <= 8:
        return "known: " + ", ".join(prefix + k for k in known)
    return None
