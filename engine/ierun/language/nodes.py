"""The rule model both front-ends build: frozen, slotted dataclasses, each node with its source location.

Locations do not take part in equality, so the same rules written in the DSL and in YAML compare equal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

from ..errors import Loc

_node = dict(frozen=True, slots=True)


def _loc():
    return field(default=None, compare=False, repr=False)


# ---- types ---------------------------------------------------------------------------------------
SCALAR_TYPES = ("str", "int", "decimal", "date", "currency", "bool")


@dataclass(**_node)
class TypeRef:
    name: str
    optional: bool = False
    is_list: bool = False
    loc: Loc | None = _loc()

    def __str__(self) -> str:
        core = f"[{self.name}]" if self.is_list else self.name
        return core + ("?" if self.optional else "")


@dataclass(**_node)
class FieldDecl:
    name: str
    type: TypeRef
    loc: Loc | None = _loc()


@dataclass(**_node)
class FactDecl:
    name: str
    fields: tuple[FieldDecl, ...]
    once: bool = False
    keep_all: bool = False
    hidden: bool = False
    publishes: str | None = None
    loc: Loc | None = _loc()

    def field(self, name: str) -> FieldDecl | None:
        return next((f for f in self.fields if f.name == name), None)


# ---- values (lexicon values, example fields, expression literals) --------------------------------
@dataclass(**_node)
class Value:
    """A literal: kind is 'str', 'num' (exact Decimal), 'bool' or 'null'."""

    kind: str
    value: Union[str, Decimal, bool, None]
    loc: Loc | None = _loc()


# ---- lexicons ------------------------------------------------------------------------------------
@dataclass(**_node)
class LexEntry:
    phrases: tuple[str, ...]
    value: Value | None = None
    loc: Loc | None = _loc()


@dataclass(**_node)
class LexiconDecl:
    name: str
    value_type: TypeRef | None
    entries: tuple[LexEntry, ...] = ()
    file: str | None = None
    case_sensitive: bool = False
    loc: Loc | None = _loc()
    file_loc: Loc | None = _loc()


# ---- patterns ------------------------------------------------------------------------------------
@dataclass(**_node)
class Lit:
    text: str
    ignore_case: bool = False
    loc: Loc | None = _loc()


TOKEN_CLASSES = ("NUMBER", "WORD", "CAPWORD", "ALLCAPS", "LOWER", "PUNCT", "TOKEN")


@dataclass(**_node)
class TokenClass:
    name: str
    loc: Loc | None = _loc()


@dataclass(**_node)
class Regex:
    """`/re/flags` (raw=False: starts and ends on token boundaries) or `r/re/flags` (raw characters)."""

    source: str
    flags: str = ""
    raw: bool = False
    loc: Loc | None = _loc()


@dataclass(**_node)
class LexRef:
    name: str
    loc: Loc | None = _loc()


@dataclass(**_node)
class PatRef:
    name: str
    loc: Loc | None = _loc()


@dataclass(**_node)
class FactRef:
    type: str
    loc: Loc | None = _loc()


@dataclass(**_node)
class Seq:
    items: tuple["Pattern", ...]
    glued: tuple[bool, ...]  # glued[i]: item i touches item i-1 (no white space between)
    loc: Loc | None = _loc()

    def item_glued(self, i: int, glued: bool) -> bool:
        """The glue rule: must item i touch what comes before it, when the sequence itself must (`glued`)?
        The first item is glued with the sequence (or when written `~ a b`), a later one when written `a ~ b`."""
        return (glued or self.glued[0]) if i == 0 else self.glued[i]


@dataclass(**_node)
class Alt:
    branches: tuple["Pattern", ...]
    loc: Loc | None = _loc()


@dataclass(**_node)
class Repeat:
    item: "Pattern"
    min: int
    max: int | None  # None: unbounded
    loc: Loc | None = _loc()


@dataclass(**_node)
class Capture:
    name: str
    item: "Pattern"
    loc: Loc | None = _loc()


@dataclass(**_node)
class Look:
    """Context that must (negate=False) or must not stand after (behind=False) or before the position."""

    pattern: "Pattern"
    behind: bool = False
    negate: bool = False
    loc: Loc | None = _loc()


_BARE_VALUE = re.compile(r"[A-Z][A-Za-z0-9_]*")  # printed without quotes (a fact-type-like name: PROPN, NNP)


@dataclass(**_node)
class TokenTest:
    """One test on an NLP token's attribute: `pos=PROPN`, `lemma!="mr"`, `tag=/^NN/` (`regex`: the value is a
    regular expression with `flags`, searched in the attribute's value)."""

    attr: str
    negate: bool
    value: str
    regex: bool = False
    flags: str = ""
    loc: Loc | None = _loc()        # the attribute
    value_loc: Loc | None = _loc()  # the value

    def __str__(self) -> str:
        if self.regex:
            value = "/" + self.value.replace("/", "\\/") + "/" + self.flags
        elif _BARE_VALUE.fullmatch(self.value):
            value = self.value
        else:
            value = '"' + self.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{self.attr}{'!=' if self.negate else '='}{value}"


@dataclass(**_node)
class TokenConstraint:
    """`[pos=PROPN & lemma!="mr"]`: one token of the NLP pipeline's tokenization that passes every test."""

    tests: tuple[TokenTest, ...]
    loc: Loc | None = _loc()

    def __str__(self) -> str:
        return "[" + " & ".join(map(str, self.tests)) + "]"


Pattern = Union[Lit, TokenClass, Regex, LexRef, PatRef, FactRef, Seq, Alt, Repeat, Capture, Look, TokenConstraint]


@dataclass(**_node)
class PatternDecl:
    name: str
    pattern: Pattern
    loc: Loc | None = _loc()


# ---- field expressions ---------------------------------------------------------------------------
@dataclass(**_node)
class ELit:
    value: Value
    loc: Loc | None = _loc()


@dataclass(**_node)
class ECapture:
    name: str
    loc: Loc | None = _loc()


@dataclass(**_node)
class EFactField:
    capture: str
    field: str
    loc: Loc | None = _loc()


@dataclass(**_node)
class ELexicon:
    lexicon: str
    arg: "Expr"
    loc: Loc | None = _loc()


@dataclass(**_node)
class ECall:
    func: str
    args: tuple["Expr", ...]
    loc: Loc | None = _loc()


@dataclass(**_node)
class EBinary:
    op: str  # + - * / ??
    left: "Expr"
    right: "Expr"
    loc: Loc | None = _loc()


@dataclass(**_node)
class ENeg:
    operand: "Expr"
    loc: Loc | None = _loc()


Expr = Union[ELit, ECapture, EFactField, ELexicon, ECall, EBinary, ENeg]


# ---- rules ---------------------------------------------------------------------------------------
@dataclass(**_node)
class Scope:
    kind: str = "document"  # document | sentence | line | paragraph | first
    n: int | None = None    # first N characters (with sentence/line/paragraph: the ranges inside them)
    loc: Loc | None = _loc()

    def __str__(self) -> str:
        if self.kind == "first":
            return f"first {self.n}"
        return self.kind if self.n is None else f"{self.kind} first {self.n}"


@dataclass(**_node)
class FieldAssign:
    name: str
    expr: Expr
    loc: Loc | None = _loc()


@dataclass(**_node)
class Example:
    text: str
    positive: bool = True
    fields: tuple[tuple[str, Value], ...] = ()
    published: str | None = None
    loc: Loc | None = _loc()


@dataclass(**_node)
class RuleDecl:
    name: str
    fact: str
    pattern: Pattern | None
    fields: tuple[FieldAssign, ...] = ()
    priority: int = 0
    scope: Scope = Scope()
    keep_all: bool = False
    examples: tuple[Example, ...] = ()
    loc: Loc | None = _loc()
    fact_loc: Loc | None = _loc()


@dataclass(**_node)
class UsesNlp:
    """`uses nlp entities PERSON, ORG [tokens] [optional]`: what the rules need from an NLP pipeline. Each entity
    label becomes a (hidden) fact type of that name, fields text and label; `optional`: without a pipeline,
    the rules that need one are skipped (with a note) instead of refusing to run."""

    entities: tuple[str, ...] = ()
    tokens: bool = False
    optional: bool = False
    loc: Loc | None = _loc()
    label_locs: tuple = field(default=(), compare=False, repr=False)


Decl = Union[FactDecl, LexiconDecl, PatternDecl, RuleDecl, UsesNlp]


@dataclass(**_node)
class RuleFile:
    path: str = field(compare=False)
    decls: tuple[Decl, ...]
