"""Resource bounds on rules, checked before anything is built from them (E122): how deeply patterns,
expressions and YAML documents nest (every stage walks trees recursively: a rule nested thousands deep
would end in a RecursionError), and how many times a pattern may repeat (`"a"{1000000000}` compiles to a
regex that allocates gigabytes). All walks here are iterative, whatever the depth."""
from __future__ import annotations

import regex

from . import nodes as A
from ..errors import Collector
from ..messages import Errors
from .tree import walk
from .visit import PatternVisitor

MAX_DEPTH = 100          # levels of nesting: groups, captures, repetitions, named patterns, sub-expressions
MAX_REPEAT = 1000        # the largest bound of one repetition ({n}, {m,n})
MAX_REPEAT_PRODUCT = 100_000  # repetitions of repetitions: the product of the bounds along a path



def tree_too_deep(tree, limit: int):
    """The first lark subtree (in document order) more than `limit` levels below `tree`, or None."""
    from lark import Tree
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        stack.extend((c, depth + 1) for c in reversed(node.children) if isinstance(c, Tree))
    return None


def yaml_too_deep(text: str, limit: int):
    """The start mark of the first YAML collection more than `limit` levels deep, or None (events are read
    one at a time: composing a document 5,000 levels deep would recurse 5,000 times)."""
    import yaml
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > limit:
                    return event.start_mark
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # reported by the composer, with its position
    return None


# a bounded repetition in a regex: {n}, {m,n}, {m,}, {,n}; with the index of where it starts
_CLASS = regex.compile(r"\[\^?\]?(?:[^\]\\]|\\.)*\]")
_BOUND = regex.compile(r"\{\s*(\d*)\s*(?:,\s*(\d*)\s*)?\}")


def regex_repeats(source: str):
    """(offset, bound, product of the bounds of the groups around it) for each bounded repetition in a
    regex's source. Escapes and character classes are skipped; a bound applies to the group it follows."""
    opened: list[int] = []  # where the groups still open start
    groups: list[tuple[int, int]] = []  # (start, end) of every group
    out: list[tuple[int, int]] = []  # (offset, bound) of every bounded repetition
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            m = _CLASS.match(source, i)
            i = m.end() if m else i + 1
            continue
        if c == "(":
            opened.append(i)
        elif c == ")" and opened:
            groups.append((opened.pop(), i + 1))
        elif c == "{":
            m = _BOUND.match(source, i)
            if m and (m.group(1) or m.group(2)):
                bound = max(int(m.group(1) or 0), int(m.group(2) or 0))
                out.append((i, bound))
                i = m.end()
                continue
        i += 1
    # the bound of a group is the bound that follows its closing parenthesis
    group_bound = {}
    for start, end in groups:
        for at, bound in out:
            if at == end:
                group_bound[(start, end)] = bound
    result = []
    for at, bound in out:
        product = bound
        for (start, end), b in group_bound.items():
            if start < at < end - 1:
                product *= max(b, 1)
        result.append((at, bound, product))
    return result


# ---- checking passes (called by check.py) ------------------------------------------------------------
def pattern_refs(prog, name: str) -> list:
    """The references to defined named patterns in the named pattern `name`."""
    return [n for n in walk(prog.patterns[name].pattern) if isinstance(n, A.PatRef) and n.name in prog.patterns]


class _Depth(PatternVisitor):
    """Levels of nesting of a pattern, each named pattern counted with its own (`named`: their depths)."""

    def __init__(self, named: dict[str, int]):
        self.named = named

    def visit_Lit(self, node):
        return 1

    visit_TokenClass = visit_Regex = visit_LexRef = visit_FactRef = visit_TokenConstraint = visit_Lit

    def visit_PatRef(self, node):
        return 1 + self.named.get(node.name, 0)

    def visit_Seq(self, node):
        return 1 + max((self.visit(i) for i in node.items), default=0)

    def visit_Alt(self, node):
        return 1 + max((self.visit(b) for b in node.branches), default=0)

    def visit_Repeat(self, node):
        return 1 + self.visit(node.item)

    visit_Capture = visit_Repeat

    def visit_Look(self, node):
        return 1 + self.visit(node.pattern)


def _depth(node, named: dict[str, int]) -> int:
    return _Depth(named).visit(node)


def check_depth(prog, p: Collector):
    """Every pattern, with the named patterns it uses written out, nests at most MAX_DEPTH levels (every
    later stage walks it recursively). Named patterns are measured in the order they depend on each other,
    without recursion; one that is too deep is reported once, where it is defined."""
    named: dict[str, int] = {}
    too_deep: set[str] = set()
    done: set[str] = set(prog.bad_patterns)
    for root in prog.patterns:
        stack = [root]
        while stack:
            name = stack[-1]
            if name in done:
                stack.pop()
                continue
            todo = [n.name for n in pattern_refs(prog, name) if n.name not in done]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            done.add(name)
            d = prog.patterns[name]
            if any(n.name in too_deep for n in pattern_refs(prog, name)):
                too_deep.add(name)  # reported once, where the depth was exceeded, not by all that use it
            elif _depth(d.pattern, named) > MAX_DEPTH:
                p.error(Errors.PATTERN_TOO_DEEP, d.loc, what=f"named pattern '%{name}'", limit=MAX_DEPTH)
                too_deep.add(name)
            else:
                named[name] = _depth(d.pattern, named)
    prog.bad_patterns.update(too_deep)
    for r in prog.rules.values():
        if r.pattern is None or any(isinstance(n, A.PatRef) and n.name in too_deep for n in walk(r.pattern)):
            continue
        if _depth(r.pattern, named) > MAX_DEPTH:
            p.error(Errors.PATTERN_TOO_DEEP, r.loc, what=f"the pattern of rule '{r.name}'", limit=MAX_DEPTH)


def check_repeats(prog, p: Collector):
    """No repetition bound above MAX_REPEAT, in the language or in an embedded regex, and no product of the
    bounds of repetitions inside repetitions (named patterns written out) above MAX_REPEAT_PRODUCT:
    `"a"{1000000000}` would compile to a regex that allocates gigabytes."""
    visitor = _Repeats(prog, p)
    visit = visitor.visit

    for d in prog.patterns.values():
        if d.name not in prog.bad_patterns:
            visit(d.pattern, 1)
    for r in prog.rules.values():
        if r.pattern is not None and not any(isinstance(n, A.PatRef) and n.name in prog.bad_patterns
                                             for n in walk(r.pattern)):
            visit(r.pattern, 1)


class _Repeats(PatternVisitor):
    """See check_repeats: `visit(node, product)` records each bound or product above the limits once."""

    def __init__(self, prog, p: Collector):
        self.prog, self.p, self.seen = prog, p, set()

    def report(self, message, loc, **values):
        key = (str(loc), message, tuple(sorted(values.items())))
        if key not in self.seen:
            self.seen.add(key)
            self.p.error(message, loc, **values)

    def visit_Lit(self, node, product):
        pass

    visit_TokenClass = visit_LexRef = visit_FactRef = visit_TokenConstraint = visit_Lit

    def visit_Repeat(self, node, product):
        bound = max(node.min, node.max or 0)
        if bound > MAX_REPEAT:
            self.report(Errors.REPEAT_BOUND, node.loc, bound=bound, limit=MAX_REPEAT)
            return
        product *= max(bound, 1)
        if product > MAX_REPEAT_PRODUCT:
            self.report(Errors.REPEAT_PRODUCT, node.loc, product=product, limit=MAX_REPEAT_PRODUCT)
            return
        self.visit(node.item, product)

    def visit_Regex(self, node, product):
        for at, bound, inner in regex_repeats(node.source):
            loc = node.loc
            if loc is not None:
                col = loc.col + (2 if node.raw else 1) + at
                loc = type(loc)(loc.source, loc.line, col, col + 1)
            if bound > MAX_REPEAT:
                self.report(Errors.REGEX_REPEAT_BOUND, loc, bound=bound, limit=MAX_REPEAT)
            elif inner * product > MAX_REPEAT_PRODUCT:
                self.report(Errors.REPEAT_PRODUCT, loc, product=inner * product, limit=MAX_REPEAT_PRODUCT)

    def visit_PatRef(self, node, product):
        if node.name in self.prog.patterns and node.name not in self.prog.bad_patterns:
            self.visit(self.prog.patterns[node.name].pattern, product)

    def visit_Seq(self, node, product):
        for i in node.items:
            self.visit(i, product)

    def visit_Alt(self, node, product):
        for b in node.branches:
            self.visit(b, product)

    def visit_Capture(self, node, product):
        self.visit(node.item, product)

    def visit_Look(self, node, product):
        self.visit(node.pattern, product)
