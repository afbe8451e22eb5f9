"""Typed values: coercing literals (lexicon values, example fields) to a field type, and JSON forms."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import nodes as A
from .currency import is_currency


class BadValue(ValueError):
    pass


def coerce(value: A.Value, t: A.TypeRef):
    """The typed Python value of a literal for type `t`, or BadValue with a message a person can act on."""
    if value.kind == "null":
        if t.optional:
            return None
        raise BadValue(f"null given for '{t}', which is not optional")
    if t.is_list:
        raise BadValue(f"a single value given for the list type '{t}'")
    return coerce_scalar(value.kind, value.value, t.name)


def coerce_scalar(kind: str, v, type_name: str):
    if type_name == "str":
        if kind == "str":
            return v
    elif type_name == "decimal":
        if kind == "num":
            return v
        if kind == "str":
            try:
                return Decimal(v.replace(",", ""))
            except Exception:
                raise BadValue(f"'{v}' is not a decimal number") from None
    elif type_name == "int":
        if kind in ("num", "str"):
            try:
                d = Decimal(str(v))
                if d == d.to_integral_value():
                    return int(d)
            except Exception:
                pass
            raise BadValue(f"'{v}' is not a whole number")
    elif type_name == "currency":
        if kind == "str":
            if is_currency(v):
                return v
            raise BadValue(f"'{v}' is not an ISO 4217 currency code")
    elif type_name == "date":
        if kind == "str":
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                raise BadValue(f"'{v}' is not a date (YYYY-MM-DD)") from None
    elif type_name == "bool":
        if kind == "bool":
            return v
    names = {"str": "a string", "num": "a number", "bool": "true or false"}
    raise BadValue(f"{names.get(kind, kind)} given where '{type_name}' is expected")


def to_json(v):
    """JSON form of a typed value: decimals as strings, dates as ISO strings."""
    if isinstance(v, Decimal):
        return format_decimal(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    return v


def format_decimal(d: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 1800000000, 0.25, 384300000."""
    d = d.normalize()
    s = format(d, "f")
    return "0" if s in ("-0", "0") else s


def same_value(expected, actual) -> bool:
    if isinstance(expected, Decimal) and isinstance(actual, (Decimal, int)):
        return expected == Decimal(actual)
    if isinstance(expected, str) and isinstance(actual, str):
        return " ".join(expected.split()) == " ".join(actual.split())
    return expected == actual
