"""Scopes as character ranges of a document: the whole text, its first N characters, lines, paragraphs,
sentences. A match must lie inside one range (and sees no text after its end)."""
from __future__ import annotations

import regex

_ABBREVIATIONS = """mr mrs ms dr st jr sr inc corp co ltd bros gov sen rep gen col lt sgt capt prof no vs etc
jan feb mar apr jun jul aug sep sept oct nov dec mt ft fig approx dept est univ ave blvd""".split()

# A sentence ends at . ! ? (with closing quotes or brackets) followed by white space and a capital, a digit
# or an opening quote -- but not at the period of a known abbreviation or of a single letter (initials,
# U.S.) -- or at a blank line.
# (the look-behinds come after the period they guard: a pattern that starts with a character is searched fast)
_END = regex.compile(
    r"(?:\.(?<!(?:^|[^\p{L}])\p{L}\.)(?<!(?:^|[^\p{L}])(?i:" + "|".join(_ABBREVIATIONS) + r")\.)|[!?])"
    r"""['"’”)\]]*(?=\s+['"‘“(\[]?[\p{Lu}\p{Nd}])|\n[ \t]*\n""")


def sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _END.finditer(text):
        end = m.end()
        if text[start:end].strip():
            out.append((start, end))
        start = end
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def _split(text: str, pattern) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in pattern.finditer(text):
        if start < m.start():
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


_NEWLINE = regex.compile(r"\n")
_BLANK = regex.compile(r"\n[ \t]*\n\s*")


def ranges(text: str, kind: str, n: int | None = None) -> list[tuple[int, int]]:
    if kind == "document":
        return [(0, len(text))]
    if kind == "first":
        return [(0, min(n or 0, len(text)))]
    if n is not None:  # lines (sentences, paragraphs) within the first n characters
        head = text[:n]
        return ranges(head, kind)
    if kind == "line":
        return _split(text, _NEWLINE)
    if kind == "paragraph":
        return _split(text, _BLANK)
    if kind == "sentence":
        return sentences(text)
    raise ValueError(kind)
