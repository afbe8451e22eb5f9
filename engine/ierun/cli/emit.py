"""Writers: JSON Lines (the contract) and an aligned table for a person at a terminal."""
from __future__ import annotations

import json

from ..language.values import to_json


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for all lines
_STRING = json.encoder.encode_basestring  # what that encoder does with a string (in C where it can)


def jsonl_line(fact_dict: dict) -> str:
    return _ENCODE(fact_dict) + "\n"


def _value(v) -> str:
    if isinstance(v, str):
        return _STRING(v)
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, list):
        return "[" + ", ".join(map(_value, v)) + "]"
    return _ENCODE(v)


def fact_line(f) -> str:
    """`jsonl_line(f.to_dict())`, the same characters, written directly (the hot path of a corpus run)."""
    fields = ", ".join(f"{_STRING(k)}: {_value(to_json(v))}" for k, v in f.fields.items())
    spans = ", ".join(f"{_STRING(k)}: {'null' if s is None else f'[{s[0]}, {s[1]}]'}" for k, s in f.field_spans.items())
    return (f'{{"doc": {_value(f.doc)}, "type": {_STRING(f.type)}, "rule": {_STRING(f.rule)}, "start": {f.start}, '
            f'"end": {f.end}, "text": {_STRING(f.text)}, "fields": {{{fields}}}, "field_spans": {{{spans}}}}}\n')


def _fields(d: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in d["fields"].items() if v is not None)


class TableWriter:
    """An aligned table for a person: rows are kept and written at the end (`close`), so that the columns line
    up across all documents. Not resumable (`--resume` needs the JSON Lines format)."""

    HEAD = ("doc", "type", "rule", "span", "text", "fields")
    TEXT_WIDTH = 50

    def __init__(self, out):
        self.out = out
        self.rows: list[tuple[str, ...]] = []

    def write(self, facts: list[dict]) -> None:
        self.rows += [(str(f["doc"]), f["type"], f["rule"], f"{f['start']}-{f['end']}",
                       _cut(" ".join(f["text"].split()), self.TEXT_WIDTH), _fields(f)) for f in facts]

    def close(self) -> None:
        """Write the rows kept so far, aligned (nothing at all when no fact was found)."""
        rows, self.rows = self.rows, []
        if not rows:
            return
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(self.HEAD)]
        for r in [self.HEAD] + rows:
            self.out.write("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
