"""Triggers: the keys one of which a document must contain for a rule to match (its words, case-folded; a
digit; a fact type it consumes). A rule whose trigger keys are all absent from a document is not tried there.
"""
from __future__ import annotations

import regex

from ..language import ir
from ..language.tokens import glued_tokens, kind
from ..language.visit import IRPatternVisitor

DIGIT_KEY = "\x00digit"
FACT_KEY = "\x00fact:"  # + a fact type: rules that consume it run once such facts exist


def _token_key(tok: str) -> str:
    k = kind(tok[0])
    if k == "D":
        return DIGIT_KEY
    return tok.casefold()


class _Triggers(IRPatternVisitor):
    """Keys one of which a document must contain for the pattern to match; None: no usable condition.
    `lexicon_keys` keeps each lexicon's keys across the rules of a plan (a lexicon may have 50,000 phrases)."""

    def __init__(self, ruleset: ir.RuleModel, lexicon_keys: dict):
        self.ruleset, self.lexicon_keys = ruleset, lexicon_keys

    def visit_Lit(self, node):
        toks = glued_tokens(node.text)
        return frozenset([_token_key(toks[0][0])])

    def visit_TokenClass(self, node):
        return frozenset([DIGIT_KEY]) if node.name == "NUMBER" else None

    def visit_LexRef(self, node):
        if node.name not in self.lexicon_keys:
            lex = self.ruleset.lexicons[node.name]
            self.lexicon_keys[node.name] = frozenset(_token_key(glued_tokens(p)[0][0]) for p in lex.phrases) or None
        return self.lexicon_keys[node.name]

    def visit_FactRef(self, node):
        return frozenset([FACT_KEY + node.type])

    def visit_Capture(self, node):
        return self.visit(node.item)

    def visit_Repeat(self, node):
        return self.visit(node.item) if node.min >= 1 else None

    def visit_Alt(self, node):
        sets = [self.visit(b) for b in node.branches]
        return None if any(s is None for s in sets) else frozenset().union(*sets)

    def visit_Seq(self, node):
        best = None
        for item in node.items:
            s = self.visit(item)
            if s is not None and (best is None or _rank(s) < _rank(best)):
                best = s
        return best

    def visit_Regex(self, node):
        return None  # regexes, look-arounds, NLP tokens

    visit_Look = visit_TokenConstraint = visit_Regex


def triggers(ruleset: ir.RuleModel, node, lexicon_keys: dict | None = None) -> frozenset | None:
    """Keys one of which a document must contain for the pattern to match (see _Triggers)."""
    return _Triggers(ruleset, {} if lexicon_keys is None else lexicon_keys).visit(node)


def _rank(keys: frozenset):
    # best: facts the rule consumes (none in the document: nothing to do), then rare words over digits
    return (not all(k.startswith(FACT_KEY) for k in keys), DIGIT_KEY in keys, len(keys))


def document_keys(text: str) -> set[str]:
    """The trigger keys present in a document: its case-folded words, punctuation characters, digits."""
    folded = text.casefold()
    keys = set(_WORDS.findall(folded))
    keys.update(folded)  # single characters: one-letter words, punctuation and symbols
    if _HAS_DIGIT.search(text):
        keys.add(DIGIT_KEY)
    return keys


_WORDS = regex.compile(r"[\p{L}\p{M}]{2,}")
_HAS_DIGIT = regex.compile(r"\p{Nd}")
