"""Evaluating field expressions: no Python eval; exact decimals; the spans each value came from."""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from decimal import Decimal

from . import ast as A
from . import ir
from .functions import BUILTINS
from .normalize import NormalizationError
from .tokens import phrase_key

CONTEXT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.DivisionByZero])


@dataclass
class Env:
    """What a candidate's expressions can see."""

    text: str
    captures: dict[str, tuple[int, int]]        # capture name -> span (white space trimmed)
    facts: dict[str, object] = field(default_factory=dict)  # capture name -> Fact, for <Type> captures
    published: dt.date | None = None
    lexicons: dict[str, ir.Lexicon] = field(default_factory=dict)


def evaluate(e, env: Env, spans: list):
    """The value of e (None when a capture did not take part); spans used are appended to `spans`."""
    if isinstance(e, A.ELit):
        return e.value.value
    if isinstance(e, A.ECapture):
        span = env.captures.get(e.name)
        if span is None:
            return None
        spans.append(span)
        return " ".join(env.text[span[0]:span[1]].split())
    if isinstance(e, A.EFactField):
        f = env.facts.get(e.capture)
        if f is None:
            return None
        spans.append(f.field_spans.get(e.field) or f.span)
        return f.fields.get(e.field)
    if isinstance(e, A.ELexicon):
        arg = evaluate(e.arg, env, spans)
        if arg is None:
            return None
        lex = env.lexicons[e.lexicon]
        return lex.values.get(phrase_key(str(arg), lex.case_sensitive))
    if isinstance(e, A.ECall):
        args = [evaluate(a, env, spans) for a in e.args]
        return BUILTINS[e.func].impl(env, *args)
    if isinstance(e, A.ENeg):
        v = evaluate(e.operand, env, spans)
        return None if v is None else -_num(v)
    if isinstance(e, A.EBinary):
        if e.op == "??":
            mark = len(spans)
            v = evaluate(e.left, env, spans)
            if v is not None:
                return v
            del spans[mark:]
            return evaluate(e.right, env, spans)
        a, b = evaluate(e.left, env, spans), evaluate(e.right, env, spans)
        if a is None or b is None:
            return None
        a, b = _num(a), _num(b)
        try:
            if e.op == "+":
                return CONTEXT.add(a, b)
            if e.op == "-":
                return CONTEXT.subtract(a, b)
            if e.op == "*":
                return CONTEXT.multiply(a, b)
            return CONTEXT.divide(a, b)
        except (decimal.DivisionByZero, decimal.InvalidOperation):
            raise NormalizationError(f"cannot compute {a} {e.op} {b}") from None
    raise TypeError(e)


def _num(v) -> Decimal:
    if isinstance(v, bool):
        raise NormalizationError(f"not a number: {v!r}")
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    raise NormalizationError(f"not a number: {v!r}")


def field_value(value, t: A.TypeRef):
    """Runtime coercion to the field's type."""
    if value is None:
        if t.optional:
            return None
        raise NormalizationError("no value for a required field")
    if t.is_list:
        return list(value) if isinstance(value, (list, tuple)) else [value]
    name = t.name
    if name == "decimal" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value)
    if name == "int" and isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if name == "currency" and isinstance(value, str):
        from .functions import _currency
        return _currency(None, value)
    expect = {"str": str, "int": int, "decimal": Decimal, "date": dt.date, "bool": bool}.get(name)
    if expect is not None and not isinstance(value, expect):
        raise NormalizationError(f"a {type(value).__name__} value for a '{t}' field")
    return value
