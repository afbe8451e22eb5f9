"""Hypothesis strategies built from ierun's own IR: patterns, texts, whole rule files."""

from hypothesis import strategies as st

from ierun.language import nodes as A
from ierun.language import ir
VOCAB = ["a", "ab", "B", "Cd", "CD", "x", "1", "1.5", "12", "2,500", ",", ".", "$", "-", "US", "u", "é", "(", ")",
         "ks"]
LEXICON = ir.Lexicon("lx", None, False, ("ab", "ab cd", "US$", "1.5", "x - x"), {})
# many one-token phrases: the compiler makes them a named list
WORDS = ir.Lexicon("ly", None, False, ("ab", "b", "cd", "x", "ks", "u", "é", "12", "K"), {})
LEXICONS = {"lx": LEXICON, "ly": WORDS}


def texts(max_tokens=14):
    sep = st.sampled_from(["", " ", " ", "  ", "\n"])
    return st.lists(st.tuples(sep, st.sampled_from(VOCAB)), max_size=max_tokens).map(
        lambda parts: "".join(s + t for s, t in parts))


literals = st.builds(lambda toks, sep, ci: A.Lit(sep.join(toks), ci),
                     st.lists(st.sampled_from(VOCAB), min_size=1, max_size=2), st.sampled_from(["", " "]),
                     st.booleans())
token_classes = st.sampled_from(A.TOKEN_CLASSES).map(A.TokenClass)
regexes = st.sampled_from([A.Regex("[a-z]+"), A.Regex(r"\d+(?:\.\d+)?"), A.Regex("[A-Z][a-z]*"),
                           A.Regex("a|ab", "i"), A.Regex(",", raw=True), A.Regex(r"\s*-", raw=True)])
atoms = st.one_of(literals, token_classes, regexes, st.sampled_from([A.LexRef("lx"), A.LexRef("ly")]))


def _names():
    counter = iter(range(10**9))
    return lambda: f"c{next(counter)}"


@st.composite
def patterns(draw, depth=3, captures=True):
    """A consuming pattern (it never matches empty text)."""
    if depth <= 0:
        return draw(atoms)
    sub = patterns(depth=depth - 1, captures=captures)
    kind = draw(st.sampled_from(["atom", "atom", "seq", "seq", "alt", "repeat", "capture", "look"]))
    if kind == "atom":
        return draw(atoms)
    if kind == "seq":
        items = draw(st.lists(sub, min_size=2, max_size=3))
        glued = tuple([False] + [draw(st.booleans()) for _ in items[1:]])
        return A.Seq(tuple(items), glued)
    if kind == "alt":
        return A.Alt(tuple(draw(st.lists(sub, min_size=2, max_size=3))))
    if kind == "repeat":
        lo = draw(st.integers(0, 2))
        hi = draw(st.one_of(st.none(), st.integers(max(lo, 1), 3)))
        item = draw(sub)
        rep = A.Repeat(item, lo, hi)
        if lo == 0:  # keep it consuming: something required after it
            return A.Seq((rep, draw(atoms)), (False, draw(st.booleans())))
        return rep
    if kind == "capture" and captures:
        return A.Capture(f"c{draw(st.integers(0, 3))}", draw(sub))
    look = A.Look(draw(patterns(depth=1, captures=False)), behind=draw(st.booleans()), negate=draw(st.booleans()))
    item = draw(sub)
    return A.Seq((look, item) if draw(st.booleans()) else (item, look), (False, draw(st.booleans())))
