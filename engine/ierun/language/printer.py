"""Printing the rule model back: as `.ie` text, as YAML, and as an indented tree (`--explain`).

`parse(to_ie(model)) == model` and `parse_yaml(to_yaml(model)) == model` (tested with Hypothesis)."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

from . import nodes as A
from .visit import ExprVisitor, PatternVisitor


# ---- literals ------------------------------------------------------------------------------------
def quote(s: str) -> str:
    out = []
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif ord(c) < 0x20 or c in "\u2028\u2029\x85\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def value_ie(v: A.Value) -> str:
    if v.kind == "str":
        return quote(v.value)
    if v.kind == "num":
        return _num(v.value)
    if v.kind == "bool":
        return "true" if v.value else "false"
    return "null"


def _num(d: Decimal) -> str:
    s = format(d, "f")
    return s


# ---- patterns ------------------------------------------------------------------------------------
_PREC = {A.Alt: 0, A.Seq: 1, A.Capture: 2, A.Repeat: 3}


class _PatternPrinter(PatternVisitor):
    """ctx: 0 anywhere, 1 inside a sequence, 2 as the body of a capture, 3 as the item of a quantifier."""

    def visit_Lit(self, node, ctx):
        return quote(node.text) + ("i" if node.ignore_case else "")

    def visit_TokenClass(self, node, ctx):
        return node.name

    def visit_Regex(self, node, ctx):
        body = node.source.replace("/", "\\/")
        return ("r" if node.raw else "") + "/" + body + "/" + node.flags

    def visit_LexRef(self, node, ctx):
        return "@" + node.name

    def visit_PatRef(self, node, ctx):
        return "%" + node.name

    def visit_FactRef(self, node, ctx):
        return f"<{node.type}>"

    def visit_TokenConstraint(self, node, ctx):
        return str(node)

    def visit_Look(self, node, ctx):
        head = "(?" + ("<" if node.behind else "") + ("!" if node.negate else "=")
        return f"{head} {self.visit(node.pattern, 0)})"

    def visit_Alt(self, node, ctx):
        return _group(" | ".join(self.visit(b, 1) for b in node.branches), _PREC[A.Alt], ctx)

    def visit_Seq(self, node, ctx):
        s = "~ " if node.glued[0] else ""
        for i, item in enumerate(node.items):
            if i:
                s += " ~ " if node.glued[i] else " "
            s += self.visit(item, 2)
        return f"({s})" if node.glued[0] else _group(s, _PREC[A.Seq], ctx)

    def visit_Capture(self, node, ctx):
        return _group(f"{node.name}:{self.visit(node.item, 3)}", _PREC[A.Capture], ctx)

    def visit_Repeat(self, node, ctx):
        q = {(0, 1): "?", (0, None): "*", (1, None): "+"}.get((node.min, node.max))
        if q is None:
            q = f"{{{node.min}}}" if node.min == node.max else f"{{{node.min},{'' if node.max is None else node.max}}}"
        return _group(self.visit(node.item, 4) + q, _PREC[A.Repeat], ctx)


def _group(s: str, prec: int, ctx: int) -> str:
    return f"({s})" if prec < ctx else s


_PATTERN_PRINTER = _PatternPrinter()


def pattern_ie(node, ctx: int = 0) -> str:
    """A pattern in the DSL's syntax (see _PatternPrinter for ctx)."""
    return _PATTERN_PRINTER.visit(node, ctx)


# ---- expressions ---------------------------------------------------------------------------------
_EPREC = {"??": 0, "+": 1, "-": 1, "*": 2, "/": 2}


class _ExprPrinter(ExprVisitor):
    def visit_ELit(self, e, ctx):
        if e.value.kind == "num" and e.value.value < 0:
            return f"(-{_num(-e.value.value)})"
        return value_ie(e.value)

    def visit_ECapture(self, e, ctx):
        return e.name

    def visit_EFactField(self, e, ctx):
        return f"{e.capture}.{e.field}"

    def visit_ELexicon(self, e, ctx):
        return f"@{e.lexicon}({self.visit(e.arg, 0)})"

    def visit_ECall(self, e, ctx):
        return f"{e.func}({', '.join(self.visit(a, 0) for a in e.args)})"

    def visit_ENeg(self, e, ctx):
        return f"-{self.visit(e.operand, 3)}"

    def visit_EBinary(self, e, ctx):
        p = _EPREC[e.op]
        if e.op == "??":  # right-associative
            s = f"{self.visit(e.left, p + 1)} ?? {self.visit(e.right, p)}"
        else:  # left-associative
            s = f"{self.visit(e.left, p)} {e.op} {self.visit(e.right, p + 1)}"
        return f"({s})" if p < ctx else s


_EXPR_PRINTER = _ExprPrinter()


def expr_ie(e, ctx: int = 0) -> str:
    return _EXPR_PRINTER.visit(e, ctx)


# ---- whole files ---------------------------------------------------------------------------------
def _fact_ie(d: A.FactDecl) -> str:
    opts = (" once" if d.once else "") + (" all" if d.keep_all else "") + (" hidden" if d.hidden else "") + \
        (f" publishes {d.publishes}" if d.publishes else "")
    body = "".join(f"    {f.name}: {f.type}\n" for f in d.fields)
    return f"fact {d.name}{opts} {{\n{body}}}\n"


def _lexicon_ie(d: A.LexiconDecl) -> str:
    head = f"lexicon {d.name}" + (f": {d.value_type}" if d.value_type else "") + (" case" if d.case_sensitive else "")
    if d.file is not None:
        return f"{head} from {quote(d.file)}\n"
    lines = []
    for e in d.entries:
        line = " | ".join(quote(p) for p in e.phrases)
        if e.value is not None:
            line += " => " + value_ie(e.value)
        lines.append(f"    {line}\n")
    return f"{head} {{\n{''.join(lines)}}}\n"


def _example_ie(ex: A.Example) -> str:
    s = ("example " if ex.positive else "counter ") + quote(ex.text)
    if ex.published is not None:
        s += " published " + quote(ex.published)
    if ex.positive and ex.fields:
        s += " { " + ", ".join(f"{k}: {value_ie(v)}" for k, v in ex.fields) + " }"
    return s


def _rule_ie(d: A.RuleDecl) -> str:
    lines = [f"    match {pattern_ie(d.pattern)}"] if d.pattern is not None else []
    if d.priority:
        lines.append(f"    priority {d.priority}")
    if d.scope.kind != "document":
        lines.append(f"    scope {d.scope}")
    if d.keep_all:
        lines.append("    all")
    lines += [f"    {f.name} = {expr_ie(f.expr)}" for f in d.fields]
    lines += [f"    {_example_ie(ex)}" for ex in d.examples]
    return f"rule {d.name} -> {d.fact} {{\n" + "".join(l + "\n" for l in lines) + "}\n"


def _uses_ie(d: A.UsesNlp) -> str:
    parts = ["uses nlp"] + ([f"entities {', '.join(d.entities)}"] if d.entities else [])
    return " ".join(parts + (["tokens"] if d.tokens else []) + (["optional"] if d.optional else [])) + "\n"


def to_ie(rf: A.RuleFile) -> str:
    out = []
    for d in rf.decls:
        if isinstance(d, A.FactDecl):
            out.append(_fact_ie(d))
        elif isinstance(d, A.LexiconDecl):
            out.append(_lexicon_ie(d))
        elif isinstance(d, A.PatternDecl):
            out.append(f"pattern {d.name} = {pattern_ie(d.pattern)}\n")
        elif isinstance(d, A.UsesNlp):
            out.append(_uses_ie(d))
        else:
            out.append(_rule_ie(d))
    return "\n".join(out)


# ---- YAML ----------------------------------------------------------------------------------------
def _y(s: str, flow: bool = False, key: bool = False) -> str:
    """The most readable YAML scalar that reads back as the same string: plain, 'single' or "double"."""
    import yaml
    candidates = ([] if flow else [s]) + (["'" + s.replace("'", "''") + "'"] if s.isprintable() else [])
    for c in candidates:
        try:
            if c and yaml.safe_load("k: " + c) == {"k": s} and (not key or yaml.safe_load(c + ": 1") == {s: 1}):
                return c
        except yaml.YAMLError:
            pass
    return _yaml_double(s)


def _yaml_double(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif c.isprintable() and c != "\ufeff":
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def _yvalue(v: A.Value, flow: bool = False) -> str:
    if v.kind == "str":
        return _y(v.value, flow)
    if v.kind == "num":
        return _num(v.value)
    if v.kind == "bool":
        return "true" if v.value else "false"
    return "null"


def to_yaml(rf: A.RuleFile) -> str:
    facts = [d for d in rf.decls if isinstance(d, A.FactDecl)]
    lexicons = [d for d in rf.decls if isinstance(d, A.LexiconDecl)]
    patterns = [d for d in rf.decls if isinstance(d, A.PatternDecl)]
    rules = [d for d in rf.decls if isinstance(d, A.RuleDecl)]
    uses = [d for d in rf.decls if isinstance(d, A.UsesNlp)]
    out = []
    if uses:  # YAML has one `nlp` key: several declarations are written as one
        out.append("nlp:")
        labels = [label for d in uses for label in d.entities]
        if labels:
            out.append(f"  entities: [{', '.join(dict.fromkeys(labels))}]")
        if any(d.tokens for d in uses):
            out.append("  tokens: true")
        if all(d.optional for d in uses):
            out.append("  optional: true")
    if facts:
        out.append("facts:")
        for d in facts:
            out.append(f"  {d.name}:")
            for key, on in (("once", d.once), ("all", d.keep_all), ("hidden", d.hidden)):
                if on:
                    out.append(f"    {key}: true")
            if d.publishes:
                out.append(f"    publishes: {_y(d.publishes)}")
            out.append("    fields:" + ("" if d.fields else " {}"))
            out += [f"      {f.name}: {_y(str(f.type))}" for f in d.fields]
    if lexicons:
        out.append("lexicons:")
        for d in lexicons:
            out.append(f"  {d.name}:")
            if d.value_type:
                out.append(f"    type: {_y(str(d.value_type))}")
            if d.case_sensitive:
                out.append("    case: true")
            if d.file is not None:
                out.append(f"    file: {_y(d.file)}")
                continue
            out.append("    entries:" + ("" if d.entries else " []"))
            for e in d.entries:
                if len(e.phrases) == 1 and e.value is None:
                    out.append(f"      - {_y(e.phrases[0])}")
                elif len(e.phrases) == 1:
                    out.append(f"      - {_y(e.phrases[0], key=True)}: {_yvalue(e.value)}")
                else:
                    phrases = ", ".join(_y(p, flow=True) for p in e.phrases)
                    value = f", value: {_yvalue(e.value, True)}" if e.value is not None else ""
                    out.append(f"      - {{phrases: [{phrases}]{value}}}")
    if patterns:
        out.append("patterns:")
        out += [f"  {d.name}: {_y(pattern_ie(d.pattern))}" for d in patterns]
    if rules:
        out.append("rules:")
        for d in rules:
            out.append(f"  {_y(d.name, key=True)}:")
            out.append(f"    emits: {d.fact}")
            if d.pattern is not None:
                out.append(f"    match: {_y(pattern_ie(d.pattern))}")
            if d.priority:
                out.append(f"    priority: {d.priority}")
            if d.scope.kind != "document":
                out.append(f"    scope: {_y(str(d.scope))}")
            if d.keep_all:
                out.append("    all: true")
            if d.fields:
                out.append("    fields:")
                out += [f"      {f.name}: {_y(expr_ie(f.expr))}" for f in d.fields]
            for positive, key in ((True, "examples"), (False, "counter")):
                exs = [x for x in d.examples if x.positive == positive]
                if not exs:
                    continue
                out.append(f"    {key}:")
                for x in exs:
                    if x.published is None and not x.fields:
                        out.append(f"      - {_y(x.text)}")
                        continue
                    out.append(f"      - text: {_y(x.text)}")
                    if x.published is not None:
                        out.append(f"        published: {_y(x.published)}")
                    if x.fields:
                        out.append("        fields:")
                        out += [f"          {k}: {_yvalue(v)}" for k, v in x.fields]
    return "\n".join(out) + "\n"


# ---- debug dump ----------------------------------------------------------------------------------
def dump(node, indent: int = 0) -> str:
    """An indented tree of any AST/IR node, locations shown, for --explain ast|ir."""
    pad = "  " * indent
    if isinstance(node, (tuple, list)):
        return "\n".join(dump(x, indent) for x in node)
    if not dataclasses.is_dataclass(node):
        return pad + repr(node)
    loc = getattr(node, "loc", None)
    head = f"{pad}{type(node).__name__}" + (f"  @{loc.line}:{loc.col}" if loc is not None else "")
    lines = [head]
    for f in dataclasses.fields(node):
        if f.name in ("loc", "fact_loc", "file_loc", "values"):
            continue
        v = getattr(node, f.name)
        if dataclasses.is_dataclass(v) or (isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0])):
            lines.append(f"{pad}  {f.name}:")
            lines.append(dump(v, indent + 2))
        else:
            lines.append(f"{pad}  {f.name}: {v!r}")
    return "\n".join(lines)
