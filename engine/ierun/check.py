"""Checking passes over parsed rule files. Each pass is a small function that records every problem;
`check` runs them all (a tuple, as data) and raises once. Lowering to the IR is in `lower.py`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from . import ast as A
from .errors import Collector, did_you_mean
from .functions import BUILTINS
from .lexicon import load as load_lexicon
from .limits import check_depth, check_repeats, pattern_refs, walk
from .values import BadValue, coerce


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
                p.error("E102", f"duplicate {what} '{d.name}'", d.loc, f"first defined at {table[d.name].loc}")
            else:
                table[d.name] = d


# ---- pass: fact types ----------------------------------------------------------------------------
def check_type(t: A.TypeRef, p: Collector):
    if t.name not in A.SCALAR_TYPES:
        p.error("E116", f"unknown type '{t.name}'", t.loc, did_you_mean(t.name, A.SCALAR_TYPES)
                or "types are " + ", ".join(A.SCALAR_TYPES))


def check_facts(prog: Program, p: Collector):
    for fact in prog.facts.values():
        seen = set()
        for f in fact.fields:
            if f.name in seen:
                p.error("E102", f"duplicate field '{f.name}' in fact type '{fact.name}'", f.loc)
            seen.add(f.name)
            check_type(f.type, p)
        if fact.publishes is not None:
            f = fact.field(fact.publishes)
            if f is None:
                p.error("E120", f"fact type '{fact.name}' publishes unknown field '{fact.publishes}'", fact.loc,
                        did_you_mean(fact.publishes, [x.name for x in fact.fields]))
            elif f.type.name != "date" or f.type.is_list:
                p.error("E108", f"'publishes {fact.publishes}' needs a date field, not '{f.type}'", fact.loc)
    publishers = [f for f in prog.facts.values() if f.publishes]
    for extra in publishers[1:]:
        p.error("E102", f"fact type '{extra.name}' also publishes the date; only one fact type may", extra.loc,
                f"'{publishers[0].name}' already does")


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
_FLAGS = {"i": regex.IGNORECASE, "m": regex.MULTILINE, "s": regex.DOTALL, "x": regex.VERBOSE}


def regex_flags(flags: str) -> int:
    out = regex.V0
    for c in flags:
        out |= _FLAGS[c]
    return out


def check_refs(prog: Program, pattern, p: Collector):
    for node in walk(pattern):
        if isinstance(node, A.LexRef) and node.name not in prog.lexicons:
            p.error("E103", f"unknown lexicon '@{node.name}'", node.loc, did_you_mean(node.name, prog.lexicons, "@"))
        elif isinstance(node, A.PatRef) and node.name not in prog.patterns:
            p.error("E104", f"unknown named pattern '%{node.name}'", node.loc,
                    did_you_mean(node.name, prog.patterns, "%"))
        elif isinstance(node, A.FactRef) and node.type not in prog.facts:
            p.error("E101", f"unknown fact type '{node.type}'", node.loc, did_you_mean(node.type, prog.facts))
        elif isinstance(node, A.Regex):
            try:
                regex.compile(node.source, regex_flags(node.flags))
            except regex.error as err:
                pos = getattr(err, "pos", None)
                loc = node.loc
                if loc is not None and pos is not None:
                    col = loc.col + (2 if node.raw else 1) + pos
                    loc = type(loc)(loc.source, loc.line, col, col + 1)
                p.error("E111", f"invalid regular expression: {err.msg if hasattr(err, 'msg') else err}", loc)
            else:
                if not node.raw and regex.compile(node.source, regex_flags(node.flags)).fullmatch(" "):
                    p.error("E111", "a token regex must not match white space", node.loc,
                            "use r/.../ to match raw characters, white space included")


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
                p.error("E110", "named patterns refer to each other in a cycle: "
                        + " -> ".join("%" + c for c in cycle), node.loc, "a named pattern cannot contain itself")
                prog.bad_patterns.update(cycle)
            elif node.name not in state:
                state[node.name] = 1
                path.append(node.name)
                stack.append(iter(pattern_refs(prog, node.name)))


def min_tokens(prog: Program | None, node, depth=0) -> int:
    """The fewest tokens the pattern consumes (0: it can match empty text). `prog` resolves `%name`
    references; lowered patterns (the IR) have none, so None serves there."""
    if depth > 50:
        return 1
    if isinstance(node, (A.Lit, A.TokenClass, A.LexRef, A.FactRef)):
        return 1
    if isinstance(node, A.Regex):
        try:
            return 0 if regex.compile(node.source, regex_flags(node.flags)).fullmatch("") else 1
        except regex.error:
            return 1
    if isinstance(node, A.PatRef):
        d = prog.patterns.get(node.name)
        return 1 if d is None or node.name in prog.bad_patterns else min_tokens(prog, d.pattern, depth + 1)
    if isinstance(node, A.Seq):
        return sum(min_tokens(prog, i, depth) for i in node.items)
    if isinstance(node, A.Alt):
        return min(min_tokens(prog, b, depth) for b in node.branches)
    if isinstance(node, A.Repeat):
        return node.min * min_tokens(prog, node.item, depth)
    if isinstance(node, A.Capture):
        return min_tokens(prog, node.item, depth)
    return 0  # Look


def check_empty(prog: Program, pattern, p: Collector, where: str | None, loc):
    """A rule's pattern must consume text (a named pattern may be an anchor); a repeated element too."""
    if where is not None and min_tokens(prog, pattern) == 0:
        p.error("E118", f"{where} can match empty text", loc, "make at least one element required")
    for node in walk(pattern):
        if isinstance(node, A.Repeat) and node.max is None and min_tokens(prog, node.item) == 0:
            p.error("E118", "a repeated element can match empty text", node.loc, "make the repeated element required")


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
            p.error("E001", f"rule '{r.name}' has no 'match' pattern", r.loc, "add: match PATTERN")
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
            item = node.item.item if isinstance(node.item, A.Repeat) else node.item
            out[node.name] = f"fact:{item.type}" if isinstance(item, A.FactRef) else \
                f"lex:{item.name}" if isinstance(item, A.LexRef) else "text"
        elif isinstance(node, A.PatRef) and node.name in prog.patterns and node.name not in prog.bad_patterns:
            out.update(captures(prog, prog.patterns[node.name].pattern, depth + 1))
    return out


NUMERIC = ("decimal", "int")


def expr_type(prog: Program, e, caps: dict[str, str], p: Collector) -> str:
    """The static type of an expression ('str', 'decimal', ..., 'null', 'any'); problems recorded."""
    if isinstance(e, A.ELit):
        return {"str": "str", "num": "decimal", "bool": "bool", "null": "null"}[e.value.kind]
    if isinstance(e, A.ECapture):
        if e.name not in caps:
            p.error("E105", f"unknown capture '{e.name}'", e.loc,
                    did_you_mean(e.name, caps) or "name a part of the pattern with name:ELEMENT")
            return "any"
        return "str"
    if isinstance(e, A.EFactField):
        kind = caps.get(e.capture)
        if kind is None:
            p.error("E105", f"unknown capture '{e.capture}'", e.loc, did_you_mean(e.capture, caps))
            return "any"
        if not kind.startswith("fact:"):
            p.error("E120", f"'{e.capture}' captures text, not a fact, so it has no field '{e.field}'", e.loc,
                    f"capture a fact with {e.capture}:<FactType>")
            return "any"
        fact = prog.facts.get(kind[5:])
        fdecl = fact.field(e.field) if fact else None
        if fact is not None and fdecl is None:
            p.error("E120", f"fact type '{fact.name}' has no field '{e.field}'", e.loc,
                    did_you_mean(e.field, [f.name for f in fact.fields]))
            return "any"
        return "any" if fdecl is None or fdecl.type.is_list else fdecl.type.name
    if isinstance(e, A.ELexicon):
        expr_type(prog, e.arg, caps, p)
        lex = prog.lexicons.get(e.lexicon)
        if lex is None:
            p.error("E103", f"unknown lexicon '@{e.lexicon}'", e.loc, did_you_mean(e.lexicon, prog.lexicons, "@"))
            return "any"
        return lex.value_type.name if lex.value_type else "str"
    if isinstance(e, A.ECall):
        arg_types = [expr_type(prog, a, caps, p) for a in e.args]
        fn = BUILTINS.get(e.func)
        if fn is None:
            p.error("E115", f"unknown function '{e.func}'", e.loc,
                    did_you_mean(e.func, BUILTINS) or "functions are " + ", ".join(sorted(BUILTINS)))
            return "any"
        n = len(e.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = str(fn.min_args) if fn.min_args == fn.max_args else \
                f"{fn.min_args} or more" if fn.max_args is None else f"{fn.min_args} to {fn.max_args}"
            p.error("E115", f"{e.func}() takes {want} argument{'s' if want != '1' else ''}, {n} given", e.loc,
                    fn.doc)
        if fn.result == "same":
            return arg_types[0] if arg_types else "any"
        return fn.result
    if isinstance(e, A.ENeg):
        t = expr_type(prog, e.operand, caps, p)
        if t not in NUMERIC + ("any",):
            p.error("E108", f"cannot negate a '{t}'", e.loc, "convert text with number(...)")
        return t
    if isinstance(e, A.EBinary):
        lt, rt = expr_type(prog, e.left, caps, p), expr_type(prog, e.right, caps, p)
        if e.op == "??":
            if "null" in (lt, rt):
                return rt if lt == "null" else lt
            if lt != rt and "any" not in (lt, rt) and not {lt, rt} <= set(NUMERIC) and \
                    not {lt, rt} <= {"str", "currency"}:
                p.error("E108", f"'??' joins a '{lt}' and a '{rt}'", e.loc, "both sides need the same type")
            return lt if lt != "any" else rt
        for t, side in ((lt, e.left), (rt, e.right)):
            if t not in NUMERIC + ("any",):
                p.error("E108", f"arithmetic '{e.op}' on a '{t}'", side.loc,
                        "convert text with number(...)" if t == "str" else None)
        return "int" if lt == rt == "int" and e.op != "/" else "decimal"
    return "any"


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
            p.error("E101", f"unknown fact type '{r.fact}'", r.fact_loc or r.loc, did_you_mean(r.fact, prog.facts))
        if r.scope.kind == "first" and not r.scope.n:
            p.error("E119", "scope 'first 0' leaves no text to match", r.scope.loc or r.loc,
                    "give the number of characters from the start, e.g. scope first 300")
        caps = captures(prog, r.pattern)
        seen = set()
        for fa in r.fields:
            if fa.name in seen:
                p.error("E102", f"field '{fa.name}' is set twice in rule '{r.name}'", fa.loc)
            seen.add(fa.name)
            t = expr_type(prog, fa.expr, caps, p)
            if fact is None:
                continue
            fdecl = fact.field(fa.name)
            if fdecl is None:
                p.error("E107", f"fact type '{fact.name}' has no field '{fa.name}'", fa.loc,
                        did_you_mean(fa.name, [f.name for f in fact.fields]))
                continue
            problem = assignable(fdecl.type, t, fa.expr)
            if problem:
                p.error("E108", f"field '{fa.name}': {problem}", fa.expr.loc or fa.loc,
                        f"convert with {_CONVERT[fdecl.type.name]}" if fdecl.type.name in _CONVERT and t == "str"
                        else None)
            for node in _exprs(fa.expr):
                if fdecl.type.name == "currency" and isinstance(node, A.ELit) and node.value.kind == "str":
                    try:
                        coerce(node.value, fdecl.type)
                    except BadValue as err:
                        p.error("E109", str(err), node.loc, "ISO 4217 codes are three capital letters: USD, EUR, GBP")
        for f in fact.fields if fact else ():
            if not f.type.optional and f.name not in seen:
                p.error("E106", f"rule '{r.name}' does not set the required field '{f.name}' of '{fact.name}'",
                        r.loc, f"add: {f.name} = ...")


def _exprs(e):
    yield e
    if isinstance(e, A.EBinary):
        yield from _exprs(e.left)
        yield from _exprs(e.right)
    elif isinstance(e, A.ENeg):
        yield from _exprs(e.operand)
    elif isinstance(e, A.ELexicon):
        yield from _exprs(e.arg)
    elif isinstance(e, A.ECall):
        for a in e.args:
            yield from _exprs(a)


# ---- pass: examples ------------------------------------------------------------------------------
def check_examples(prog: Program, p: Collector):
    for r in prog.rules.values():
        fact = prog.facts.get(r.fact)
        for ex in r.examples:
            if ex.published is not None:
                try:
                    coerce(A.Value("str", ex.published), A.TypeRef("date"))
                except BadValue as err:
                    p.error("E114", f"example's published date: {err}", ex.loc)
            if fact is None:
                continue
            for name, value in ex.fields:
                fdecl = fact.field(name)
                if fdecl is None:
                    p.error("E114", f"example names unknown field '{name}' of '{fact.name}'", value.loc or ex.loc,
                            did_you_mean(name, [f.name for f in fact.fields]))
                    continue
                try:
                    if not fdecl.type.is_list:
                        coerce(value, A.TypeRef(fdecl.type.name, True))
                except BadValue as err:
                    p.error("E114", f"example field '{name}': {err}", value.loc or ex.loc)


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
                p.error("E110", "rules consume facts in a cycle: " + " -> ".join(cycle), r.loc,
                        f"rule '{r.name}' emits {t} from <{u}>; a fact type cannot depend on itself")
            elif u not in state:
                visit(u, path + [u])
        state[t] = 2

    for t in sorted(graph):
        if t not in state:
            visit(t, [t])


PASSES = (collect_names, check_facts, check_lexicons, check_patterns, check_rule_fields, check_examples,
          check_cascades)


def check(files: list[A.RuleFile], rules_dir: Path | None = None) -> Program:
    prog = Program(list(files), rules_dir)
    problems = Collector()
    for run in PASSES:
        run(prog, problems)
    problems.raise_if_any()
    return prog
