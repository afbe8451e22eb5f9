"""What the matcher did with each candidate of a document, as data (`Extractor.run(..., trace=True)`): kept,
dropped by overlap resolution, or failed while its field values were computed. Text is made from these only
at the edge (`--explain matches`, the reports of `ierun test`), by `render`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kept:
    rule: str
    span: tuple[int, int]
    text: str
    fields: dict

    def render(self) -> str:
        return f"kept    {self.rule} {self.span} {self.text!r} {self.fields}"


@dataclass(frozen=True, slots=True)
class Dropped:
    """Overlap resolution kept `winner` (a rule and its span) where this candidate stood."""

    rule: str
    span: tuple[int, int]
    text: str
    winner: str
    winner_span: tuple[int, int]

    def render(self) -> str:
        return f"dropped {self.rule} {self.span} {self.text!r}: overlaps {self.winner} {self.winner_span}"


@dataclass(frozen=True, slots=True)
class Failed:
    """A field value could not be computed; `reason` is the NormalizationError's kind (`no such date` for a
    day the calendar does not have, `value` otherwise)."""

    rule: str
    span: tuple[int, int]
    text: str
    message: str
    reason: str = "value"

    def render(self) -> str:
        return f"failed  {self.rule} {self.span} {self.text!r}: {self.message}"


Event = Kept | Dropped | Failed
