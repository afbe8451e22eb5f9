"""One way to walk each tree: a visitor base for pattern nodes and one for expressions (lark's `Visitor`,
CPython's `ast.NodeVisitor`, but strict).

A walker subclasses `PatternVisitor` (or `IRPatternVisitor`, for the IR, where `%name` references are
inlined) or `ExprVisitor`, and writes one method per node class: `visit_Lit`, `visit_Seq`, ... The base checks
when the class is defined that every registered node kind has its method, so a new kind of pattern element
cannot be forgotten by one walker; a node of a kind registered after a walker was defined is refused when
that walker first meets it. `visit(node, *args)` calls the method for the node's class with the same
arguments."""
from __future__ import annotations

from . import nodes as A

# the registered node kinds (a new kind of element is added here, then every walker must handle it)
PATTERN_NODES: list[type] = [A.Lit, A.TokenClass, A.Regex, A.LexRef, A.PatRef, A.FactRef, A.Seq, A.Alt, A.Repeat,
                             A.Capture, A.Look, A.TokenConstraint]
EXPR_NODES: list[type] = [A.ELit, A.ECapture, A.EFactField, A.ELexicon, A.ECall, A.EBinary, A.ENeg]


class Unhandled(NotImplementedError):
    """A walker met a node kind it has no method for."""


class Visitor:
    """The strict base: see the module's documentation. Subclasses set NODES (the registry they walk) and
    SKIPS (registered kinds their tree never holds)."""

    NODES: list[type] = []
    SKIPS: tuple[type, ...] = ()
    _dispatch: dict

    def __init_subclass__(cls, abstract: bool = False, **kw):
        super().__init_subclass__(**kw)
        cls._dispatch = {}
        if not abstract:
            missing = cls.missing()
            if missing:
                raise TypeError(f"{cls.__qualname__} has no method for {', '.join(missing)}: a walker of this tree "
                                f"handles every kind of node (write visit_{missing[0]})")

    @classmethod
    def missing(cls) -> list[str]:
        """The registered node kinds this walker has no method for."""
        return [k.__name__ for k in cls.NODES if k not in cls.SKIPS and not hasattr(cls, "visit_" + k.__name__)]

    @classmethod
    def method(cls, kind: type):
        """The method for nodes of class `kind` (Unhandled when there is none)."""
        m = cls._dispatch.get(kind)
        if m is None:
            m = getattr(cls, "visit_" + kind.__name__, None)
            if m is None or kind in cls.SKIPS:
                where = "is not in this tree" if kind in cls.SKIPS else "has no method here"
                raise Unhandled(f"{cls.__qualname__}: a {kind.__name__} node {where} (visit_{kind.__name__})")
            cls._dispatch[kind] = m
        return m

    def visit(self, node, *args):
        m = self._dispatch.get(type(node)) or self.method(type(node))
        return m(self, node, *args)


class PatternVisitor(Visitor, abstract=True):
    """Walks AST patterns (which may hold `%name` references, PatRef)."""

    NODES = PATTERN_NODES


class IRPatternVisitor(PatternVisitor, abstract=True):
    """Walks IR patterns: named patterns are inlined, so a PatRef never occurs (and needs no method)."""

    SKIPS = (A.PatRef,)


class ExprVisitor(Visitor, abstract=True):
    """Walks field expressions."""

    NODES = EXPR_NODES


def walkers(base: type = Visitor) -> list[type]:
    """Every concrete walker defined so far under `base` (for tests: each must handle every kind)."""
    out, todo = [], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls not in (PatternVisitor, IRPatternVisitor, ExprVisitor):
            out.append(cls)
    return out
