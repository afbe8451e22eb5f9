"""Catastrophic backtracking found statically, before any text is seen (lint warning W301).

Two shapes make a backtracking matcher take exponential time on a text that almost matches:
  - nested unbounded quantifiers: an unbounded repetition whose body is itself (little more than) an unbounded
    repetition, `(a+)+`, `(\\w+\\s?)*`: a run of n characters splits into the iterations in 2^n ways;
  - overlapping alternatives under an unbounded quantifier, `(a|ab)*`, `(\\w|\\d)+`: where two branches can
    start with the same character, each character of a run can be taken by either.
`regex_risk` looks for them in an embedded regex (parsed with Python's own regex parser, `\\p{..}` classes
approximated), `pattern_risk` in an ierun pattern (which compiles to a regex of the same shape)."""
from __future__ import annotations

import re
import string

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C
    import sre_parse as P

from . import nodes as A
from .tree import MinTokens

PROBES = string.printable + "éÉßİı\u00a0"
_PROPS = {"lu": "[A-Z]", "ll": "[a-z]", "l": "[A-Za-z]", "n": r"\d", "nd": r"\d", "p": r"[.,;:!?]",
          "zs": " ", "s": "[$+<=>^`|~]"}


def _approximate(source: str) -> str:
    """`\\p{Lu}` and friends (module `regex` only) as classes Python's parser reads."""
    def prop(m):
        name = m.group(2).lower().split("=")[-1]
        cls = _PROPS.get(name, r"\w")
        if m.group(1) == "P":
            return r"\W" if cls == r"\w" else "[^" + cls.strip("[]") + "]" if cls.startswith("[") else r"\D"
        return cls
    return re.sub(r"\\([pP])\{([^}]*)\}", prop, source)


def _class_has(items, ch: str) -> bool:
    negate, hit = False, False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit |= ord(ch) == av
        elif op is C.RANGE:
            hit |= av[0] <= ord(ch) <= av[1]
        elif op is C.CATEGORY:
            hit |= _category(av, ch)
    return hit != negate


def _category(cat, ch: str) -> bool:
    name = str(cat).upper()
    if "DIGIT" in name:
        v = ch.isdigit()
    elif "SPACE" in name:
        v = ch.isspace()
    elif "WORD" in name:
        v = ch.isalnum() or ch == "_"
    else:
        v = True
    return not v if "NOT" in name else v


def _first(items) -> frozenset:
    """The probe characters a sequence of parsed items can start with (None in the set: it can be empty)."""
    out: set = set()
    for op, av in items:
        f = _first_item(op, av)
        out |= f - {None}
        if None not in f:
            return frozenset(out)
    return frozenset(out | {None})


def _first_item(op, av) -> frozenset:
    if op is C.LITERAL:
        return frozenset(c for c in PROBES if ord(c) == av) or frozenset({chr(av)})
    if op is C.NOT_LITERAL:
        return frozenset(c for c in PROBES if ord(c) != av)
    if op is C.ANY:
        return frozenset(PROBES)
    if op is C.IN:
        return frozenset(c for c in PROBES if _class_has(av, c))
    if op is C.SUBPATTERN:
        return _first(av[-1])
    if op is C.ATOMIC_GROUP:
        return _first(av)
    if op is C.BRANCH:
        return frozenset().union(*(_first(b) for b in av[1]))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        f = _first(av[2])
        return f | {None} if av[0] == 0 else f
    if op is C.GROUPREF:
        return frozenset(PROBES) | {None}
    return frozenset({None})  # anchors and look-arounds take no character


def _body(items) -> list:
    """A repetition's body with groups flattened: [(op, av), ...]."""
    out = []
    for op, av in items:
        if op is C.SUBPATTERN:
            out.extend(_body(av[-1]))
        else:
            out.append((op, av))
    return out


def _unbounded(op, av) -> bool:
    return op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[1] == C.MAXREPEAT


def _nullable(op, av) -> bool:
    return None in _first_item(op, av)


def _star_like(items) -> bool:
    """Is the sequence essentially one unbounded repetition (everything else in it optional)?"""
    body = _body(items)
    required = [(op, av) for op, av in body if not _nullable(op, av)]
    if len(required) > 1:
        return False
    cands = required or body
    for op, av in cands:
        if _unbounded(op, av) or op is C.BRANCH and any(_star_like(b) for b in av[1]):
            return True
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) and _star_like(av[2]):
            return True
    return False


def _overlapping_branches(items) -> bool:
    body = _body(items)
    if len(body) != 1 or body[0][0] is not C.BRANCH:
        return False
    firsts = [_first(b) - {None} for b in body[0][1][1]]
    return any(firsts[i] & firsts[j] for i in range(len(firsts)) for j in range(i + 1, len(firsts)))


def _walk(items):
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT):
            continue  # a look-around's own repetitions are bounded by where it is tried
        yield op, av
        if op is C.SUBPATTERN:
            yield from _walk(av[-1])
        elif op is C.ATOMIC_GROUP:
            continue  # an atomic group never gives back what it took
        elif op is C.BRANCH:
            for b in av[1]:
                yield from _walk(b)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            yield from _walk(av[2])


def regex_risk(source: str, flags: int = 0) -> str | None:
    """Why the embedded regex `source` risks catastrophic backtracking, or None (also when it cannot be read)."""
    try:
        parsed = P.parse(_approximate(source), flags & (re.I | re.M | re.S | re.X))
    except Exception:  # noqa: BLE001 - a syntax only module `regex` knows: no verdict
        return None
    for op, av in _walk(list(parsed)):
        if not _unbounded(op, av):
            continue
        if _star_like(av[2]):
            return "nested unbounded repetitions (like (a+)+): a run of characters splits between them in " \
                   "exponentially many ways"
        if _overlapping_branches(av[2]):
            return "alternatives that can start with the same character under an unbounded repetition " \
                   "(like (a|ab)*)"
    return None


# ---- ierun patterns ----------------------------------------------------------------------------
_WIDER = {"CAPWORD": {"WORD", "TOKEN"}, "ALLCAPS": {"WORD", "TOKEN", "CAPWORD"}, "LOWER": {"WORD", "TOKEN"},
          "WORD": {"TOKEN", "CAPWORD", "ALLCAPS", "LOWER"}, "NUMBER": {"TOKEN"}, "PUNCT": {"TOKEN"},
          "TOKEN": {"WORD", "CAPWORD", "ALLCAPS", "LOWER", "NUMBER", "PUNCT"}}


def _head(node, patterns, depth=0):
    """The first element of a pattern (through sequences, captures and named patterns)."""
    while depth < 50:
        depth += 1
        if isinstance(node, A.Seq):
            node = next((i for i in node.items if not isinstance(i, A.Look)), None)
        elif isinstance(node, (A.Capture,)):
            node = node.item
        elif isinstance(node, A.Repeat) and node.min > 0:
            node = node.item
        elif isinstance(node, A.PatRef) and node.name in patterns:
            node = patterns[node.name].pattern
        else:
            return node
    return None


def _same_start(a, b) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, A.TokenClass) and isinstance(b, A.TokenClass):
        return a.name == b.name or b.name in _WIDER.get(a.name, ())
    if isinstance(a, A.Lit) and isinstance(b, A.Lit):
        return a.text.split()[:1] == b.text.split()[:1] if not (a.ignore_case or b.ignore_case) else \
            a.text.lower().split()[:1] == b.text.lower().split()[:1]
    if isinstance(a, A.Lit) and isinstance(b, A.TokenClass) or isinstance(a, A.TokenClass) and isinstance(b, A.Lit):
        lit, cls = (a, b) if isinstance(a, A.Lit) else (b, a)
        word = (lit.text.split() or [""])[0]
        return {"TOKEN": bool(word), "WORD": word.isalpha(), "CAPWORD": word[:1].isupper() and word.isalpha(),
                "ALLCAPS": word.isupper() and word.isalpha(), "LOWER": word.islower() and word.isalpha(),
                "NUMBER": word.isdigit()}.get(cls.name, False)
    return a == b  # the same lexicon, named pattern or fact type twice


def pattern_risk(node, patterns: dict, bad=frozenset()):
    """(the repetition node, why) for the first risky repetition in an ierun pattern, or None. `patterns` are
    the named patterns (by name) a `%name` may refer to; they are checked where they are declared."""
    min_tokens = MinTokens({n: d.pattern for n, d in patterns.items()}, bad)
    from .tree import walk
    for n in walk(node):
        if not isinstance(n, A.Repeat) or n.max is not None:
            continue
        item = n.item.item if isinstance(n.item, A.Capture) else n.item
        parts = item.items if isinstance(item, A.Seq) else (item,)
        required = [p for p in parts if not isinstance(p, A.Look) and min_tokens(p) > 0]
        inner = required if len(required) == 1 else ([] if required else parts)
        for p in inner:
            p = p.item if isinstance(p, A.Capture) else p
            if isinstance(p, A.Repeat) and p.max is None:
                return n, "nested unbounded repetitions (like (X+)*): a run of tokens splits between them in " \
                          "exponentially many ways"
        if isinstance(item, A.Alt):
            heads = [_head(b, patterns) for b in item.branches]
            if any(_same_start(heads[i], heads[j]) for i in range(len(heads)) for j in range(i + 1, len(heads))):
                return n, "alternatives that can start with the same token under an unbounded repetition " \
                          "(like (WORD | CAPWORD)*)"
    return None
