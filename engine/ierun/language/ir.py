"""The checked rule model (IR): names resolved, named patterns inlined, lexicons loaded.

Pattern trees reuse the AST's pattern node classes, without `PatRef` (inlined by lowering). The IR is what
the compiler, the reference interpreter, the printers and the Hypothesis strategies are built from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import nodes as A
from ..errors import Loc


@dataclass(frozen=True, slots=True)
class FactType:
    name: str
    fields: tuple[A.FieldDecl, ...]
    once: bool = False
    keep_all: bool = False
    hidden: bool = False
    publishes: str | None = None
    loc: Loc | None = field(default=None, compare=False, repr=False)

    def field(self, name: str) -> A.FieldDecl | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """`phrases` in declaration order; `values` maps a phrase key (see lexicon.phrase_key) to its value."""

    name: str
    value_type: A.TypeRef | None
    case_sensitive: bool
    phrases: tuple[str, ...]
    values: dict[str, Any] = field(compare=False, repr=False)
    loc: Loc | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    fact: str
    pattern: A.Pattern
    fields: tuple[A.FieldAssign, ...]
    priority: int = 0
    scope: A.Scope = A.Scope()
    keep_all: bool = False
    examples: tuple[A.Example, ...] = ()
    loc: Loc | None = field(default=None, compare=False, repr=False)
    consumes: tuple[str, ...] = ()      # fact types its pattern references
    needs_published: bool = False       # its fields infer a year from the publication date


@dataclass(frozen=True, slots=True)
class RuleModel:
    """The whole checked rule set as the compiler and the tests see it (`ierun.RuleSet` is the compiled,
    runnable one: `RuleSet.ir` is its RuleModel)."""

    facts: dict[str, FactType]
    lexicons: dict[str, Lexicon]
    rules: tuple[Rule, ...]
    phases: tuple[tuple[str, ...], ...]        # rule names, phase by phase
    publication: tuple[str, str] | None = None  # (fact type, date field) that gives the publication date
    fingerprint: str = ""
    nlp: Any = None  # nlp.NlpNeeds: what the rules need from an NLP pipeline (None: nothing)

    def rule(self, name: str) -> Rule:
        return next(r for r in self.rules if r.name == name)
