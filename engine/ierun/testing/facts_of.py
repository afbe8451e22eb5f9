"""A candidate's fact and where each of its fields came from, for `explain`: the reference interpreter finds
the match again at the candidate's span, with the Capture node behind each capture; the fields are computed
with the engine's own expressions (so a lost candidate, whose values the engine never computed, shows the
fact it would have been)."""
from __future__ import annotations

from ..engine.expr import Env, compile_expr, field_value
from ..facts import Fact
from ..language import nodes as A
from ..language.normalize import NormalizationError
from ..language.tokens import WS
from ..language.tree import exprs
from .reference import Matcher


class _CaptureMatcher(Matcher):
    """The reference matcher, recording for each capture the pattern node that set it."""

    def visit_Capture(self, node, p, glued, caps):
        for e, c in self.match(node.item, p, glued, caps):
            yield e, {**c, node.name: (p, e), ("node", node.name): node}


def _trim(text, s, e):
    while s < e and WS.match(text[s]):
        s += 1
    return s, e


def _find(ctx, rule, span):
    """The captures ({name: (span, node)}) of a match of `rule` that spans exactly `span`, or None."""
    text = ctx.text
    facts = {t: {s: e for (s, e) in table} for t, table in ctx.by_type.items()}
    m = _CaptureMatcher(text, ctx.model.lexicons, facts)
    p = span[0]
    while True:
        try:
            for e, caps in m.match(rule.pattern, p, True, {}):
                if _trim(text, p, e) == tuple(span):
                    return {k: (_trim(text, *v), caps[("node", k)]) for k, v in caps.items() if isinstance(k, str)}
                break  # the first match from p is the one a backtracking regex takes
        except RecursionError:
            return None
        if p == 0 or not WS.match(text[p - 1]):
            return None
        p -= 1  # a raw regex may start the match in white space before the trimmed span


def _referenced(fa: A.FieldAssign) -> list[str]:
    out = []
    for e in exprs(fa.expr):
        name = e.name if isinstance(e, A.ECapture) else e.capture if isinstance(e, A.EFactField) else None
        if name is not None and name not in out:
            out.append(name)
    return out


def field_sources(rule, caps) -> dict:
    """field -> FILE:LINE:COL: the capture element its value came from (the first one its expression names
    that took part in the match), or the field's own assignment when it names none that did."""
    out = {}
    for fa in rule.fields:
        node = None
        for name in _referenced(fa):
            if caps is not None and name in caps and caps[name][0][0] < caps[name][0][1]:
                node = caps[name][1]
                break
            if caps is None:
                node = next((n for n in _walk_captures(rule.pattern) if n.name == name), None)
                break
        loc = node.loc if node is not None else fa.loc
        out[fa.name] = str(loc) if loc is not None else None
    return out


def _walk_captures(pattern):
    from ..language.tree import walk
    return [n for n in walk(pattern) if isinstance(n, A.Capture)]


def candidate_fact(ctx, rule, span):
    """(the fact a match of `rule` at `span` makes, as a dict, or None; its field sources)."""
    caps = _find(ctx, rule, span)
    if caps is None:
        return None, {}
    sources = field_sources(rule, caps)
    text = ctx.text
    spans = {k: s for k, (s, _) in caps.items() if s[0] < s[1]}
    facts = {}
    for k, (s, node) in caps.items():
        if isinstance(node.item, A.FactRef) and s in ctx.by_type.get(node.item.type, {}):
            facts[k] = ctx.by_type[node.item.type][s]
    env = Env(text, spans, facts, ctx.published, ctx.model.lexicons)
    ft = ctx.model.facts[rule.fact]
    values, field_spans = {}, {}
    try:
        for fa in rule.fields:
            used: list = []
            values[fa.name] = field_value(compile_expr(fa.expr)(env, used), ft.field(fa.name).type)
            inside = [(s, e) for s, e in used if span[0] <= s and e <= span[1]]
            field_spans[fa.name] = (min(s for s, _ in inside), max(e for _, e in inside)) if inside else None
    except NormalizationError:
        return None, sources
    fact = Fact(rule.fact, rule.name, span[0], span[1], text[span[0]:span[1]], values, field_spans, rule.priority,
                ctx.doc)
    return fact.to_dict(), sources
