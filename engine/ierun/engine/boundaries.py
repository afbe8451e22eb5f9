"""The token definition of language/tokens.py as regex assertions, for the compiler: a token starts and ends
at a boundary, and each token class matches exactly one whole token. (A test checks these against the
character-by-character definition on arbitrary text.)"""
from __future__ import annotations

from ..language.tokens import kind


def boundary_before(first: str) -> str:
    """Assertion that a token starting with character `first` starts at a token boundary."""
    k = kind(first)
    if k == "L":
        return r"(?<![\p{L}\p{M}])"
    if k == "D":
        return r"(?<!\p{Nd})(?<!\p{Nd}[.,/])"
    if k == "S":
        return r"(?:(?<!\p{Nd})|(?![.,/]\p{Nd}))"
    return ""


def boundary_after(last: str) -> str:
    """Assertion that a token ending with character `last` ends at a token boundary."""
    k = kind(last)
    if k == "L":
        return r"(?![\p{L}\p{M}])"
    if k == "D":
        return r"(?!\p{Nd})(?![.,/]\p{Nd})"
    if k == "S":
        return r"(?:(?<!\p{Nd}[.,/])|(?!\p{Nd}))"
    return ""


BOUNDARY = (r"(?:(?<![\p{L}\p{M}])|(?![\p{L}\p{M}]))(?:(?<!\p{Nd})|(?!\p{Nd}))"
            r"(?:(?<!\p{Nd})|(?![.,/]\p{Nd}))(?:(?<!\p{Nd}[.,/])|(?!\p{Nd}))")

_PUNCT = r"(?:[^\s\p{L}\p{M}\p{Nd}.,/]|[.,/](?:(?<!\p{Nd}[.,/])|(?!\p{Nd})))"
_WORD = r"(?<![\p{L}\p{M}])[\p{L}\p{M}]++"
_NUMBER = r"(?<!\p{Nd})(?<!\p{Nd}[.,/])\p{Nd}++(?:[.,/]\p{Nd}++)*+"

# each matches exactly one whole token
TOKEN_CLASS_RE = {
    "WORD": _WORD,
    "CAPWORD": r"(?<![\p{L}\p{M}])[\p{Lu}\p{Lt}][\p{L}\p{M}]*+",
    "ALLCAPS": r"(?<![\p{L}\p{M}])[\p{Lu}\p{Lt}][\p{Lu}\p{Lt}\p{M}]*+(?![\p{L}\p{M}])",
    "LOWER": r"(?<![\p{L}\p{M}])\p{Ll}[\p{L}\p{M}]*+",
    "NUMBER": _NUMBER,
    "PUNCT": _PUNCT,
    "TOKEN": f"(?:{_WORD}|{_NUMBER}|{_PUNCT})",
}
