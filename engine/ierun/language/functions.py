"""The built-in functions of field expressions: their signatures (for checking) and implementations."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from . import normalize as N
from .currency import is_currency


@dataclass(frozen=True)
class Builtin:
    min_args: int
    max_args: int | None
    result: str
    impl: Callable  # impl(ctx, *args); args are None when a capture did not take part
    doc: str
    needs_published: bool = False


def _text(v):
    return None if v is None else " ".join(str(v).split())


def _number(ctx, x):
    return None if x is None else (x if isinstance(x, Decimal) else N.number(str(x)))


def _int(ctx, x):
    return None if x is None else N.whole(x, "whole number")


def _date(ctx, day, mon, year=None):
    if day is None or mon is None:
        return None
    return N.make_date(day, mon, year, ctx.published)


def _currency(ctx, x):
    if x is None:
        return None
    code = str(x).strip().upper()
    if not is_currency(code):
        raise N.NormalizationError(f"not an ISO 4217 currency code: {x!r}")
    return code


def _str1(f):
    return lambda ctx, x: None if x is None else f(_text(x))


def _concat(ctx, *xs):
    parts = [_text(x) for x in xs if x is not None]
    return " ".join(p for p in parts if p) or None


def _required(ctx, x):
    if x is None:
        raise N.NormalizationError("a required value is missing")
    return x


BUILTINS: dict[str, Builtin] = {
    "required": Builtin(1, 1, "same", _required, "the value; when it is missing the candidate is dropped"),
    "number": Builtin(1, 1, "decimal", _number, "digits, digit groups, fractions or number words -> decimal"),
    "int": Builtin(1, 1, "int", _int, "a whole number"),
    "date": Builtin(2, 3, "date", _date, "date(day, month, year?): the year inferred from the publication date "
                    "when omitted", needs_published=True),
    "iso_date": Builtin(1, 1, "date", lambda ctx, x: None if x is None else N.iso_date(x), "YYYY-MM-DD -> date"),
    "published": Builtin(0, 0, "date", lambda ctx: ctx.published, "the document's publication date",
                         needs_published=True),
    "currency": Builtin(1, 1, "currency", _currency, "an ISO 4217 code, checked"),
    "text": Builtin(1, 1, "str", _str1(lambda s: s), "the text, white space folded"),
    "trim": Builtin(1, 1, "str", _str1(N.trim), "white space folded, surrounding punctuation removed"),
    "title": Builtin(1, 1, "str", _str1(N.title_case), "Title Case for all-caps or all-lower words"),
    "upper": Builtin(1, 1, "str", _str1(str.upper), "upper case"),
    "lower": Builtin(1, 1, "str", _str1(str.lower), "lower case"),
    "concat": Builtin(1, None, "str", _concat, "the texts joined by one space, missing ones skipped"),
    "list": Builtin(1, None, "list", lambda ctx, *xs: [x for x in xs if x is not None], "a list"),
}
