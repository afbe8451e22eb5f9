"""Diagnostics: `path:line:col: error[CODE]: message`, the source line, a caret, a hint.

Every stage reports problems as `Diagnostic`s; a stage collects all of them and raises one `IerunError`.
Exceptions keep their diagnostics as fields and pickle (multiprocessing moves them between workers).
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

MAX_ERRORS = 50

from .messages import CODES, Message  # noqa: E402  (the catalogue: every code, template and hint)


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # a folder removed under the process
        return ""


@dataclass(frozen=True, slots=True)
class Source:
    """A text that rules were read from: a file, or the string a test passed. `path` is as it was given, relative
    to `cwd`, the folder the process was in then (a cached plan may be used from another folder)."""

    path: str
    text: str = field(repr=False)
    cwd: str = field(default_factory=_cwd, repr=False, compare=False)

    @property
    def full_path(self) -> str:
        """The file's absolute path (`path` itself for a string's name such as "<string>")."""
        if self.path.startswith("<") or os.path.isabs(self.path) or not self.cwd:
            return self.path
        return os.path.normpath(os.path.join(self.cwd, self.path))

    @property
    def shown(self) -> str:
        """The path for messages: as given when read from here; else relative to this folder below it, absolute
        elsewhere."""
        if self.path.startswith("<") or os.path.isabs(self.path) or self.cwd == _cwd():
            return self.path
        full = self.full_path
        try:
            relative = os.path.relpath(full)
        except ValueError:  # another drive
            return full
        return full if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative

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
        return f"{self.source.shown}:{self.line}:{self.col}"

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

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"error code {self.code} is not in the catalogue (messages.CODES)")

    @property
    def severity(self) -> str:
        """'warning' for the lint codes (Wxxx), else 'error'."""
        return "warning" if self.code.startswith("W") else "error"

    def render(self, severity: str | None = None) -> str:
        """The diagnostic as shown; `severity` overrides 'warning'/'error' (`ierun check --strict`)."""
        where = f"{self.loc}: " if self.loc else ""
        out = [f"{where}{severity or self.severity}[{self.code}]: {self.message}"]
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

    def error(self, message: Message, loc: Loc | None, hint: str | None = None, **values) -> None:
        """Record the catalogue's `message` (messages.Errors) with its fields filled in; `hint`, when given,
        replaces the catalogue's hint (for hints computed where the problem is found)."""
        self.items.append(diagnostic(message, loc, hint, **values))

    def extend(self, diagnostics) -> None:
        self.items.extend(diagnostics)

    def raise_if_any(self) -> None:
        if self.items:
            raise RuleError(self.items)


def diagnostic(message: Message, loc: Loc | None, hint: str | None = None, **values) -> Diagnostic:
    """A Diagnostic from the catalogue's `message` (messages.Errors), its fields filled in."""
    text, default_hint = message.render(**values)
    return Diagnostic(message.code, text, loc, hint if hint is not None else default_hint)


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
