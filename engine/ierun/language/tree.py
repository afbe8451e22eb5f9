"""Tree utilities every stage may use: the children of a node, pre-order walks, the fewest tokens a pattern
consumes, what a capture captures. Built on the visitors of visit.py (the checker's passes are in check.py)."""
from __future__ import annotations

import regex

from . import nodes as A
from .visit import ExprVisitor, PatternVisitor


class _Children(PatternVisitor):
    def visit_Lit(self, node):
        return ()

    visit_TokenClass = visit_Regex = visit_LexRef = visit_PatRef = visit_FactRef = visit_TokenConstraint = visit_Lit

    def visit_Seq(self, node):
        return node.items

    def visit_Alt(self, node):
        return node.branches

    def visit_Repeat(self, node):
        return (node.item,)

    visit_Capture = visit_Repeat

    def visit_Look(self, node):
        return (node.pattern,)


_CHILDREN = _Children()


def children(node) -> tuple:
    """The patterns directly inside a pattern node."""
    return _CHILDREN.visit(node)


def walk(node):
    """The pattern node and every node inside it, in pre-order."""
    yield node
    for child in _CHILDREN.visit(node):
        yield from walk(child)


class _ExprChildren(ExprVisitor):
    def visit_ELit(self, e):
        return ()

    visit_ECapture = visit_EFactField = visit_ELit

    def visit_ELexicon(self, e):
        return (e.arg,)

    def visit_ECall(self, e):
        return e.args

    def visit_EBinary(self, e):
        return (e.left, e.right)

    def visit_ENeg(self, e):
        return (e.operand,)


_EXPR_CHILDREN = _ExprChildren()


def exprs(e):
    """The expression and every expression inside it, in pre-order."""
    yield e
    for child in _EXPR_CHILDREN.visit(e):
        yield from exprs(child)


_FLAGS = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL, "x": regex.VERBOSE}


def regex_flags(flags: str) -> int:
    out = regex.V0
    for c in flags:
        out |= _FLAGS[c]
    return out


def compile_rule_regex(source: str, flags: str = ""):
    """A rule's embedded regex, compiled as the engine compiles it (VERSION0); every complaint is a
    regex.error, including those `regex` raises as a ValueError (flags that exclude each other: `(?V1)`
    against VERSION0, `(?au)`)."""
    try:
        return regex.compile(source, regex_flags(flags))
    except ValueError as err:
        raise regex.error(str(err)) from None


class MinTokens(PatternVisitor):
    """The fewest tokens a pattern consumes (0: it can match empty text). `patterns` resolves `%name`
    references (name -> pattern; names in `bad` are not followed); lowered patterns (the IR) have none."""

    def __init__(self, patterns=None, bad=frozenset()):
        self.patterns = patterns or {}
        self.bad = bad

    def __call__(self, node, depth: int = 0) -> int:
        return 1 if depth > 50 else self.visit(node, depth)

    def visit_Lit(self, node, depth):
        return 1

    visit_TokenClass = visit_LexRef = visit_FactRef = visit_TokenConstraint = visit_Lit

    def visit_Regex(self, node, depth):
        try:
            return 0 if compile_rule_regex(node.source, node.flags).fullmatch("") else 1
        except regex.error:
            return 1

    def visit_PatRef(self, node, depth):
        p = self.patterns.get(node.name)
        return 1 if p is None or node.name in self.bad else self(p, depth + 1)

    def visit_Seq(self, node, depth):
        return sum(self(i, depth) for i in node.items)

    def visit_Alt(self, node, depth):
        return min(self(b, depth) for b in node.branches)

    def visit_Repeat(self, node, depth):
        return node.min * self(node.item, depth)

    def visit_Capture(self, node, depth):
        return self(node.item, depth)

    def visit_Look(self, node, depth):
        return 0


def nullable(node) -> bool:
    """Can the (IR) pattern match empty text?"""
    return MinTokens()(node) == 0


def capture_kind(node: A.Capture) -> tuple[str, str | None]:
    """What a capture captures: ('fact', TYPE) for <Type> (repeated or not), ('lex', NAME) for @name, else
    ('text', None)."""
    item = node.item.item if isinstance(node.item, A.Repeat) else node.item
    if isinstance(item, A.FactRef):
        return "fact", item.type
    if isinstance(item, A.LexRef):
        return "lex", item.name
    return "text", None
