"""Lowering: a checked Program -> the IR (a RuleModel) (named patterns inlined, lexicons loaded, phases ordered)."""
from __future__ import annotations

from . import nodes as A
from . import ir
from .check import Program
from .functions import BUILTINS
from .nlp import declarations, needs as nlp_needs
from .tree import exprs, walk
from .visit import PatternVisitor


class _Inline(PatternVisitor):
    """The pattern with every `%name` replaced by its definition (recursively)."""

    def __init__(self, prog: Program):
        self.prog = prog

    def visit_Lit(self, node):
        return node

    visit_TokenClass = visit_Regex = visit_LexRef = visit_FactRef = visit_TokenConstraint = visit_Lit

    def visit_PatRef(self, node):
        return self.visit(self.prog.patterns[node.name].pattern)

    def visit_Seq(self, node):
        return A.Seq(tuple(self.visit(i) for i in node.items), node.glued, loc=node.loc)

    def visit_Alt(self, node):
        return A.Alt(tuple(self.visit(b) for b in node.branches), loc=node.loc)

    def visit_Repeat(self, node):
        return A.Repeat(self.visit(node.item), node.min, node.max, loc=node.loc)

    def visit_Capture(self, node):
        return A.Capture(node.name, self.visit(node.item), loc=node.loc)

    def visit_Look(self, node):
        return A.Look(self.visit(node.pattern), node.behind, node.negate, loc=node.loc)


def inline(prog: Program, node):
    """The pattern with every `%name` replaced by its definition (recursively)."""
    return _Inline(prog).visit(node)


def fact_refs(node) -> set[str]:
    return {n.type for n in walk(node) if isinstance(n, A.FactRef)}


def _needs_published(rule: A.RuleDecl) -> bool:
    for fa in rule.fields:
        for e in exprs(fa.expr):
            if isinstance(e, A.ECall) and e.func in BUILTINS and BUILTINS[e.func].needs_published:
                if e.func != "date" or len(e.args) < 3:
                    return True
    return False


def lower(prog: Program, fingerprint: str = "") -> ir.RuleModel:
    facts = {f.name: ir.FactType(f.name, f.fields, f.once, f.keep_all, f.hidden, f.publishes, loc=f.loc)
             for f in prog.facts.values()}
    lexicons = {}
    for d in prog.lexicons.values():
        phrases, values = prog.lexicon_data[d.name]
        lexicons[d.name] = ir.Lexicon(d.name, d.value_type, d.case_sensitive, phrases, values, loc=d.loc)
    publication = next(((f.name, f.publishes) for f in facts.values() if f.publishes), None)
    rules = []
    for d in prog.rules.values():
        pattern = inline(prog, d.pattern)
        rules.append(ir.Rule(d.name, d.fact, pattern, d.fields, d.priority, d.scope, d.keep_all, d.examples,
                             loc=d.loc, consumes=tuple(sorted(fact_refs(pattern))),
                             needs_published=_needs_published(d)))
    return ir.RuleModel(facts, lexicons, tuple(rules), phases(rules, publication), publication, fingerprint,
                        nlp_needs(declarations(prog.files), rules))


def phases(rules: list[ir.Rule], publication) -> tuple[tuple[str, ...], ...]:
    """Rules grouped so that every fact type is complete before the rules that consume it run; the
    publication-date fact type comes before rules that infer years from it."""
    deps: dict[str, set[str]] = {}
    for r in rules:
        d = deps.setdefault(r.fact, set())
        d.update(r.consumes)
        if r.needs_published and publication and publication[0] != r.fact:
            d.add(publication[0])
    level: dict[str, int] = {}

    def depth(t, seen=()):
        if t in level:
            return level[t]
        if t in seen:
            return 0  # cycles are rejected by checking
        level[t] = 1 + max((depth(u, seen + (t,)) for u in deps.get(t, ()) if u in deps), default=-1)
        return level[t]

    for t in deps:
        depth(t)
    n = max(level.values(), default=-1) + 1
    out = [[] for _ in range(n)]
    for r in rules:
        out[level[r.fact]].append(r.name)
    return tuple(tuple(p) for p in out if p)
