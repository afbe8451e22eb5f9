"""Scoring schemes: how `ierun eval` compares a fact type's facts with gold facts. The engine knows no fact
type: each rule set declares its schemes as data beside its rules (`scoring.toml` files anywhere under the
rule paths), e.g. rules/money/scoring.toml:

    [Money]
    gold = "money"                 # the gold record's key holding these facts
    shape = "list"                 # list: a list of fact objects; one: one object or null; value: one value or null
    [Money.measures]
    strict = ["amount:decimal", "amount_max:decimal", "currency:code"]
    amount = ["amount:decimal", "amount_max:decimal"]

A measure's key is the tuple of its normalized fields (a bare value when it names one field). Normalizers:
`decimal` (exact, commas dropped), `text` (white space collapsed, lower case), `place` (text without trailing
punctuation), `code` (the value, empty as null), `exact` (the value as it is)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import Loc, RuleError, Source, diagnostic
from ..messages import Errors

SCORING_FILE = "scoring.toml"
SHAPES = ("list", "one", "value")


def _text(x):
    return None if x is None else re.sub(r"\s+", " ", str(x)).strip().lower() or None


def _decimal(x):
    if x is None or x == "":
        return None
    try:
        return Decimal(str(x).replace(",", "")).normalize()
    except InvalidOperation:
        return ("bad", str(x))


def _place(x):
    x = _text(x)
    return None if x is None else x.rstrip(" ,.-–—")


NORMALIZERS = {"decimal": _decimal, "text": _text, "place": _place, "code": lambda x: x or None,
               "exact": lambda x: x}


@dataclass(frozen=True)
class Measure:
    name: str
    fields: tuple[tuple[str, str], ...]  # (field, normalizer)

    def key(self, fields: dict):
        parts = tuple(NORMALIZERS[norm](fields.get(name)) for name, norm in self.fields)
        return parts[0] if len(parts) == 1 else parts


@dataclass(frozen=True)
class Scheme:
    fact_type: str
    gold: str
    shape: str
    measures: tuple[Measure, ...]
    value_field: str = "text"  # shape "value": the field the gold value stands for

    def gold_facts(self, record: dict) -> list[dict] | None:
        """The gold facts of one article; None when the record does not score this type."""
        v = record.get(self.gold, _ABSENT)
        if v is _ABSENT:
            return None
        if self.shape == "value":
            return [] if v is None else [{self.value_field: v}]
        if self.shape == "one":
            return [] if v is None else [v]
        return v


_ABSENT = object()


def find_scoring_files(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob(SCORING_FILE) if f.is_file()))
        elif p.is_file() and p.name == SCORING_FILE:
            out.append(p)
    return out


def load_schemes(paths, facts: dict) -> dict[str, Scheme]:
    """The scoring schemes declared under the rule paths, checked against the rule set's fact types
    (`facts`: name -> fact type with `.field(name)`), in the order the fact types are declared."""
    problems, found = [], {}
    for path in find_scoring_files(paths):
        for scheme in _read(path, facts, problems):
            if scheme.fact_type in found:
                problems.append(diagnostic(Errors.SCORING_TWICE, None, path=path, fact=scheme.fact_type))
            found[scheme.fact_type] = scheme
    if problems:
        raise RuleError(problems)
    return {name: found[name] for name in facts if name in found}


def _read(path: Path, facts: dict, problems: list) -> list[Scheme]:
    text = path.read_text(encoding="utf-8")
    src = Source(str(path), text)

    def bad(message, needle=None, **values):
        offset = text.find(needle) if needle else -1
        problems.append(diagnostic(message, Loc.at_offset(src, offset, len(needle)) if offset >= 0 else
                                   Loc(src, 1, 1, 2), **values))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        loc = Loc(src, int(m.group(1)), int(m.group(2)), int(m.group(2)) + 1) if m else Loc(src, 1, 1, 2)
        problems.append(diagnostic(Errors.SCORING_NOT_TOML, loc, reason=str(err).split(' (at')[0]))
        return []
    out = []
    for type_name, table in data.items():
        fact = facts.get(type_name)
        if fact is None:
            bad(Errors.SCORING_UNKNOWN_FACT, f"[{type_name}]", fact=type_name)
            continue
        if not isinstance(table, dict) or not isinstance(table.get("gold"), str) or \
                not isinstance(table.get("measures"), dict) or not table["measures"]:
            bad(Errors.SCORING_SHAPE, f"[{type_name}]", fact=type_name)
            continue
        shape = table.get("shape", "list")
        if shape not in SHAPES:
            bad(Errors.SCORING_BAD_SHAPE, "shape", fact=type_name, shapes=", ".join(SHAPES), shape=shape)
            continue
        value_field = table.get("field", "text")
        measures, ok = [], True
        for name, items in table["measures"].items():
            fields = []
            for item in items if isinstance(items, list) else [None]:
                field, _, norm = item.partition(":") if isinstance(item, str) else ("", "", "")
                norm = norm or "exact"
                if not field or norm not in NORMALIZERS:
                    bad(Errors.SCORING_ITEM, name, fact=type_name, measure=name, normalizers=", ".join(NORMALIZERS))
                    ok = False
                elif fact.field(field) is None:
                    bad(Errors.SCORING_UNKNOWN_FIELD, item, fact=type_name, measure=name, field=field)
                    ok = False
                else:
                    fields.append((field, norm))
            measures.append(Measure(name, tuple(fields)))
        if ok:
            out.append(Scheme(type_name, table["gold"], shape, tuple(measures), value_field))
    return out
