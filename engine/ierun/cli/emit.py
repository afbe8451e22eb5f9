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
    """Collects one document's facts and prints them aligned."""

    HEAD = ("doc", "type", "rule", "span", "text", "fields")

    def __init__(self, out):
        self.out = out
        self.header_done = False

    def write(self, facts: list[dict]) -> None:
        rows = [(str(f["doc"]), f["type"], f["rule"], f"{f['start']}-{f['end']}",
                 " ".join(f["text"].split()), _fields(f)) for f in facts]
        if not rows:
            return
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(self.HEAD)]
        widths[4] = min(widths[4], 50)
        if not self.header_done:
            self.out.write("  ".join(h.ljust(w) for h, w in zip(self.HEAD, widths)).rstrip() + "\n")
            self.header_done = True
        for r in rows:
            cells = list(r)
            if len(cells[4]) > 50:
                cells[4] = cells[4][:49] + "…"
            self.out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n")
