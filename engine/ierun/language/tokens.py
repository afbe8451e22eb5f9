"""Tokenization: one definition, local rules, used by the reference interpreter, lexicons and the compiler.

A token is a maximal run of non-white-space characters with no token boundary inside. Between two
characters a and b there is NO boundary exactly when:
  - both are letters (Unicode L or M), or both are digits (Unicode Nd);
  - a is a digit and b is one of `.,/` followed by a digit (`1,750`, `384.3`, `1/8` are one token);
  - a is one of `.,/` preceded by a digit, and b is a digit.
Everything else is a boundary, so every other character (punctuation, symbols, `$`, `-`) is a token of its
own: `$1.8` is `$` + `1.8`, `U.S.` is `U . S .`, `one-billion-dlr` is `one - billion - dlr`, `5bn` is `5 bn`,
all glued (no white space between). Because the rules are local, the compiler can state boundaries as
regex look-arounds (engine/boundaries.py).
"""
from __future__ import annotations

import regex

LETTER = r"[\p{L}\p{M}]"
DIGIT = r"\p{Nd}"
SEP = r"[.,/]"
WS = regex.compile(r"\s")
_LETTER = regex.compile(LETTER)
_DIGIT = regex.compile(DIGIT)

# the fast form of the same definition (a test checks it against `tokenize` on arbitrary text)
TOKEN_RE = regex.compile(r"[\p{L}\p{M}]+|\p{Nd}+(?:[.,/]\p{Nd}+)*|[^\s\p{L}\p{M}\p{Nd}]")


def kind(c: str) -> str:
    """'L' letter, 'D' digit, 'S' one of .,/ , 'W' white space, 'P' anything else."""
    if _LETTER.match(c):
        return "L"
    if _DIGIT.match(c):
        return "D"
    if c in ".,/":
        return "S"
    if WS.match(c):
        return "W"
    return "P"


def is_boundary(text: str, p: int) -> bool:
    """Is there a token boundary between text[p-1] and text[p]? (Always at 0 and len(text).)"""
    if p <= 0 or p >= len(text):
        return True
    a, b = kind(text[p - 1]), kind(text[p])
    if a == "W" or b == "W":
        return True
    if a == b and a in "LD":
        return False
    if a == "D" and b == "S" and p + 1 < len(text) and kind(text[p + 1]) == "D":
        return False
    if a == "S" and b == "D" and p >= 2 and kind(text[p - 2]) == "D":
        return False
    return True


def tokenize(text: str) -> list[tuple[int, int]]:
    """Reference tokenizer, character by character: a list of (start, end) spans."""
    spans = []
    start = None
    for p, c in enumerate(text):
        if kind(c) == "W":
            if start is not None:
                spans.append((start, p))
                start = None
            continue
        if start is None:
            start = p
        elif is_boundary(text, p):
            spans.append((start, p))
            start = p
    if start is not None:
        spans.append((start, len(text)))
    return spans


def phrase_key(text: str, case_sensitive: bool = False) -> str:
    """The lookup key of a phrase: its tokens joined by one space (case-folded unless case-sensitive)."""
    key = " ".join(TOKEN_RE.findall(text))
    return key if case_sensitive else key.casefold()


def glued_tokens(text: str) -> list[tuple[str, bool]]:
    """The tokens of a literal or phrase, each with whether it touches the previous one."""
    out = []
    prev_end = None
    for m in TOKEN_RE.finditer(text):
        out.append((m.group(), prev_end is not None and m.start() == prev_end))
        prev_end = m.end()
    return out


_CLASS_TEST = {
    "WORD": regex.compile(r"[\p{L}\p{M}]+"),
    "CAPWORD": regex.compile(r"[\p{Lu}\p{Lt}][\p{L}\p{M}]*"),
    "ALLCAPS": regex.compile(r"[\p{Lu}\p{Lt}][\p{Lu}\p{Lt}\p{M}]*"),
    "LOWER": regex.compile(r"\p{Ll}[\p{L}\p{M}]*"),
    "NUMBER": regex.compile(r"\p{Nd}+(?:[.,/]\p{Nd}+)*"),
    "PUNCT": regex.compile(r"[^\s\p{L}\p{M}\p{Nd}]"),
    "TOKEN": regex.compile(r"\S+"),
}


def in_class(token: str, cls: str) -> bool:
    """Reference check: is this whole token of the token class?"""
    return _CLASS_TEST[cls].fullmatch(token) is not None
