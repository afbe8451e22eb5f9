"""Explanations as text for people: the outcome, the reason, the fields and where they were set, and for a
failure the elements matched and the failing element's rule line with a caret under it (as compile errors
show it). Made only at the edge: `ierun explain`, the reports of `ierun test`."""
from __future__ import annotations

import json


def _caret(loc, indent: str = "      ") -> list[str]:
    """The rule file's line at `loc` with a caret under the element (as compile errors show it)."""
    if loc is None:
        return []
    line = loc.source.line(loc.line)
    if not line:
        return []
    width = max(1, min((loc.end_col or loc.col + 1) - loc.col, len(line) - loc.col + 1))
    return [indent + line, indent + " " * (loc.col - 1) + "^" * width]


def render(e, indent: str = "") -> str:
    """One explanation as text for people."""
    head = f"{e.doc}: " if e.doc not in (None, "<text>") else ""
    lines = [f"{head}{e.rule}: {e.outcome}" + (f"  ({e.rule_loc})" if e.rule_loc is not None else ""),
             f"  {e.reason}"]
    if e.fact is not None:
        spans = e.fact.get("field_spans", {})
        for name, value in e.fact.get("fields", {}).items():
            span = spans.get(name)
            took = f" from {e.fact['text'][span[0] - e.fact['start']:span[1] - e.fact['start']]!r}" if span else ""
            lines.append(f"  {name} = {json.dumps(value, ensure_ascii=False)}{took}  set at {e.field_sources.get(name)}")
    if e.failed_at is not None:
        best = e.attempts[0] if e.attempts else None
        if best is not None:
            for s in best.matched:
                lines.append(f"  matched {s.element} = {s.text!r} at {s.start}-{s.end}  ({s.source})")
        lines.extend(_caret(e.failed_at.loc))
        for other in e.attempts[1:]:
            if other.failed_at is not None:
                lines.append(f"  also from offset {other.start}: {other.failed_at.source} expected "
                             f"{other.failed_at.expected}, found {other.failed_at.found!r}")
    return "\n".join(indent + line for line in lines)
