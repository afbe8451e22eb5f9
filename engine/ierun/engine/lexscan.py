"""Big lexicons, found in one pass over a document's tokens instead of inside each rule's regex.

A lexicon written into a rule's regex costs, at every place the rule is tried, time that grows with the
number of its phrases (`regex` tries a named list or an alternation entry by entry: 50,000 names take
milliseconds a try). So a lexicon of SCAN_MIN phrases or more is *scanned* instead, in each rule whose regex
without it is short (TEMPLATE_MAX; a long one would cost more to compile for each document):

  - compiling: the lexicon becomes an index from the first token of each phrase (its key, see `_key`) to the
    phrases starting with it; a rule that uses it is compiled as a template with a slot where the lexicon's
    regex would be (compile.py);
  - matching a document: the text is split into tokens once (tokens.TOKEN_RE, the token definition), each
    token's key is looked up in the index, and each candidate phrase is compared token by token, exactly as
    the lexicon's regex compares it (case-sensitive: equal; otherwise equal under `regex`'s case-insensitive
    matching, character by character). The result is the set of strings the lexicon matches somewhere in the
    text; the rule's slot is filled with an alternation of just those strings, longest first, between token
    boundaries, and the rule's regex is compiled for the document (`regex` keeps recently compiled patterns).

Why this gives the same matches: the lexicon matches text[p:e] exactly when a phrase's tokens are the text's
tokens from p to e (glued where the phrase's are). Every such string is in the set; and a string of the set
found at another place, with a token boundary before and after it, matches there too (its tokens are the
same and the comparison depends on nothing else). The alternation tries longer strings first, as the
lexicon's trie does: the same ends in the same order.
"""
from __future__ import annotations

import functools

import regex

from ..language import ir
from ..language.tokens import TOKEN_RE, glued_tokens, kind
from .boundaries import BOUNDARY, boundary_after, boundary_before

SCAN_MIN = 1000  # lexicons with this many phrases or more are scanned ...
TEMPLATE_MAX = 2000  # ... in the rules whose regex without them is at most this long
# A scanned lexicon's rule is compiled for each document, its whole regex parsed by `regex` in Python (about
# 8 µs a character): `@big_name CAPWORD` (69 characters besides the lexicon) costs 0.6 ms, title-ner's
# `%role (?= ... @given_name)` (50,507) 0.4 s a document. Such a rule keeps the lexicon written into its regex,
# compiled once and kept in the plan: tried only where its long start matched, the lexicon costs little there.
# (1,000 articles, one rule starting with a lexicon, written in / scanned: 2,500 names 3.5 / 0.5 s, 10,000
# names 23.7 / 0.4 s of CPU.)
SLOT = "\x00"    # marks a scanned lexicon's place in a rule's regex template: SLOT name SLOT

# the case-insensitive key: ASCII letters lower-cased, every other character `?`, and the letters that have
# a non-ASCII twin under case-insensitive matching (`i`, `k`, `s`: İ, K (Kelvin), ſ) `?` too, so that two
# tokens equal under that matching always have the same key (tests/test_lexscan.py checks the twins)
FOLDS_OUTSIDE_ASCII = "iks"
_FOLD = bytes(range(128)).translate(bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz"))
_FOLD = _FOLD.translate(bytes.maketrans(FOLDS_OUTSIDE_ASCII.encode(), b"?" * len(FOLDS_OUTSIDE_ASCII))) + b"?" * 128


def _key(token: str) -> bytes:
    return token.encode("ascii", "replace").translate(_FOLD)


@functools.lru_cache(maxsize=65536)
def _same_char(a: str, b: str) -> bool:
    """Does character `a` of the text match `b` of a case-insensitive phrase? (`regex`'s own answer.)"""
    return regex.fullmatch(regex.escape(b), a, flags=regex.IGNORECASE | regex.V0) is not None


def same_token(text_tok: str, phrase_tok: str, case_sensitive: bool) -> bool:
    """Does a token of the text match a phrase's token as the lexicon's regex compares them?"""
    if text_tok == phrase_tok:
        return True
    if case_sensitive or len(text_tok) != len(phrase_tok):
        return False
    if text_tok.isascii() and phrase_tok.isascii():
        return text_tok.lower() == phrase_tok.lower()
    return all(a == b or _same_char(a, b) for a, b in zip(text_tok, phrase_tok))


class LexiconIndex:
    """A lexicon's phrases as a trie of tokens: each edge is (glued to the token before?, the token's key); a
    node lists, under None, the phrases that end there, as the tokens the compiler writes (case-folded when
    the lexicon ignores case). Walking it costs a few dictionary look-ups a token, however many phrases."""

    __slots__ = ("name", "case_sensitive", "root")

    def __init__(self, lex: ir.Lexicon):
        self.name, self.case_sensitive = lex.name, lex.case_sensitive
        key = (lambda t: t) if lex.case_sensitive else _key
        self.root: dict = {}
        for phrase in lex.phrases:
            toks = tuple(tok if lex.case_sensitive else tok.casefold() for tok, _ in glued_tokens(phrase))
            if not toks:
                continue
            node = self.root
            for i, (tok, glued) in enumerate(zip(toks, (g for _, g in glued_tokens(phrase)))):
                node = node.setdefault((bool(i and glued), key(tok)), {})
            ends = node.setdefault(None, [])
            if toks not in ends:
                ends.append(toks)

    def __getstate__(self):
        return (self.name, self.case_sensitive, self.root)

    def __setstate__(self, state):
        self.name, self.case_sensitive, self.root = state


class Tokens:
    """A text's tokens (starts, ends) and their keys, made once per text and shared by its lexicons."""

    __slots__ = ("text", "starts", "ends", "_keys")

    def __init__(self, text: str):
        self.text = text
        self.starts, self.ends = [], []
        for m in TOKEN_RE.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())
        self._keys: dict[bool, list] = {}

    def keys(self, case_sensitive: bool) -> list:
        if case_sensitive not in self._keys:
            t = self.text
            if case_sensitive:
                self._keys[True] = [t[s:e] for s, e in zip(self.starts, self.ends)]
            else:
                data = t.encode("ascii", "replace").translate(_FOLD)  # one byte a character
                self._keys[False] = [data[s:e] for s, e in zip(self.starts, self.ends)]
        return self._keys[case_sensitive]


def occurrences(index: LexiconIndex, tokens: Tokens) -> frozenset[str]:
    """The strings the lexicon matches in the text (each once, wherever it stands): from each token, the
    trie is walked along the tokens after it (a glued edge only where the text has no white space between
    them; a spaced edge either way, as the gap `\\s*+` may be empty), and the phrases at the nodes reached
    are compared with the text's tokens exactly."""
    root, cs = index.root, index.case_sensitive
    keys = tokens.keys(cs)
    text, starts, ends = tokens.text, tokens.starts, tokens.ends
    n = len(starts)
    found = set()
    for i, k in enumerate(keys):
        node = root.get((False, k))
        if node is None:
            continue
        stack = [(node, i)]
        while stack:
            node, last = stack.pop()
            phrases = node.get(None)
            if phrases:
                for toks in phrases:
                    if all(same_token(text[starts[i + j]:ends[i + j]], tok, cs) for j, tok in enumerate(toks)):
                        found.add(text[starts[i]:ends[last]])
                        break
            nxt = last + 1
            if nxt < n:
                child = node.get((False, keys[nxt]))
                if child is not None:
                    stack.append((child, nxt))
                if starts[nxt] == ends[last]:
                    child = node.get((True, keys[nxt]))
                    if child is not None:
                        stack.append((child, nxt))
    return frozenset(found)


def strings_regex(found) -> str:
    """An alternation of the strings found, longest first, between token boundaries; `(?!)` for none. The
    boundary checks are those of the kind of character the strings start (end) with when they all start
    (end) alike, as the lexicon's regex writes them; else the check that holds for any kind."""
    if not found:
        return "(?!)"
    body = "|".join(regex.escape(s, special_only=True) for s in sorted(found, key=lambda s: (-len(s), s)))
    firsts = {kind(s[0]): s[0] for s in found}  # a character of each kind the strings start with
    lasts = {kind(s[-1]): s[-1] for s in found}
    before = boundary_before(*firsts.values()) if len(firsts) == 1 else BOUNDARY
    after = boundary_after(*lasts.values()) if len(lasts) == 1 else BOUNDARY
    return f"{before}(?:{body}){after}"


def split_template(source: str, scanned) -> tuple[str, ...] | None:
    """A rule's regex written with slots -> (source, name, source, name, ..., source); None when it has none
    (or when something else in it uses the slot character, which then is no slot)."""
    parts = source.split(SLOT)
    if len(parts) == 1 or len(parts) % 2 == 0 or not all(p in scanned for p in parts[1::2]):
        return None
    return tuple(parts)


def fill(template: tuple[str, ...], found: dict[str, frozenset]) -> str:
    """The template with each slot's lexicon written as the strings it matches in the document."""
    return "".join(part if i % 2 == 0 else strings_regex(found[part]) for i, part in enumerate(template))
