"""Typed facts, as objects and as the JSON Lines contract:
{"doc", "type", "rule", "start", "end", "text", "fields", "field_spans"}."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .language.values import to_json


@dataclass(frozen=True, slots=True)
class Fact:
    type: str
    rule: str
    start: int
    end: int
    text: str
    fields: dict[str, Any]
    field_spans: dict[str, tuple[int, int] | None]
    priority: int = 0
    doc: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "type": self.type,
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "fields": {k: to_json(v) for k, v in self.fields.items()},
            "field_spans": {k: (list(v) if v else None) for k, v in self.field_spans.items()},
        }
