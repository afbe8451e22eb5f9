"""Lint: warnings (codes Wxxx) about rules that check clean but are likely wrong or fragile.

`lint(prog)` reads the checked Program (the AST with names resolved); W302 needs the compiled rules and is
found by testing/shadow.py, which runs each rule's examples. A warning is kept quiet by a comment naming its code on the line it
points at or on the line its rule (lexicon, named pattern) is declared: `# allow W305 (a reason)`.

    W301  an embedded regex or a pattern open to catastrophic backtracking (redos.py)
    W302  a rule shadowed by another: each of its examples yields a fact of another rule instead
    W303  an unused lexicon or named pattern
    W304  a lexicon entry listed twice with different values
    W305  a rule with fewer than two examples;  W306  a rule without a counter-example
    W307  a capitalized-word name at a rule's start that can swallow a sentence-initial function word
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import nodes as A
from ..errors import Diagnostic, Loc, diagnostic
from ..messages import Errors
from .check import Program
from .lexicon import entries as lexicon_entries
from .redos import pattern_risk, regex_risk
from .tokens import phrase_key
from .tree import exprs, regex_flags, walk

# words that begin sentences and are written with a capital there: a name pattern must not take them
FUNCTION_WORDS = ("But", "And", "On", "In", "At", "For", "The", "A", "An", "If", "When", "After", "Before",
                  "While", "As", "By", "With", "From", "Of", "To", "Under", "Since", "Although", "Yet", "So",
                  "Or", "This", "That", "Its", "His", "Her", "Their", "It", "He", "She", "They", "We")

_ALLOW = re.compile(r"#.*?\ballow\b((?:[\s,]+W\d{3})+)")


@dataclass(frozen=True)
class Finding:
    diagnostic: Diagnostic
    owner: Loc | None  # where the rule, lexicon or named pattern is declared (its line may allow the warning)


def allowed(w: Finding) -> bool:
    """Is the warning kept quiet by `# allow CODE` on its own line or on its owner's line?"""
    for loc in (w.diagnostic.loc, w.owner):
        if loc is None:
            continue
        m = _ALLOW.search(loc.source.line(loc.line))
        if m and w.diagnostic.code in re.findall(r"W\d{3}", m.group(1)):
            return True
    return False


def warn(out: list, message, loc, owner, **values):
    out.append(Finding(diagnostic(message, loc, **values), owner))


# ---- W301 ----------------------------------------------------------------------------------------
def _backtracking(prog: Program, out):
    owners = [(d, d.pattern) for d in prog.patterns.values()] + [(r, r.pattern) for r in prog.rules.values()]
    for decl, pattern in owners:
        if pattern is None:
            continue
        for node in walk(pattern):
            if isinstance(node, A.Regex):
                why = regex_risk(node.source, regex_flags(node.flags))
                if why:
                    warn(out, Errors.BACKTRACKING, node.loc, decl.loc, what=f"the regex /{node.source}/", why=why)
        risk = pattern_risk(pattern, prog.patterns, prog.bad_patterns)
        if risk:
            kind = "named pattern" if isinstance(decl, A.PatternDecl) else "rule"
            warn(out, Errors.BACKTRACKING, risk[0].loc or decl.loc, decl.loc,
                  what=f"{kind} '{decl.name}'", why=risk[1])


# ---- W303 ----------------------------------------------------------------------------------------
def _unused(prog: Program, out):
    lexicons, patterns = set(), set()
    roots = [d.pattern for d in prog.patterns.values()] + [r.pattern for r in prog.rules.values() if r.pattern]
    for root in roots:
        for node in walk(root):
            if isinstance(node, A.LexRef):
                lexicons.add(node.name)
            elif isinstance(node, A.PatRef):
                patterns.add(node.name)
    for r in prog.rules.values():
        for assign in r.fields:
            lexicons.update(e.lexicon for e in exprs(assign.expr) if isinstance(e, A.ELexicon))
    for d in prog.lexicons.values():
        if d.name not in lexicons:
            warn(out, Errors.UNUSED_LEXICON, d.loc, d.loc, name=d.name)
    for d in prog.patterns.values():
        if d.name not in patterns:
            warn(out, Errors.UNUSED_PATTERN, d.loc, d.loc, name=d.name)


# ---- W304 ----------------------------------------------------------------------------------------
def _lexicon_conflicts(prog: Program, out):
    for d in prog.lexicons.values():
        if d.value_type is None:
            continue
        seen: dict[str, A.LexEntry] = {}
        for entry in lexicon_entries(d, prog.rules_dir):
            for phrase in entry.phrases:
                key = phrase_key(phrase, d.case_sensitive)
                first = seen.setdefault(key, entry)
                if first is not entry and first.value != entry.value:
                    warn(out, Errors.LEXICON_CONFLICT, entry.loc, d.loc, name=d.name, phrase=phrase,
                          first=_shown(first.value), second=_shown(entry.value), where=f"first at {first.loc}")


def _shown(v: A.Value | None) -> str:
    return "no value" if v is None else repr(v.value) if v.kind == "str" else str(v.value)


# ---- W305, W306 ----------------------------------------------------------------------------------
def _examples(prog: Program, out):
    for r in prog.rules.values():
        n = sum(1 for e in r.examples if e.positive)
        if n < 2:
            warn(out, Errors.FEW_EXAMPLES, r.loc, r.loc, rule=r.name, n=n, s="" if n == 1 else "s")
        if not any(not e.positive for e in r.examples):
            warn(out, Errors.NO_COUNTER, r.loc, r.loc, rule=r.name)


# ---- W307 ----------------------------------------------------------------------------------------
def _excludes(prog: Program, look, word: str, depth: int = 0) -> bool:
    """Does the negative look-ahead's pattern match `word` (so that it keeps the name from starting there)?"""
    if depth > 50:
        return False
    if isinstance(look, A.Lit):
        return look.text == word or look.ignore_case and look.text.lower() == word.lower()
    if isinstance(look, A.LexRef) and look.name in prog.lexicon_data:
        decl = prog.lexicons[look.name]
        return phrase_key(word, decl.case_sensitive) in prog.lexicon_data[look.name][1]
    if isinstance(look, A.Alt):
        return any(_excludes(prog, b, word, depth + 1) for b in look.branches)
    if isinstance(look, A.Seq) and len(look.items) == 1 or isinstance(look, A.Capture):
        return _excludes(prog, look.items[0] if isinstance(look, A.Seq) else look.item, word, depth + 1)
    if isinstance(look, A.PatRef) and look.name in prog.patterns:
        return _excludes(prog, prog.patterns[look.name].pattern, word, depth + 1)
    if isinstance(look, A.TokenClass):
        return look.name in ("CAPWORD", "WORD", "TOKEN")
    return False


def _leading_capword(prog: Program, node, looks: list, depth: int = 0):
    """The CAPWORD a pattern starts with (through sequences, captures, repetitions and named patterns), with the
    negative look-aheads before it; None when it starts otherwise or only after a look-behind."""
    if depth > 50:
        return None
    if isinstance(node, A.TokenClass):
        return (node, looks) if node.name == "CAPWORD" else None
    if isinstance(node, (A.Capture,)):
        return _leading_capword(prog, node.item, looks, depth + 1)
    if isinstance(node, A.Repeat):
        return _leading_capword(prog, node.item, looks, depth + 1) if node.min > 0 else None
    if isinstance(node, A.PatRef) and node.name in prog.patterns and node.name not in prog.bad_patterns:
        return _leading_capword(prog, prog.patterns[node.name].pattern, looks, depth + 1)
    if isinstance(node, A.Seq):
        looks = list(looks)
        for item in node.items:
            if isinstance(item, A.Look):
                if item.behind:
                    return None  # anchored to what stands before it
                if item.negate:
                    looks.append(item.pattern)
                continue
            return _leading_capword(prog, item, looks, depth + 1)
    return None


def _function_words(prog: Program, out):
    for r in prog.rules.values():
        if r.pattern is None:
            continue
        found = _leading_capword(prog, r.pattern, [])
        if found is None:
            continue
        words = [w for w in FUNCTION_WORDS if not any(_excludes(prog, look, w) for look in found[1])]
        if words:
            first = r.pattern.items[0] if isinstance(r.pattern, A.Seq) and r.pattern.items else r.pattern
            shown = ", ".join(f"'{w}'" for w in words[:4]) + (", ..." if len(words) > 4 else "")
            warn(out, Errors.SWALLOWS_FUNCTION_WORD, first.loc or r.loc, r.loc, rule=r.name, words=shown)


CHECKS = (_backtracking, _unused, _lexicon_conflicts, _examples, _function_words)


def lint(prog: Program) -> list[Finding]:
    """Every warning about the checked rules (allowed ones included: see `allowed`)."""
    out: list[Finding] = []
    for run in CHECKS:
        run(prog, out)
    return out
