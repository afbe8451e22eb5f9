"""The native front-end: Lark (LALR) parses `.ie` text; a Transformer builds the AST with positions.

The same grammar parses the pattern, expression, type and scope strings that YAML rule files embed
(`parse_fragment`), so both syntaxes share one definition of the language.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Callable

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from . import nodes as A
from .visit import ExprVisitor
from ..errors import Collector, Diagnostic, Loc, Source, diagnostic
from ..messages import Errors
from ..paths import grammar_file
from .limits import MAX_DEPTH, tree_too_deep

START_SYMBOLS = ("start", "pattern", "expr", "type_ref", "scope")


@functools.lru_cache(maxsize=1)
def grammar() -> Lark:
    return Lark(grammar_file().read_text(encoding="utf-8"), parser="lalr", propagate_positions=True,
                start=list(START_SYMBOLS), maybe_placeholders=False)


# ---- plain-word names for terminals in "expected ..." messages ------------------------------------
_WORDS = {
    "NAME": "a name", "TYPE_NAME": "a fact type name (Capitalized)", "STRING": "a string in double quotes",
    "LITERAL": "a quoted literal", "NUMBER_LIT": "a number", "INT": "a whole number",
    "SIGNED_INT": "a whole number", "CAPTURE": "a capture label (name:)", "TOKEN_CLASS": "a token class",
    "TOKEN_REGEX": "a /regex/", "RAW_REGEX": "an r/regex/", "QUANT": "a quantifier", "LOOK": "'(?=' or '(?!'",
    "GLUE": "'~'", "OPTIONAL": "'?'", "CASE": "'case'", "$END": "the end of the text",
    "TOK_OP": "'=' or '!='", "NLP_OPTIONAL": "'optional'",
}


def _describe(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    try:
        term = grammar().get_terminal(name)
    except KeyError:
        return name
    pattern = term.pattern
    return f"'{pattern.value}'" if pattern.type == "str" else name.lower()


def _expected(names) -> str:
    words = sorted({_describe(n) for n in names}, key=lambda w: (w.startswith("'"), w))
    if len(words) > 8:
        words = words[:8] + ["..."]
    return ", ".join(words)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/"}


def unescape(body: str) -> str:
    def one(m):
        c = m.group(1)
        if c.startswith("u"):
            return chr(int(c[1:], 16))
        return _ESCAPES.get(c, "\\" + c)

    return re.sub(r'\\(u[0-9a-fA-F]{4}|.)', one, body)


def _regex_body(text: str, prefix: int):
    """Split `/body/flags` (after `prefix` chars) into (body with `\\/` unescaped, flags)."""
    end = text.rindex("/")
    return text[prefix + 1:end].replace("\\/", "/"), text[end + 1:]


@v_args(inline=True, meta=True)
class ToAst(Transformer):
    """Lark tree -> AST. Problems that the grammar cannot express are collected, not raised."""

    def __init__(self, locate: Callable[[int, int, int, int], Loc], problems: Collector):
        super().__init__()
        self._locate = locate
        self.problems = problems

    def _loc(self, meta) -> Loc | None:
        if getattr(meta, "empty", True):
            return None
        return self._locate(meta.line, meta.column, meta.end_line, meta.end_column)

    def _tloc(self, tok: Token) -> Loc:
        return self._locate(tok.line, tok.column, tok.end_line, tok.end_column)

    # ---- file
    def start(self, meta, *decls):
        return tuple(decls)

    # ---- facts
    def fact_decl(self, meta, name, *rest):
        opts = {}
        fields = []
        for r in rest:
            if isinstance(r, A.FieldDecl):
                fields.append(r)
            else:
                opts.update(r)
        return A.FactDecl(str(name), tuple(fields), loc=self._tloc(name), **opts)

    def opt_once(self, meta):
        return {"once": True}

    def opt_all(self, meta):
        return {"keep_all": True}

    def opt_hidden(self, meta):
        return {"hidden": True}

    def opt_publishes(self, meta, name):
        return {"publishes": str(name)}

    def field_decl(self, meta, name, type_ref):
        return A.FieldDecl(str(name), type_ref, loc=self._tloc(name))

    def scalar_type(self, meta, name, optional=None):
        return A.TypeRef(str(name), optional is not None, False, loc=self._tloc(name))

    def list_type(self, meta, name, optional=None):
        return A.TypeRef(str(name), optional is not None, True, loc=self._tloc(name))

    # ---- lexicons
    def _lexicon(self, meta, name, rest):
        value_type = None
        case = False
        items = []
        for r in rest:
            if isinstance(r, A.TypeRef):
                value_type = r
            elif isinstance(r, Token) and r.type == "CASE":
                case = True
            else:
                items.append(r)
        return str(name), value_type, case, items

    def lexicon_inline(self, meta, name, *rest):
        name, value_type, case, entries = self._lexicon(meta, name, rest)
        return A.LexiconDecl(name, value_type, tuple(entries), None, case, loc=self._loc(meta))

    def lexicon_file(self, meta, name, *rest):
        name, value_type, case, items = self._lexicon(meta, name, rest)
        path = items[-1]
        return A.LexiconDecl(name, value_type, (), unescape(path[1:-1]), case, loc=self._loc(meta),
                             file_loc=self._tloc(path))

    def lex_type(self, meta, type_ref):
        return type_ref

    def lex_entry(self, meta, *parts):
        value = parts[-1] if isinstance(parts[-1], A.Value) else None
        phrases = tuple(unescape(p[1:-1]) for p in parts if isinstance(p, Token))
        return A.LexEntry(phrases, value, loc=self._loc(meta))

    # ---- what an NLP pipeline must give
    def uses_decl(self, meta, *needs):
        labels, locs, tokens, optional = [], [], False, False
        for n in needs:
            if isinstance(n, Token):
                optional = True
            elif n == "tokens":
                tokens = True
            else:
                labels.extend(str(t) for t in n)
                locs.extend(self._tloc(t) for t in n)
        return A.UsesNlp(tuple(labels), tokens, optional, loc=self._loc(meta), label_locs=tuple(locs))

    def nlp_entities(self, meta, *labels):
        return labels

    def nlp_tokens(self, meta):
        return "tokens"

    # ---- named patterns
    def pattern_decl(self, meta, name, pattern):
        return A.PatternDecl(str(name), pattern, loc=self._tloc(name))

    # ---- rules
    def rule_name(self, meta, *parts):
        return ".".join(str(p) for p in parts), self._loc(meta)

    def rule_decl(self, meta, name, fact, *stmts):
        name, name_loc = name
        opts = {"fields": [], "examples": [], "pattern": None}
        for key, value in stmts:
            if key in ("fields", "examples"):
                opts[key].append(value)
            else:
                opts[key] = value
        opts["fields"] = tuple(opts["fields"])
        # canonical order (as YAML writes them): examples, then counter-examples
        opts["examples"] = tuple(sorted(opts["examples"], key=lambda e: not e.positive))
        return A.RuleDecl(name, str(fact), loc=name_loc, fact_loc=self._tloc(fact), **opts)

    def match_stmt(self, meta, pattern):
        return "pattern", pattern

    def priority_stmt(self, meta, n):
        return "priority", int(n)

    def scope_stmt(self, meta, scope):
        return "scope", scope

    def all_stmt(self, meta):
        return "keep_all", True

    def field_stmt(self, meta, name, expr):
        return "fields", A.FieldAssign(str(name), expr, loc=self._tloc(name))

    def example_stmt(self, meta, text, *rest):
        published = next((r for r in rest if isinstance(r, str)), None)
        fields = next((r for r in rest if isinstance(r, tuple)), ())
        return "examples", A.Example(unescape(text[1:-1]), True, fields, published, loc=self._tloc(text))

    def counter_stmt(self, meta, text, published=None):
        return "examples", A.Example(unescape(text[1:-1]), False, (), published, loc=self._tloc(text))

    def published(self, meta, s):
        return unescape(s[1:-1])

    def example_fields(self, meta, *parts):
        return tuple((str(parts[i]), parts[i + 1]) for i in range(0, len(parts), 2))

    def scope_document(self, meta):
        return A.Scope("document", loc=self._loc(meta))

    def scope_sentence(self, meta, n=None):
        return A.Scope("sentence", None if n is None else int(n), loc=self._loc(meta))

    def scope_line(self, meta, n=None):
        return A.Scope("line", None if n is None else int(n), loc=self._loc(meta))

    def scope_paragraph(self, meta, n=None):
        return A.Scope("paragraph", None if n is None else int(n), loc=self._loc(meta))

    def scope_first(self, meta, n):
        return A.Scope("first", int(n), loc=self._loc(meta))

    # ---- patterns
    def alt(self, meta, *branches):
        return A.Alt(tuple(branches), loc=self._loc(meta))

    def seq(self, meta, *parts):
        items, glued = [], []
        pending_glue = False
        for p in parts:
            if isinstance(p, Token) and p.type == "GLUE":
                pending_glue = True
                continue
            items.append(p)
            glued.append(pending_glue)
            pending_glue = False
        if len(items) == 1 and not glued[0]:
            return items[0]
        return A.Seq(tuple(items), tuple(glued), loc=self._loc(meta))

    def capture(self, meta, label, item):
        return A.Capture(str(label)[:-1], item, loc=self._tloc(label))

    def repeat(self, meta, item, quant):
        q = str(quant)
        if q == "?":
            lo, hi = 0, 1
        elif q == "*":
            lo, hi = 0, None
        elif q == "+":
            lo, hi = 1, None
        else:
            body = q[1:-1].replace(" ", "").replace("\t", "")
            if "," in body:
                a, b = body.split(",")
                lo, hi = int(a), (int(b) if b else None)
            else:
                lo = hi = int(body)
            if hi is not None and hi < lo:
                self.problems.error(Errors.QUANTIFIER_BELOW, self._tloc(quant), quantifier=q)
                hi = lo
            if hi == 0:
                self.problems.error(Errors.QUANTIFIER_NOTHING, self._tloc(quant), quantifier=q)
                hi = 1
        return A.Repeat(item, lo, hi, loc=self._tloc(quant))

    def lit(self, meta, tok):
        s = str(tok)
        ignore_case = s.endswith("i")
        body = unescape(s[1:-2] if ignore_case else s[1:-1])
        if not body.strip():
            self.problems.error(Errors.EMPTY_LITERAL, self._tloc(tok))
        return A.Lit(body, ignore_case, loc=self._tloc(tok))

    def token_class(self, meta, tok):
        return A.TokenClass(str(tok), loc=self._tloc(tok))

    def token_regex(self, meta, tok):
        body, flags = _regex_body(str(tok), 0)
        return A.Regex(body, flags, False, loc=self._tloc(tok))

    def raw_regex(self, meta, tok):
        body, flags = _regex_body(str(tok), 1)
        return A.Regex(body, flags, True, loc=self._tloc(tok))

    def lexicon_ref(self, meta, name):
        return A.LexRef(str(name), loc=self._loc(meta))

    def pattern_ref(self, meta, name):
        return A.PatRef(str(name), loc=self._loc(meta))

    def fact_ref(self, meta, name):
        return A.FactRef(str(name), loc=self._loc(meta))

    def token_constraint(self, meta, *tests):
        return A.TokenConstraint(tuple(tests), loc=self._loc(meta))

    def tok_test(self, meta, attr, op, value):
        v, negate, locs = str(value), str(op) == "!=", dict(loc=self._tloc(attr), value_loc=self._tloc(value))
        if value.type == "STRING":
            return A.TokenTest(str(attr), negate, unescape(v[1:-1]), **locs)
        if value.type == "TOKEN_REGEX":
            body, flags = _regex_body(v, 0)
            return A.TokenTest(str(attr), negate, body, True, flags, **locs)
        return A.TokenTest(str(attr), negate, v, **locs)

    def look(self, meta, kind, pattern):
        k = str(kind)
        return A.Look(pattern, behind="<" in k, negate="!" in k, loc=self._tloc(kind))

    # ---- expressions
    def _bin(self, op, meta, left, right):
        return A.EBinary(op, left, right, loc=self._loc(meta))

    def coalesce(self, meta, left, right):
        return self._bin("??", meta, left, right)

    def add(self, meta, left, right):
        return self._bin("+", meta, left, right)

    def sub(self, meta, left, right):
        return self._bin("-", meta, left, right)

    def mul(self, meta, left, right):
        return self._bin("*", meta, left, right)

    def div(self, meta, left, right):
        return self._bin("/", meta, left, right)

    def neg(self, meta, operand):
        return A.ENeg(operand, loc=self._loc(meta))

    def capture_ref(self, meta, name):
        return A.ECapture(str(name), loc=self._tloc(name))

    def fact_field(self, meta, cap, fld):
        return A.EFactField(str(cap), str(fld), loc=self._loc(meta))

    def lexicon_lookup(self, meta, name, arg):
        return A.ELexicon(str(name), arg, loc=self._loc(meta))

    def call(self, meta, name, *args):
        return A.ECall(str(name), tuple(a for a in args if a is not None), loc=self._tloc(name))

    # literals: a Value inside examples and lexicons, wrapped as ELit inside expressions (see `expr`)
    def lit_str(self, meta, s):
        return A.Value("str", unescape(s[1:-1]), loc=self._tloc(s))

    def lit_num(self, meta, n):
        return A.Value("num", Decimal(str(n)), loc=self._tloc(n))

    def lit_neg_num(self, meta, n):
        return A.Value("num", -Decimal(str(n)), loc=self._loc(meta))

    def lit_true(self, meta):
        return A.Value("bool", True, loc=self._loc(meta))

    def lit_false(self, meta):
        return A.Value("bool", False, loc=self._loc(meta))

    def lit_null(self, meta):
        return A.Value("null", None, loc=self._loc(meta))


class _WrapValues(ExprVisitor):
    """Expression literals are parsed as Values; wrap them as ELit (the grammar shares `literal`)."""

    def visit_Value(self, node):
        return A.ELit(node, loc=node.loc)

    def visit_ELit(self, node):
        return node

    visit_ECapture = visit_EFactField = visit_ELit

    def visit_EBinary(self, node):
        return A.EBinary(node.op, self.visit(node.left), self.visit(node.right), loc=node.loc)

    def visit_ENeg(self, node):
        return A.ENeg(self.visit(node.operand), loc=node.loc)

    def visit_ELexicon(self, node):
        return A.ELexicon(node.lexicon, self.visit(node.arg), loc=node.loc)

    def visit_ECall(self, node):
        return A.ECall(node.func, tuple(self.visit(a) for a in node.args), loc=node.loc)


_wrap_values = _WrapValues().visit


def _fix_exprs(decls):
    out = []
    for d in decls:
        if isinstance(d, A.RuleDecl):
            fields = tuple(A.FieldAssign(f.name, _wrap_values(f.expr), loc=f.loc) for f in d.fields)
            d = A.RuleDecl(d.name, d.fact, d.pattern, fields, d.priority, d.scope, d.keep_all, d.examples,
                           loc=d.loc, fact_loc=d.fact_loc)
        out.append(d)
    return tuple(out)


def _syntax_diagnostic(err: UnexpectedInput, text: str, locate, what: str) -> Diagnostic:
    line, col = getattr(err, "line", -1), getattr(err, "column", -1)
    if line is None or line < 1:  # at the end of the text
        line = text.count("\n") + 1
        col = len(text) - (text.rfind("\n") + 1) + 1
    hint_extra = None
    if isinstance(err, UnexpectedCharacters):
        found = text[err.pos_in_stream] if err.pos_in_stream < len(text) else "end of text"
        message, values = Errors.UNEXPECTED_CHARACTER, dict(found=found, what=what)
        expected = _expected(err.allowed or ())
        length = 1
        if "LITERAL" in (err.allowed or ()):
            hint_extra = f"text to match is written in double quotes, e.g. \"{found}\""
    elif isinstance(err, UnexpectedEOF):
        message, values = Errors.UNEXPECTED_END, dict(what=what)
        expected = _expected(err.expected or ())
        length = 1
    else:
        tok = err.token
        found = "end of text" if tok.type == "$END" else repr(str(tok))
        if tok.type == "$END":
            line = text.rstrip().count("\n") + 1
            col = len(text.rstrip()) - (text.rstrip().rfind("\n") + 1) + 1
        message, values = Errors.UNEXPECTED_TOKEN, dict(found=found, what=what)
        expected = _expected(err.accepts or err.expected or ())
        length = max(1, len(str(tok))) if tok.type != "$END" else 1
    hint = f"expected {expected}" if expected else None
    if hint_extra:
        hint = f"{hint}; {hint_extra}" if hint else hint_extra
    return diagnostic(message, locate(line, col, line, col + length), hint, **values)


_WHAT = {"start": "rule file", "pattern": "pattern", "expr": "field expression", "type_ref": "type",
         "scope": "scope"}


def parse_fragment(text: str, start: str, locate: Callable[[int, int, int, int], Loc]):
    """Parse `text` from one start symbol; positions are mapped to the file by `locate`.

    Returns the AST node (or tuple of declarations); raises RuleError with all problems found.
    """
    problems = Collector()
    try:
        tree = grammar().parse(text, start=start)
    except UnexpectedInput as err:
        problems.items.append(_syntax_diagnostic(err, text, locate, _WHAT[start]))
        problems.raise_if_any()
    deep = tree_too_deep(tree, 2 * MAX_DEPTH)  # the AST is built recursively: refuse what would overflow
    if deep is not None:
        meta = deep.meta
        loc = locate(1, 1, 1, 2) if getattr(meta, "empty", True) else \
            locate(meta.line, meta.column, meta.line, meta.column + 1)
        problems.error(Errors.TOO_DEEP, loc, what=_WHAT[start], limit=MAX_DEPTH)
        problems.raise_if_any()
    node = ToAst(locate, problems).transform(tree)
    problems.raise_if_any()
    if start == "start":
        return _fix_exprs(node)
    if start == "expr":
        return _wrap_values(node)
    return node


def file_locator(source: Source):
    def locate(line, col, end_line, end_col):
        return Loc(source, line, col, end_col if end_line == line else col + 1)

    return locate


def parse_text(text: str, path: str = "<string>") -> A.RuleFile:
    """Parse a whole `.ie` rule file."""
    source = Source(path, text)
    decls = parse_fragment(text, "start", file_locator(source))
    return A.RuleFile(path, decls)


def parse_pattern(text: str, path: str = "<pattern>") -> A.Pattern:
    source = Source(path, text)
    return parse_fragment(text, "pattern", file_locator(source))
