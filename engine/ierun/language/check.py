"""Checking passes over parsed rule files. Each pass is a small function that records every problem;
`check` runs them all (a tuple, as data) and raises once. Lowering to the IR is in `lower.py`; the tree
utilities other stages use (walks, the fewest tokens a pattern takes) are in `tree.py`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from . import nodes as A
from ..errors import Collector, did_you_mean
from ..messages import Errors
from .functions import BUILTINS
from .lexicon import load as load_lexicon
from .nlp import check_nlp
from .regex_errors import regex_problem
from .limits import check_depth, check_repeats, pattern_refs
from .tree import MinTokens, capture_kind, children, compile_rule_regex, exprs, walk
from .values import BadValue, coerce
from .visit import ExprVisitor, PatternVisitor


@dataclass
class Program:
    files: list[A.RuleFile]
    rules_dir: Path | None = None
    facts: dict[str, A.FactDecl] = field(default_factory=dict)
    lexicons: dict[str, A.LexiconDecl] = field(default_factory=dict)
    lexicon_data: dict[str, tuple] = field(default_factory=dict)  # name -> (phrases, values)
    patterns: dict[str, A.PatternDecl] = field(default_factory=dict)
    rules: dict[str, A.RuleDecl] = field(default_factory=dict)
    bad_patterns: set = field(default_factory=set)  # named patterns in a cycle: not inlined
    nlp_labels: dict = field(default_factory=dict)  # NLP entity label -> where declared (nlp.py): fact types too


def _decls(prog: Program, kind):
    for f in prog.files:
        for d in f.decls:
            if isinstance(d, kind):
                yield d


# ---- pass: names ---------------------------------------------------------------------------------
def collect_names(prog: Program, p: Collector):
    for kind, table, what in ((A.FactDecl, prog.facts, "fact type"), (A.LexiconDecl, prog.lexicons, "lexicon"),
                              (A.PatternDecl, prog.patterns, "named pattern"), (A.RuleDecl, prog.rules, "rule")):
        for d in _decls(prog, kind):
            if d.name in table:
                p.error(Errors.DUPLICATE, d.loc, what=what, name=d.name, first=table[d.name].loc)
            else:
                table[d.name] = d


# ---- pass: fact types ----------------------------------------------------------------------------
def check_type(t: A.TypeRef, p: Collector):
    if t.name not in A.SCALAR_TYPES:
        p.error(Errors.UNKNOWN_TYPE, t.loc, did_you_mean(t.name, A.SCALAR_TYPES)
                or "types are " + ", ".join(A.SCALAR_TYPES), type=t.name)


def check_facts(prog: Program, p: Collector):
    for fact in prog.facts.values():
        seen = set()
        for f in fact.fields:
            if f.name in seen:
                p.error(Errors.DUPLICATE_FIELD, f.loc, field=f.name, fact=fact.name)
            seen.add(f.name)
            check_type(f.type, p)
        if fact.publishes is not None:
            f = fact.field(fact.publishes)
            if f is None:
                p.error(Errors.UNKNOWN_PUBLISHED_FIELD, fact.loc, did_you_mean(fact.publishes, [x.name for x in fact.fields]),
                        fact=fact.name, field=fact.publishes)
            elif f.type.name != "date" or f.type.is_list:
                p.error(Errors.PUBLISHES_NON_DATE, fact.loc, field=fact.publishes, type=f.type)
    publishers = [f for f in prog.facts.values() if f.publishes]
    for extra in publishers[1:]:
        p.error(Errors.SECOND_PUBLISHER, extra.loc, fact=extra.name, first=publishers[0].name)


# ---- pass: lexicons ------------------------------------------------------------------------------
def check_lexicons(prog: Program, p: Collector):
    for lex in prog.lexicons.values():
        if lex.value_type is not None:
            check_type(lex.value_type, p)
            if lex.value_type.name not in A.SCALAR_TYPES:
                prog.lexicon_data[lex.name] = ((), {})
                continue
        prog.lexicon_data[lex.name] = load_lexicon(lex, prog.rules_dir, p)


# ---- pass: patterns ------------------------------------------------------------------------------
class _References(PatternVisitor):
    """Records every reference to an unknown name and every invalid embedded regex in a pattern."""

    def __init__(self, prog: Program, p: Collector):
        self.prog, self.p = prog, p

    def visit_Lit(self, node):
        pass

    visit_TokenClass = visit_TokenConstraint = visit_Lit  # token tests: nlp.check_nlp

    def visit_LexRef(self, node):
        if node.name not in self.prog.lexicons:
            self.p.error(Errors.UNKNOWN_LEXICON, node.loc, did_you_mean(node.name, self.prog.lexicons, "@"), name=node.name)

    def visit_PatRef(self, node):
        if node.name not in self.prog.patterns:
            self.p.error(Errors.UNKNOWN_PATTERN, node.loc, did_you_mean(node.name, self.prog.patterns, "%"),
                         name=node.name)

    def visit_FactRef(self, node):
        if node.type not in self.prog.facts:
            hint = did_you_mean(node.type, self.prog.facts)
            if node.type.isupper() and not (hint or "").startswith("did you mean"):  # <PERSON>: an NLP label
                hint = f"an NLP entity label is declared first: uses nlp entities {node.type}"
            self.p.error(Errors.UNKNOWN_FACT, node.loc, hint, type=node.type)

    def visit_Regex(self, node):
        p = self.p
        try:
            compile_rule_regex(node.source, node.flags)
        except regex.error as err:
            pos, values = regex_problem(node.source, err)
            loc = node.loc
            if loc is not None and pos is not None:
                col = loc.col + (2 if node.raw else 1) + pos
                loc = type(loc)(loc.source, loc.line, col, col + 1)
            message = Errors.BAD_REGEX_UNCLOSED if "char" in values else \
                Errors.BAD_REGEX_VERSION if "VERSION1" in values["reason"] else Errors.BAD_REGEX
            p.error(message, loc, **values)
        else:
            if not node.raw and compile_rule_regex(node.source, node.flags).fullmatch(" "):
                p.error(Errors.TOKEN_REGEX_SPACE, node.loc)

    def _inside(self, node):
        for child in children(node):
            self.visit(child)

    visit_Seq = visit_Alt = visit_Repeat = visit_Capture = visit_Look = _inside


def check_refs(prog: Program, pattern, p: Collector):
    _References(prog, p).visit(pattern)


def check_pattern_cycles(prog: Program, p: Collector):
    """Named patterns that refer to each other in a cycle (an iterative walk: a chain of 3,000 named
    patterns must not exhaust Python's stack)."""
    state: dict[str, int] = {}
    for root in prog.patterns:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        stack = [iter(pattern_refs(prog, root))]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            if state.get(node.name) == 1:
                cycle = path[path.index(node.name):] + [node.name]
                p.error(Errors.PATTERN_CYCLE, node.loc, cycle=" -> ".join("%" + c for c in cycle))
                prog.bad_patterns.update(cycle)
            elif node.name not in state:
                state[node.name] = 1
                path.append(node.name)
                stack.append(iter(pattern_refs(prog, node.name)))


def min_tokens(prog: Program | None, node) -> int:
    """The fewest tokens the pattern consumes (0: it can match empty text), `%name` resolved through `prog`."""
    if prog is None:
        return MinTokens()(node)
    return MinTokens({n: d.pattern for n, d in prog.patterns.items()}, prog.bad_patterns)(node)


def check_empty(prog: Program, pattern, p: Collector, where: str | None, loc):
    """A rule's pattern must consume text (a named pattern may be an anchor); a repeated element too."""
    if where is not None and min_tokens(prog, pattern) == 0:
        p.error(Errors.MATCHES_EMPTY, loc, what=where)
    for node in walk(pattern):
        if isinstance(node, A.Repeat) and node.max is None and min_tokens(prog, node.item) == 0:
            p.error(Errors.REPEATS_EMPTY, node.loc)


def check_patterns(prog: Program, p: Collector):
    for d in prog.patterns.values():
        check_refs(prog, d.pattern, p)
    check_pattern_cycles(prog, p)
    check_depth(prog, p)
    check_repeats(prog, p)
    for d in prog.patterns.values():
        if d.name not in prog.bad_patterns:
            check_empty(prog, d.pattern, p, None, d.loc)
    for r in prog.rules.values():
        if r.pattern is None:
            p.error(Errors.NO_MATCH, r.loc, rule=r.name)
            continue
        check_refs(prog, r.pattern, p)
        check_empty(prog, r.pattern, p, f"the pattern of rule '{r.name}'", r.loc)


# ---- pass: rule fields and expressions -----------------------------------------------------------
def captures(prog: Program, pattern, depth=0) -> dict[str, str]:
    """capture name -> 'text' or 'fact:TYPE' (named patterns' captures included)."""
    out: dict[str, str] = {}
    if pattern is None or depth > 50:
        return out
    for node in walk(pattern):
        if isinstance(node, A.Capture):
            kind, name = capture_kind(node)
            out[node.name] = "text" if kind == "text" else f"{kind}:{name}"
        elif isinstance(node, A.PatRef) and node.name in prog.patterns and node.name not in prog.bad_patterns:
            out.update(captures(prog, prog.patterns[node.name].pattern, depth + 1))
    return out


NUMERIC = ("decimal", "int")


class _ExprTypes(ExprVisitor):
    """The static type of an expression ('str', 'decimal', ..., 'null', 'any'); problems recorded."""

    def __init__(self, prog: Program, caps: dict[str, str], p: Collector):
        self.prog, self.caps, self.p = prog, caps, p

    def visit_ELit(self, e):
        return {"str": "str", "num": "decimal", "bool": "bool", "null": "null"}[e.value.kind]

    def visit_ECapture(self, e):
        if e.name not in self.caps:
            self.p.error(Errors.UNKNOWN_CAPTURE, e.loc,
                         did_you_mean(e.name, self.caps) or "name a part of the pattern with name:ELEMENT", name=e.name)
            return "any"
        return "str"

    def visit_EFactField(self, e):
        prog, caps, p = self.prog, self.caps, self.p
        kind = caps.get(e.capture)
        if kind is None:
            p.error(Errors.UNKNOWN_CAPTURE, e.loc, did_you_mean(e.capture, caps), name=e.capture)
            return "any"
        if not kind.startswith("fact:"):
            p.error(Errors.TEXT_HAS_NO_FIELD, e.loc, capture=e.capture, field=e.field)
            return "any"
        fact = prog.facts.get(kind[5:])
        fdecl = fact.field(e.field) if fact else None
        if fact is not None and fdecl is None:
            p.error(Errors.UNKNOWN_FACT_FIELD, e.loc, did_you_mean(e.field, [f.name for f in fact.fields]),
                    fact=fact.name, field=e.field)
            return "any"
        return "any" if fdecl is None or fdecl.type.is_list else fdecl.type.name

    def visit_ELexicon(self, e):
        self.visit(e.arg)
        lex = self.prog.lexicons.get(e.lexicon)
        if lex is None:
            self.p.error(Errors.UNKNOWN_LEXICON, e.loc, did_you_mean(e.lexicon, self.prog.lexicons, "@"), name=e.lexicon)
            return "any"
        return lex.value_type.name if lex.value_type else "str"

    def visit_ECall(self, e):
        p = self.p
        arg_types = [self.visit(a) for a in e.args]
        fn = BUILTINS.get(e.func)
        if fn is None:
            p.error(Errors.UNKNOWN_FUNCTION, e.loc,
                    did_you_mean(e.func, BUILTINS) or "functions are " + ", ".join(sorted(BUILTINS)), name=e.func)
            return "any"
        n = len(e.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = str(fn.min_args) if fn.min_args == fn.max_args else \
                f"{fn.min_args} or more" if fn.max_args is None else f"{fn.min_args} to {fn.max_args}"
            p.error(Errors.WRONG_ARGUMENTS, e.loc, fn.doc, name=e.func, want=want, s="s" if want != "1" else "",
                    given=n)
        if fn.result == "same":
            return arg_types[0] if arg_types else "any"
        return fn.result

    def visit_ENeg(self, e):
        t = self.visit(e.operand)
        if t not in NUMERIC + ("any",):
            self.p.error(Errors.CANNOT_NEGATE, e.loc, type=t)
        return t

    def visit_EBinary(self, e):
        p = self.p
        lt, rt = self.visit(e.left), self.visit(e.right)
        if e.op == "??":
            if "null" in (lt, rt):
                return rt if lt == "null" else lt
            if lt != rt and "any" not in (lt, rt) and not {lt, rt} <= set(NUMERIC) and \
                    not {lt, rt} <= {"str", "currency"}:
                p.error(Errors.COALESCE_TYPES, e.loc, left=lt, right=rt)
            return lt if lt != "any" else rt
        for t, side in ((lt, e.left), (rt, e.right)):
            if t not in NUMERIC + ("any",):
                p.error(Errors.ARITHMETIC_TYPE, side.loc, "convert text with number(...)" if t == "str" else None,
                        op=e.op, type=t)
        return "int" if lt == rt == "int" and e.op != "/" else "decimal"


def expr_type(prog: Program, e, caps: dict[str, str], p: Collector) -> str:
    """The static type of an expression ('str', 'decimal', ..., 'null', 'any'); problems recorded."""
    return _ExprTypes(prog, caps, p).visit(e)


def assignable(field_type: A.TypeRef, t: str, expr) -> str | None:
    """None when a value of static type t fits the field, else the problem."""
    want = "list" if field_type.is_list else field_type.name
    if t == "any" or t == want:
        return None
    if t == "null":
        return None if field_type.optional else f"null into the required field of type '{field_type}'"
    if want == "decimal" and t == "int":
        return None
    if want == "currency" and t == "str" and isinstance(expr, A.ELit):
        return None  # checked as a code below
    return f"a '{t}' value into a field of type '{field_type}'"


_CONVERT = {"decimal": "number(...)", "int": "int(...)", "date": "date(day, month, year?)",
            "currency": "currency(...) or a currency lexicon"}


def check_rule_fields(prog: Program, p: Collector):
    for r in prog.rules.values():
        fact = prog.facts.get(r.fact)
        if fact is None:
            p.error(Errors.UNKNOWN_FACT, r.fact_loc or r.loc, did_you_mean(r.fact, prog.facts), type=r.fact)
        if r.scope.kind == "first" and not r.scope.n:
            p.error(Errors.SCOPE_FIRST_ZERO, r.scope.loc or r.loc)
        caps = captures(prog, r.pattern)
        seen = set()
        for fa in r.fields:
            if fa.name in seen:
                p.error(Errors.FIELD_SET_TWICE, fa.loc, field=fa.name, rule=r.name)
            seen.add(fa.name)
            t = expr_type(prog, fa.expr, caps, p)
            if fact is None:
                continue
            fdecl = fact.field(fa.name)
            if fdecl is None:
                p.error(Errors.UNKNOWN_FIELD, fa.loc, did_you_mean(fa.name, [f.name for f in fact.fields]),
                        fact=fact.name, field=fa.name)
                continue
            problem = assignable(fdecl.type, t, fa.expr)
            if problem:
                p.error(Errors.FIELD_TYPE, fa.expr.loc or fa.loc,
                        f"convert with {_CONVERT[fdecl.type.name]}" if fdecl.type.name in _CONVERT and t == "str"
                        else None, field=fa.name, problem=problem)
            for node in exprs(fa.expr):
                if fdecl.type.name == "currency" and isinstance(node, A.ELit) and node.value.kind == "str":
                    try:
                        coerce(node.value, fdecl.type)
                    except BadValue as err:
                        p.error(Errors.BAD_CURRENCY, node.loc, reason=err)
        for f in fact.fields if fact else ():
            if not f.type.optional and f.name not in seen:
                p.error(Errors.MISSING_FIELD, r.loc, rule=r.name, field=f.name, fact=fact.name)


# ---- pass: examples ------------------------------------------------------------------------------
def check_examples(prog: Program, p: Collector):
    for r in prog.rules.values():
        fact = prog.facts.get(r.fact)
        for ex in r.examples:
            if ex.published is not None:
                try:
                    coerce(A.Value("str", ex.published), A.TypeRef("date"))
                except BadValue as err:
                    p.error(Errors.EXAMPLE_PUBLISHED, ex.loc, reason=err)
            if fact is None:
                continue
            for name, value in ex.fields:
                fdecl = fact.field(name)
                if fdecl is None:
                    p.error(Errors.EXAMPLE_UNKNOWN_FIELD, value.loc or ex.loc,
                            did_you_mean(name, [f.name for f in fact.fields]), field=name, fact=fact.name)
                    continue
                try:
                    if not fdecl.type.is_list:
                        coerce(value, A.TypeRef(fdecl.type.name, True))
                except BadValue as err:
                    p.error(Errors.EXAMPLE_FIELD, value.loc or ex.loc, field=name, reason=err)


# ---- pass: rule cascades -------------------------------------------------------------------------
def consumed(prog: Program, pattern, depth=0) -> set[str]:
    out = set()
    if pattern is None or depth > 50:
        return out
    for node in walk(pattern):
        if isinstance(node, A.FactRef):
            out.add(node.type)
        elif isinstance(node, A.PatRef) and node.name in prog.patterns and node.name not in prog.bad_patterns:
            out |= consumed(prog, prog.patterns[node.name].pattern, depth + 1)
    return out


def check_cascades(prog: Program, p: Collector):
    graph: dict[str, set[str]] = {}
    where = {}
    for r in prog.rules.values():
        for t in consumed(prog, r.pattern):
            graph.setdefault(r.fact, set()).add(t)
            where.setdefault((r.fact, t), r)
    state: dict[str, int] = {}

    def visit(t, path):
        state[t] = 1
        for u in sorted(graph.get(t, ())):
            if state.get(u) == 1:
                cycle = path[path.index(u):] + [u]
                r = where[(t, u)]
                p.error(Errors.FACT_CYCLE, r.loc, cycle=" -> ".join(cycle), rule=r.name, fact=t, consumed=u)
            elif u not in state:
                visit(u, path + [u])
        state[t] = 2

    for t in sorted(graph):
        if t not in state:
            visit(t, [t])


PASSES = (collect_names, check_nlp, check_facts, check_lexicons, check_patterns, check_rule_fields, check_examples,
          check_cascades)


def check(files: list[A.RuleFile], rules_dir: Path | None = None) -> Program:
    prog = Program(list(files), rules_dir)
    problems = Collector()
    for run in PASSES:
        run(prog, problems)
    problems.raise_if_any()
    return prog
