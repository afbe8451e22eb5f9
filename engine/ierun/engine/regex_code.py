"""A rule's regex as `regex` compiles it, and its parsed program kept in the cached plan (`regex_code`,
`from_code`), so that a later run rebuilds the pattern without parsing it again.
"""
from __future__ import annotations

import threading

import regex

LIST_REF = regex.compile(r"\\L<(\w+)>")  # a named list in a rule's regex (compile.LIST_MIN)


def compile_regex(source: str, lists: dict[str, list[str]]) -> regex.Pattern:
    return regex.compile(source, regex.V0, **{name: lists[name] for name in set(LIST_REF.findall(source))})


CODE_MAX = 100_000  # a larger regex (a huge lexicon written out) is parsed when first used, as it always was


_CAPTURE = threading.Lock()


def regex_code(source: str, lists: dict[str, list[str]]) -> tuple | None:
    """The `regex` module parses a pattern in Python (most of the start-up of a large rule set) and hands the
    parsed program to its C core. The arguments of that hand-over are kept in the cached plan, so a later run
    rebuilds the pattern without parsing it (`from_code`). None where `regex` does not work that way; the
    plan cache is keyed by the `regex` version, so a kept program always meets the core that made it.

    `regex` offers no way to get the program but to watch the hand-over, so its core is replaced by a spy
    for the duration of one compile: under a lock (one capture at a time, so each restores what it found),
    restored in `finally`, and keeping only the calls of the capturing thread (another thread compiling
    meanwhile goes straight through to the core)."""
    core = getattr(getattr(regex, "_main", None), "_regex", None)
    if core is None or not hasattr(core, "compile") or len(source) > CODE_MAX:
        return None
    kept = []
    me = threading.get_ident()

    class Spy:
        def __getattr__(self, name):
            return getattr(core, name)

        @staticmethod
        def compile(*args):
            if threading.get_ident() == me:
                kept.append(args)
            return core.compile(*args)

    with _CAPTURE:
        core = regex._main._regex
        regex._main._regex = Spy()
        try:
            regex.compile(source, regex.V0, cache_pattern=False,
                          **{name: lists[name] for name in set(LIST_REF.findall(source))})
        except Exception:
            return None
        finally:
            regex._main._regex = core
    return kept[0] if len(kept) == 1 else None


def from_code(code: tuple) -> regex.Pattern | None:
    try:
        return regex._main._regex.compile(*code)
    except Exception:  # a program this core does not take: compile from the source instead
        return None
