"""What rules need from an NLP pipeline, in the language: the `uses nlp` declarations (checked), the fact types
their entity labels become, the token constraints `[pos=PROPN]` (checked: the attributes pos, tag and lemma;
Universal Dependencies values for pos), and `NlpNeeds`, what a whole rule set needs (the plan's `nlp_needs`).

An entity label declared by `uses nlp entities PERSON` is a hidden fact type `PERSON` with the fields `text`
(the entity's text, white space folded) and `label`; the engine makes its facts from the pipeline's entities
before the first phase (engine/nlp.py), and rules consume them like any fact: `match r:@role p:<PERSON>`."""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from . import nodes as A
from ..annotations import TOKEN_ATTRS
from ..errors import Collector, Loc, did_you_mean
from ..messages import Errors
from .tree import compile_rule_regex, walk

MAX_CONSTRAINTS = 8  # distinct token constraints in one rule (engine/nlp.py: a mark holds one bit for each)
ENTITY_FIELDS = (A.FieldDecl("text", A.TypeRef("str")), A.FieldDecl("label", A.TypeRef("str")))

# Universal Dependencies v2 parts of speech, and spaCy's SPACE
UD_POS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
          "SCONJ", "SYM", "VERB", "X", "SPACE")


@dataclass(frozen=True, slots=True)
class NlpNeeds:
    """What a rule set needs from an NLP pipeline: the entity labels its rules consume as facts, whether they
    test tokens, whether every rule that needs the pipeline is optional (then, without one, those rules are
    skipped: `rules`), and where it is declared (`declared_at`, "file:line", for messages)."""

    entities: frozenset
    tokens: bool
    optional: bool
    rules: tuple[str, ...] = ()  # the rules that need the pipeline, directly or through the facts they consume
    loc: Loc | None = field(default=None, compare=False, repr=False)

    @property
    def declared_at(self) -> str:
        """Where the rules declare it, "file:line", for messages."""
        return f"{self.loc.source.shown}:{self.loc.line}" if self.loc is not None else "<rules>"


def declarations(files) -> list[A.UsesNlp]:
    return [d for f in files for d in f.decls if isinstance(d, A.UsesNlp)]


def uses_tokens(pattern) -> bool:
    return pattern is not None and any(isinstance(n, A.TokenConstraint) for n in walk(pattern))


# ---- the checking pass (check.PASSES, after the names are collected) -------------------------------------
def check_nlp(prog, p: Collector):
    """Entity labels become fact types (a fact type declared with the same name is an error); no rule emits
    one; a rule testing tokens has a `uses nlp` declaration in its file; every token test is well formed."""
    prog.nlp_labels = {}
    decls = declarations(prog.files)
    for d in decls:
        locs = d.label_locs or (d.loc,) * len(d.entities)
        for label, loc in zip(d.entities, locs):
            if label in prog.nlp_labels:
                continue
            if label in prog.facts:
                p.error(Errors.NLP_LABEL_IS_FACT, loc, label=label, where=prog.facts[label].loc)
                continue
            prog.nlp_labels[label] = loc
            prog.facts[label] = A.FactDecl(label, ENTITY_FIELDS, hidden=True, loc=loc)
    declared_in = {d.loc.path for d in decls if d.loc is not None}
    for r in prog.rules.values():
        if r.fact in prog.nlp_labels:
            p.error(Errors.NLP_EMITS_ENTITY, r.fact_loc or r.loc, rule=r.name, label=r.fact)
        if not _tests_tokens(prog, r.pattern):
            continue
        if r.loc is not None and r.loc.path not in declared_in:
            p.error(Errors.NLP_UNDECLARED_TOKENS, r.loc, rule=r.name)
        found = _walk_refs(prog, r.pattern)
        regexes = [n for n in found if isinstance(n, A.Regex)]
        if regexes:
            p.error(Errors.TOKEN_WITH_REGEX, regexes[0].loc or r.loc, rule=r.name)
        distinct = {str(n) for n in found if isinstance(n, A.TokenConstraint)}
        if len(distinct) > MAX_CONSTRAINTS:
            p.error(Errors.TOKEN_TOO_MANY, r.loc, rule=r.name, n=len(distinct), limit=MAX_CONSTRAINTS)
    for pattern in [d.pattern for d in prog.patterns.values()] + [r.pattern for r in prog.rules.values()]:
        for node in walk(pattern) if pattern is not None else ():
            if isinstance(node, A.TokenConstraint):
                for t in node.tests:
                    check_test(t, p)


def _walk_refs(prog, pattern, depth: int = 0) -> list:
    """Every node of the pattern and of the named patterns it uses."""
    out = []
    if pattern is None or depth > 50:
        return out
    for node in walk(pattern):
        out.append(node)
        if isinstance(node, A.PatRef) and node.name in prog.patterns and node.name not in prog.bad_patterns:
            out.extend(_walk_refs(prog, prog.patterns[node.name].pattern, depth + 1))
    return out


def _tests_tokens(prog, pattern, depth: int = 0) -> bool:
    """Does the pattern test tokens, itself or through the named patterns it uses?"""
    if pattern is None or depth > 50:
        return False
    for node in walk(pattern):
        if isinstance(node, A.TokenConstraint):
            return True
        if isinstance(node, A.PatRef) and node.name in prog.patterns and node.name not in prog.bad_patterns:
            if _tests_tokens(prog, prog.patterns[node.name].pattern, depth + 1):
                return True
    return False


def check_test(t: A.TokenTest, p: Collector):
    if t.attr not in TOKEN_ATTRS:
        p.error(Errors.TOKEN_ATTR, t.loc, did_you_mean(t.attr, TOKEN_ATTRS), attr=t.attr)
        return
    if t.regex:
        try:
            compile_rule_regex(t.value, t.flags)
        except regex.error as err:
            p.error(Errors.TOKEN_REGEX_VALUE, t.value_loc or t.loc, reason=err)
    elif t.attr == "pos" and t.value not in UD_POS:
        upper = t.value.upper()
        hint = f"did you mean '{upper}'?" if upper in UD_POS else did_you_mean(upper, UD_POS)
        if hint is None and upper == t.value and upper.isalpha():  # NNP: a treebank tag, which `tag` reads
            hint = f"a model's own tags are read by tag: [tag={t.value}]; pos is one of {', '.join(UD_POS)}"
        p.error(Errors.TOKEN_POS, t.value_loc or t.loc, hint or "pos is one of " + ", ".join(UD_POS), value=t.value)


# ---- what a checked rule set needs (lowering) ---------------------------------------------------------------
def needs(decls: list[A.UsesNlp], rules) -> NlpNeeds | None:
    """The rule set's needs (None when it declares none); `rules`: the IR rules. A rule needs the pipeline
    when it consumes an entity type or tests tokens, or consumes a fact type that only such rules make."""
    if not decls:
        return None
    labels = frozenset(label for d in decls for label in d.entities)
    need = {r.name for r in rules if uses_tokens(r.pattern) or set(r.consumes) & labels}
    producers: dict[str, set[str]] = {}
    for r in rules:
        producers.setdefault(r.fact, set()).add(r.name)
    while True:  # a fact type all of whose rules need the pipeline needs it too, and so do its consumers
        empty = labels | {t for t, names in producers.items() if names <= need}
        more = {r.name for r in rules if set(r.consumes) & empty} - need
        if not more:
            break
        need |= more
    optional = all(d.optional for d in decls)
    first = next((d for d in decls if not d.optional), decls[0])
    return NlpNeeds(labels, any(d.tokens for d in decls) or any(uses_tokens(r.pattern) for r in rules),
                    optional, tuple(r.name for r in rules if r.name in need), loc=first.loc)


def constraints(pattern) -> tuple[A.TokenConstraint, ...]:
    """The distinct token constraints of a (lowered) pattern, in a stable order (by their text): the bits of
    the marks the engine puts before the tokens that pass them (engine/nlp.py)."""
    if pattern is None:
        return ()
    found = {str(n): n for n in walk(pattern) if isinstance(n, A.TokenConstraint)}
    return tuple(found[k] for k in sorted(found))
