"""The gate's pattern for a rule (gate.py compiles them into one Hyperscan database): a *superset* pattern P.
It matches wherever the rule can (never fewer places), so skipping the other positions loses nothing:
  - look-arounds are dropped (a positive look-ahead that ends the pattern is kept, as text to consume);
    the element after one keeps its own glue, not the look-around's (the compiler puts that gap inside
    the look-around), except at the start of the match, where a gap is empty;
  - possessive and atomic forms become plain ones; an embedded regex is translated where it keeps to a
    common subset of the syntax (gate_regex.py), else it becomes "any characters";
  - the text is scanned as bytes with every non-ASCII character turned into `?` (a consumed fact's marker
    and padding into \x01 and \x02), and every character class of P accepts `?` where the class could hold a
    non-ASCII character (letters, digits, white space, the characters that fold to `i`, `k` or `s`);
  - P requires the character before the match: no letter before a word, no digit before a number (the
    text gets a newline in front, so there always is one).
P is compiled reversed and run over the reversed text: Hyperscan reports every offset at which a match of
P-reversed ends, which is every position at which a match of P starts.

A rule whose pattern may begin with a raw regex is gated only on whether P occurs at all; a rule for which
no such P compiles (it would match the empty text, say) is not gated here. Without Hyperscan installed,
the engine works as before (rules gated by their trigger words, scanned in full), only slower.
"""
from __future__ import annotations

import string

import regex

from ..language import nodes as A
from ..language import ir
from ..language.tokens import glued_tokens, kind
from ..language.visit import IRPatternVisitor
from .gate_regex import translate as translate_regex

MAX_PATTERN = 16000  # Hyperscan's limit on the length of one expression

# ---- P as a small tree: ("at", class, kind) | ("cat", [..]) | ("alt", [..]) | ("rep", node, min, max) ----
# kind: "L" or "D" when the atom stands for the first character of a letter or digit token (a token starts
# after a character of another kind), else None
WS = r"[\t\n\x0b\x0c\r ?]"
LETTER, UPPER, LOWER, DIGIT = "[A-Za-z?]", "[A-Z?]", "[a-z?]", "[0-9?]"
PUNCT = r"[^\t\n\x0b\x0c\r A-Za-z0-9]"
ANY = r"[\x00-\xff]"


def _cat(*items):
    return ("cat", [i for i in items if i != EMPTY])


def _rep(item, lo, hi=None):
    return ("rep", item, lo, hi)


def _at(cls, kind=None):
    return ("at", cls, kind)


EMPTY = ("cat", [])
GAP = _rep(_at(WS), 0)
_NUMBER = _cat(_at(DIGIT, "D"), _rep(_at(DIGIT), 0), _rep(_cat(_at("[.,/]"), _rep(_at(DIGIT), 1)), 0))
TOKEN_CLASS = {
    "WORD": _cat(_at(LETTER, "L"), _rep(_at(LETTER), 0)),
    "CAPWORD": _cat(_at(UPPER, "L"), _rep(_at(LETTER), 0)),
    "ALLCAPS": _cat(_at(UPPER, "L"), _rep(_at(UPPER), 0)),
    "LOWER": _cat(_at(LOWER, "L"), _rep(_at(LETTER), 0)),
    "NUMBER": _NUMBER,
    "PUNCT": _at(PUNCT),
}
TOKEN_CLASS["TOKEN"] = ("alt", [TOKEN_CLASS["WORD"], _NUMBER, _at(PUNCT)])

# ASCII letters that also match a non-ASCII character when case is ignored (KELVIN SIGN, LONG S, ...)
_FOLDS_OUTSIDE_ASCII = frozenset("iks")


def _char(c: str, ignore_case: bool):
    k = kind(c)
    k = k if k in "LD" else None
    if c.isascii():
        if ignore_case and c.isalpha():
            return _at(f"[{c.lower()}{c.upper()}{'?' if c.lower() in _FOLDS_OUTSIDE_ASCII else ''}]", k)
        return _at(c if c.isalnum() else f"\\x{ord(c):02x}", k)
    ascii_twins = "".join(regex.findall("(?i)" + regex.escape(c), string.ascii_letters)) if ignore_case else ""
    return _at(f"[?{ascii_twins}]" if ascii_twins else r"\?", k)


def _literal(text: str, ignore_case: bool):
    items = []
    for i, (tok, glued) in enumerate(glued_tokens(text)):
        if i and not glued:
            items.append(GAP)
        items.extend(_char(c, ignore_case) for c in tok)
    return _cat(*items)


class TooLarge(Exception):
    """A rule's superset pattern would exceed Hyperscan's limit: the rule runs ungated."""


class Superset(IRPatternVisitor):
    """Pattern IR -> P (a tree), following the compiler's Emitter element by element."""

    def __init__(self, ruleset: ir.RuleModel):
        self.ruleset = ruleset
        self.lexicons: dict[str, tuple | None] = {}  # None: too large

    def _lexicon(self, name: str):
        """A lexicon as one atom (rendered once, reversed; its kind when all its phrases start alike)."""
        if name not in self.lexicons:
            lex = self.ruleset.lexicons[name]
            source = None
            if sum(len(p) for p in lex.phrases) <= MAX_PATTERN:  # else too long for Hyperscan however written
                source = _render_alt([_literal(p, not lex.case_sensitive) for p in lex.phrases], True)
            if source is None or len(source) > MAX_PATTERN:
                self.lexicons[name] = None
            else:
                kinds = {kind(p[0]) for p in lex.phrases if p}
                first = kinds.pop() if len(kinds) == 1 and kinds <= {"L", "D"} else None
                self.lexicons[name] = _at(f"(?:{source})", first)
        if self.lexicons[name] is None:
            raise TooLarge(name)
        return self.lexicons[name]

    def rule(self, pattern):
        """P, with the character before the match in front (see `_context`)."""
        p = self(pattern, True, start=True)
        if isinstance(pattern, A.Seq) and isinstance(pattern.items[-1], A.Look):
            look = pattern.items[-1]
            if not look.behind and not look.negate:  # a final look-ahead: what follows the match
                p = _cat(p, self(look.pattern, False))
        return _context(p) or _cat(_at(ANY), p)

    def __call__(self, node, glued: bool, start: bool = False):
        """P for `node`; `glued` as in the compiler's Emitter (no white space before the element); `start`:
        nothing is consumed before it in a match (which starts at a token: a gap there is empty; a rule that
        may start with a raw regex is gated only on P occurring at all, which a gap dropped there keeps)."""
        return self.visit(node, glued, start)

    def visit_Lit(self, node, glued, start):
        return _cat(EMPTY if glued else GAP, _literal(node.text, node.ignore_case))

    def visit_TokenClass(self, node, glued, start):
        return _cat(EMPTY if glued else GAP, TOKEN_CLASS[node.name])

    def visit_Regex(self, node, glued, start):
        body = translate_regex(node.source, node.flags, node.raw)  # None: outside the subset it translates
        return _cat(EMPTY if glued else GAP, _rep(_at(ANY), 0) if body is None else body)

    def visit_LexRef(self, node, glued, start):
        return _cat(EMPTY if glued else GAP, self._lexicon(node.name))

    def visit_FactRef(self, node, glued, start):
        # the fact's marker and padding (or private-use characters of the text itself, which are `?`)
        return _cat(EMPTY if glued else GAP, _at(r"[\x01?]"), _rep(_at(r"[\x02?]"), 0))

    def visit_TokenConstraint(self, node, glued, start):
        # (a rule testing NLP tokens reads a marked text and is not gated: compile._gates; this is a superset)
        return _cat(EMPTY if glued else GAP, _rep(_at(ANY), 1))

    def visit_Seq(self, node, glued, start):
        items = []
        for i, item in enumerate(node.items):
            g = node.item_glued(i, glued)
            # A look-around takes the glue it is given and keeps none for the element after it (the
            # compiler puts its gap inside the look-around: X ~ ((?=Y) Z) is `X(?=\s*+Y)\s*+Z`), so
            # after dropped look-arounds an element keeps its own glue. Only at the start of the match,
            # after nothing but look-arounds, is its gap known to be empty.
            first = start and all(x == EMPTY for x in items)
            items.append(self(item, g or first, start=first))
        return _cat(*items)

    def visit_Alt(self, node, glued, start):
        return ("alt", [self(b, glued, start) for b in node.branches])

    def visit_Repeat(self, node, glued, start):
        if not glued:
            return _rep(self(node.item, False), node.min, node.max)
        first, more = self(node.item, True, start), self(node.item, False)
        body = _cat(first, _rep(more, max(node.min - 1, 0), None if node.max is None else node.max - 1))
        return body if node.min >= 1 else _rep(body, 0, 1)

    def visit_Capture(self, node, glued, start):
        return self(node.item, glued, start)

    def visit_Look(self, node, glued, start):
        return EMPTY


# ---- the character before a match ------------------------------------------------------------------
# A rule's match starts at a token, so the character before it is no letter when the match starts with a
# letter, no digit when it starts with a digit. P gets that character in front (the text, a newline in
# front of it, always has one), which spares reporting every position inside a word or a number.
_BEFORE = {"L": "[^A-Za-z]", "D": "[^0-9]", None: ANY}


def _nullable(node) -> bool:
    if node[0] == "at":
        return False
    if node[0] == "cat":
        return all(_nullable(x) for x in node[1])
    if node[0] == "alt":
        return any(_nullable(x) for x in node[1])
    return node[2] == 0 or _nullable(node[1])


def _context(node):
    """node with the character before its first one required, or None where the first character is not
    known (an optional start)."""
    if node[0] == "at":
        return _cat(_at(_BEFORE[node[2]]), node)
    if node[0] == "cat":
        if not node[1] or _nullable(node[1][0]):
            return None
        first = _context(node[1][0])
        return None if first is None else _cat(first, *node[1][1:])
    if node[0] == "alt":
        branches = [_context(b) for b in node[1]]
        return None if any(b is None for b in branches) else ("alt", branches)
    _, item, lo, hi = node
    first = _context(item) if lo >= 1 else None
    return None if first is None else _cat(first, _rep(item, lo - 1, None if hi is None else hi - 1))


# ---- rendering, reversed, with alternatives of plain sequences shared as a trie -----------------------
def _render(node, rev: bool) -> str:
    kind = node[0]
    if kind == "at":
        return node[1]
    if kind == "cat":
        return "".join(_render(x, rev) for x in (reversed(node[1]) if rev else node[1]))
    if kind == "alt":
        return _render_alt(node[1], rev)
    _, item, lo, hi = node
    if hi == 0:
        return ""
    body = _render(item, rev)
    if not body:
        return ""
    if (lo, hi) == (1, 1):
        return body
    if item[0] != "at":
        body = f"(?:{body})"
    if hi is None and lo <= 1:
        return body + "*+"[lo]
    if (lo, hi) == (0, 1):
        return body + "?"
    return body + "{%d,%s}" % (lo, "" if hi is None else hi)


def _pieces(node, rev: bool):
    """A branch with no alternation inside as a list of rendered pieces, else None."""
    if node[0] == "at":
        return [node[1]]
    if node[0] == "rep":
        return [_render(node, rev)]
    if node[0] == "cat":
        out = []
        for x in (reversed(node[1]) if rev else node[1]):
            p = _pieces(x, rev)
            if p is None:
                return None
            out.extend(p)
        return out
    return None


def _render_alt(branches, rev: bool) -> str:
    trie: dict = {}
    others = []
    for b in branches:
        p = _pieces(b, rev)
        if p is None:
            others.append(_render(b, rev))
            continue
        node = trie
        for piece in p:
            node = node.setdefault(piece, {})
        node[None] = {}

    def emit(node):
        alts = []
        for key in sorted(k for k in node if k is not None):
            rest = emit(node[key])
            if rest is None:
                alts.append(key)
            elif None in node[key]:
                alts.append(f"{key}(?:{rest})?")
            else:
                alts.append(key + rest)
        if not alts:
            return None
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    body = emit(trie)
    alts = ([body] if body else []) + others
    optional = None in trie  # an empty branch
    if not alts:
        return ""
    text = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{text})?" if optional else text


def superset_pattern(ruleset: ir.RuleModel, pattern) -> str:
    """P reversed, as Hyperscan source (for tests and `--explain plan`): the gate's, when it takes the rule."""
    builder = Superset(ruleset)
    return fitting_source(builder, pattern) or _render(builder.rule(pattern), True)


def _prefixes(node):
    """Shorter patterns with which every match of `node` begins (a sequence's first items), longest first:
    a prefix matches wherever the whole pattern does, so the places its P reports are a superset still.
    Only prefixes that need a literal, a lexicon entry or a fact: one that any word matches would have the
    rule tried at every word, slower than searching its ranges ungated."""
    while isinstance(node, A.Capture):
        node = node.item
    if not isinstance(node, A.Seq):
        return
    for k in range(len(node.items) - 1, 0, -1):
        prefix = A.Seq(node.items[:k], node.glued[:k])
        if _selective(prefix):
            yield prefix
    yield from _prefixes(node.items[0])


def _selective(node) -> bool:
    """Does every match of `node` hold a literal, a lexicon entry or a fact (more than any word or regex)?"""
    while isinstance(node, A.Capture):
        node = node.item
    if isinstance(node, (A.Lit, A.LexRef, A.FactRef)):
        return True
    if isinstance(node, A.Seq):
        return any(_selective(item) for item in node.items if not isinstance(item, A.Look))
    if isinstance(node, A.Repeat):
        return node.min >= 1 and _selective(node.item)
    if isinstance(node, A.Alt):
        return all(_selective(b) for b in node.branches)
    return False


def fitting_source(builder: Superset, pattern) -> str | None:
    """P reversed for the rule's pattern, or, when that is too large for Hyperscan, for the longest prefix of
    it that is not (a rule that reads a long list after a short start is still tried only at that start)."""
    for candidate in (pattern, *_prefixes(pattern)):
        try:
            source = _render(builder.rule(candidate), True)
        except TooLarge:
            continue
        if source and len(source) <= MAX_PATTERN:
            return source
    return None


MARKER_BYTE, PAD_BYTE = b"\x01", b"\x02"  # a consumed fact's marker and padding in the bytes scanned


def to_bytes(text: str) -> bytes:
    """The bytes the gate scans: one byte a character, non-ASCII -> `?`."""
    return text.encode("ascii", "replace")
