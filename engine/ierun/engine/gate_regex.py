"""A rule's embedded regex (`/re/`, `r/re/`) for the gate: a superset pattern over the gate's bytes (superset.py),
so that a rule with a regex is tried only where the regex can match, not at every position before the rest
of its pattern.

Only a common subset of the regex syntax is translated: literals, escapes, character classes, `.`, groups,
alternatives and quantifiers; assertions (`^ $ \\A \\b`, look-arounds) are dropped (what is left matches
more, never less). Anything else (back-references, conditionals, verbose mode, V1 sets, ...) makes the
whole regex "any characters", as before. Each character becomes the set of bytes it can be in the gate's
text: its ASCII characters (found by trying the regex module itself, with the regex's flags, on each of the
128), and `?`, \\x01 and \\x02 (a non-ASCII character, a consumed fact's marker and padding) where it may
match a character outside ASCII.

The result is a tree of superset.py's shapes: ("at", class, kind) | ("cat", [..]) | ("alt", [..]) |
("rep", node, min, max)."""
from __future__ import annotations

import functools
import string

import regex

_NON_ASCII = frozenset(b"?\x01\x02")  # what a character outside ASCII (or a fact's marker) is to the gate
_FOLDS_OUTSIDE_ASCII = frozenset("iksIKS")  # ASCII letters with a non-ASCII case twin (KELVIN SIGN, ...)
_DIGITS, _LETTERS = frozenset(string.digits.encode()), frozenset(string.ascii_letters.encode())
_ALLOWED_FLAGS = frozenset("imsua")
_QUANT = regex.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_ASSERTION_ESCAPES = frozenset("bBAZzGmM")
_CLASS_ESCAPES = frozenset("dDwWsSpP")  # one character of a class that may lie outside ASCII
_INLINE_FLAGS = regex.compile(r"\(\?([a-zA-Z]*)(?:-[a-zA-Z]*)?[:)]")
EMPTY = ("cat", [])


class Unsupported(Exception):
    """A construct outside the translated subset: the regex stays "any characters" in the gate."""


def translate(source: str, flags: str = "", raw: bool = False):
    """The regex as a gate tree, or None when it uses something outside the subset. For a regex that is not
    raw (it starts on a token boundary), an atom of ASCII digits only (letters only) that starts it is
    marked "D" ("L"): the character before such a match is no digit (no letter)."""
    try:
        return _translate(source, flags, raw)
    except (Unsupported, regex.error, ValueError, IndexError):
        return None


@functools.lru_cache(maxsize=512)
def _translate(source: str, flags: str, raw: bool):
    inline = "".join(m.group(1) for m in _INLINE_FLAGS.finditer(source))
    every = set(flags) | set(inline)
    if every - _ALLOWED_FLAGS:
        raise Unsupported(f"flags {''.join(sorted(every - _ALLOWED_FLAGS))}")
    # an inline flag anywhere is taken for the whole regex: ignoring case or matching newlines everywhere
    # matches more, never less
    parser = _Parser(source, "i" in every, "s" in every, not raw)
    node = parser.alternatives()
    if parser.pos != len(source):
        raise Unsupported("unbalanced )")
    return node


class _Parser:
    def __init__(self, source: str, ignore_case: bool, dotall: bool, kinds: bool):
        self.s, self.pos = source, 0
        self.flags = (regex.IGNORECASE if ignore_case else 0) | (regex.DOTALL if dotall else 0)
        self.ignore_case, self.dotall, self.kinds = ignore_case, dotall, kinds

    def peek(self, n: int = 1) -> str:
        return self.s[self.pos:self.pos + n]

    def alternatives(self):
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def sequence(self):
        items = []
        while self.pos < len(self.s) and self.peek() not in "|)":
            atom = self.atom()
            atom = self.quantified(atom)
            if atom != EMPTY:
                items.append(atom)
        return items[0] if len(items) == 1 else ("cat", items)

    def quantified(self, atom):
        c = self.peek()
        if c in ("*", "+", "?"):
            self.pos += 1
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{":
            m = _QUANT.match(self.s, self.pos)
            if m is None or (not m.group(1) and not m.group(3) and m.group(2)):
                raise Unsupported("a brace that is no quantifier")
            self.pos = m.end()
            lo = int(m.group(1) or 0)
            hi = lo if m.group(2) is None else (int(m.group(3)) if m.group(3) else None)
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy or possessive: the same characters
            self.pos += 1
        if self.peek() in ("*", "+", "?", "{"):
            raise Unsupported("a quantifier after a quantifier")
        if atom == EMPTY:
            return EMPTY
        return ("rep", atom, lo, hi)

    def atom(self):
        c = self.peek()
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        if c in "*+?{":
            raise Unsupported("a quantifier with nothing before it")
        if c in "^$":
            self.pos += 1
            return EMPTY
        if c == ".":
            self.pos += 1
            return self._at(frozenset(range(128)) - (set() if self.dotall else {10}) | _NON_ASCII)
        if c == "\\":
            return self.escape()
        self.pos += 1
        return self._literal(c)

    def group(self):
        start = self.pos
        self.pos += 1
        drop = False
        if self.peek() == "?":
            m = regex.compile(r"\?(?::|>|P<\w+>|<\w+>|'\w+'|=|!|<=|<!|#[^)]*|[a-zA-Z]*(?:-[a-zA-Z]*)?(?::|\)))").match(
                self.s, self.pos)
            if m is None:
                raise Unsupported(f"the group at {start}")
            head = m.group()
            self.pos = m.end()
            if head.startswith("?#") or head.endswith(")"):  # a comment, or flags for the whole regex
                if head.startswith("?#"):
                    self.pos += 1  # the comment's )
                return EMPTY
            drop = head in ("?=", "?!", "?<=", "?<!")  # a look-around: dropped (its text is not consumed)
        node = self.alternatives()
        if self.peek() != ")":
            raise Unsupported("an unclosed group")
        self.pos += 1
        return EMPTY if drop else node

    def escape(self):
        nxt = self.s[self.pos + 1:self.pos + 2]
        if not nxt:
            raise Unsupported("a trailing backslash")
        if nxt in _ASSERTION_ESCAPES:
            self.pos += 2
            return EMPTY
        if nxt.isdigit() or nxt in "gKXLRNuUxo":
            if nxt in "xuU":
                m = regex.compile(r"\\(?:x[0-9a-fA-F]{2}|x\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})").match(
                    self.s, self.pos)
                if m is None:
                    raise Unsupported("an escape")
                self.pos = m.end()
                return self._class(m.group(), maybe_non_ascii=True)
            raise Unsupported(f"the escape \\{nxt}")
        if nxt in "pP":
            m = regex.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])").match(self.s, self.pos)
            if m is None:
                raise Unsupported("a property")
            self.pos = m.end()
            return self._class(m.group(), maybe_non_ascii=True)
        self.pos += 2
        return self._class("\\" + nxt, maybe_non_ascii=nxt in _CLASS_ESCAPES or not nxt.isascii())

    def char_class(self):
        m = regex.compile(r"\[\^?\]?(?:[^\\\]\[]|\\.)*\]", regex.DOTALL).match(self.s, self.pos)
        if m is None:
            raise Unsupported("a character class with [ inside, or unclosed")
        body = m.group()
        if any(op in body for op in ("--", "&&", "||", "~~")):
            raise Unsupported("set operations")
        self.pos = m.end()
        negated = body.startswith("[^")
        inner = body[2 if negated else 1:-1]
        maybe = negated or bool(regex.search(r"[^\x00-\x7f]|\\[dDwWsSpPhNuUxo]", inner))
        return self._class(body, maybe_non_ascii=maybe)

    def _literal(self, c: str):
        if not c.isascii():
            return self._class(regex.escape(c), maybe_non_ascii=True)
        return self._class(regex.escape(c), maybe_non_ascii=False)

    def _class(self, source: str, maybe_non_ascii: bool):
        """The bytes one character matched by `source` (a regex of one character) can be."""
        rx = regex.compile(source, self.flags)
        members = frozenset(b for b in range(128) if rx.fullmatch(chr(b)))
        if maybe_non_ascii or (self.ignore_case and any(chr(b) in _FOLDS_OUTSIDE_ASCII for b in members)):
            members |= _NON_ASCII
        return self._at(members)

    def _at(self, members: frozenset):
        if not members:
            raise Unsupported("a class that matches nothing")
        kind = None
        if self.kinds:
            kind = "D" if members <= _DIGITS else "L" if members <= _LETTERS else None
        return ("at", render(members), kind)


def render(members) -> str:
    """A byte set as a Hyperscan class: `[\\x30-\\x39]`."""
    out, items = [], sorted(members)
    i = 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[j + 1] == items[j] + 1:
            j += 1
        out.append(f"\\x{items[i]:02x}" if i == j else f"\\x{items[i]:02x}-\\x{items[j]:02x}")
        i = j + 1
    return "[" + "".join(out) + "]"
