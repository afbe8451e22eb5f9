"""Evaluating field expressions: no Python eval; exact decimals; the spans each value came from."""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from decimal import Decimal

from ..language import nodes as A
from ..language import ir
from ..language.functions import BUILTINS
from ..language.visit import ExprVisitor
from ..language.normalize import NormalizationError
from ..language.tokens import phrase_key

CONTEXT = decimal.Context(prec=60, traps=[decimal.InvalidOperation, decimal.DivisionByZero])


@dataclass
class Env:
    """What a candidate's expressions can see."""

    text: str
    captures: dict[str, tuple[int, int]]        # capture name -> span (white space trimmed)
    facts: dict[str, object] = field(default_factory=dict)  # capture name -> Fact, for <Type> captures
    published: dt.date | None = None
    lexicons: dict[str, ir.Lexicon] = field(default_factory=dict)


class _ExprCompiler(ExprVisitor):
    """e as a function (env, spans) -> its value (None when a capture did not take part); the spans used
    are appended to `spans`. Compiled once per rule, so a fact costs no walking of the expression tree."""

    def visit_ELit(self, e):
        value = e.value.value
        return lambda env, spans: value

    def visit_ECapture(self, e):
        name = e.name

        def capture(env, spans):
            span = env.captures.get(name)
            if span is None:
                return None
            spans.append(span)
            return " ".join(env.text[span[0]:span[1]].split())
        return capture

    def visit_EFactField(self, e):
        cap, fld = e.capture, e.field

        def fact_field(env, spans):
            f = env.facts.get(cap)
            if f is None:
                return None
            spans.append(f.field_spans.get(fld) or f.span)
            return f.fields.get(fld)
        return fact_field

    def visit_ELexicon(self, e):
        arg, lexicon = self.visit(e.arg), e.lexicon

        def lookup(env, spans):
            value = arg(env, spans)
            if value is None:
                return None
            lex = env.lexicons[lexicon]
            return lex.values.get(phrase_key(str(value), lex.case_sensitive))
        return lookup

    def visit_ECall(self, e):
        args, impl = [self.visit(a) for a in e.args], BUILTINS[e.func].impl
        return lambda env, spans: impl(env, *[a(env, spans) for a in args])

    def visit_ENeg(self, e):
        operand = self.visit(e.operand)

        def neg(env, spans):
            v = operand(env, spans)
            return None if v is None else -_num(v)
        return neg

    def visit_EBinary(self, e):
        left, right, op = self.visit(e.left), self.visit(e.right), e.op
        if op == "??":
            def first(env, spans):
                mark = len(spans)
                v = left(env, spans)
                if v is not None:
                    return v
                del spans[mark:]
                return right(env, spans)
            return first
        compute = {"+": CONTEXT.add, "-": CONTEXT.subtract, "*": CONTEXT.multiply, "/": CONTEXT.divide}[op]

        def arithmetic(env, spans):
            a, b = left(env, spans), right(env, spans)
            if a is None or b is None:
                return None
            a, b = _num(a), _num(b)
            try:
                return compute(a, b)
            except (decimal.DivisionByZero, decimal.InvalidOperation):
                raise NormalizationError(f"cannot compute {a} {op} {b}") from None
        return arithmetic


_COMPILER = _ExprCompiler()


def compile_expr(e):
    """e as a function (env, spans) -> its value (see _ExprCompiler)."""
    return _COMPILER.visit(e)


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
        return BUILTINS["currency"].impl(None, value)  # checked as the currency() function checks it
    expect = {"str": str, "int": int, "decimal": Decimal, "date": dt.date, "bool": bool}.get(name)
    if expect is not None and not isinstance(value, expect):
        raise NormalizationError(f"a {type(value).__name__} value for a '{t}' field")
    return value
