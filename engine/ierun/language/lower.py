"""Lowering: a checked Program -> the IR (a RuleModel) (named patterns inlined, lexicons loaded, phases ordered)."""
from __future__ import annotations

from . import nodes as A
from . import ir
from .check import Program, _exprs
from .functions import BUILTINS


def inline(prog: Program, node):
    """The pattern with every `%name` replaced by its definition (recursively)."""
    if isinstance(node, A.PatRef):
        return inline(prog, prog.patterns[node.name].pattern)
    if isinstance(node, A.Seq):
        return A.Seq(tuple(inline(prog, i) for i in node.items), node.glued, loc=node.loc)
    if isinstance(node, A.Alt):
        return A.Alt(tuple(inline(prog, b) for b in node.branches), loc=node.loc)
    if isinstance(node, A.Repeat):
        return A.Repeat(inline(prog, node.item), node.min, node.max, loc=node.loc)
    if isinstance(node, A.Capture):
        return A.Capture(node.name, inline(prog, node.item), loc=node.loc)
    if isinstance(node, A.Look):
        return A.Look(inline(prog, node.pattern), node.behind, node.negate, loc=node.loc)
    return node


def fact_refs(node) -> set[str]:
    from .check import walk
    return {n.type for n in walk(node) if isinstance(n, A.FactRef)}


def _needs_published(rule: A.RuleDecl) -> bool:
    for fa in rule.fields:
        for e in _exprs(fa.expr):
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
    return ir.RuleModel(facts, lexicons, tuple(rules), phases(rules, publication), publication, fingerprint)


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
