"""Where an embedded regex goes wrong. The `regex` module reports an unclosed group or character set at the
end of the pattern (where it noticed), which puts the caret on the closing '/'; the analyst needs it on the
'(' or '[' that is never closed. Other errors keep the position `regex` (or, when it agrees, the standard
`re`, which marks where the construct starts) gives."""
from __future__ import annotations

import re


def unclosed(source: str) -> tuple[int | None, int | None]:
    """(offset of a '[' never closed, offset of the innermost '(' never closed), None when there is none."""
    groups: list[int] = []
    klass = None
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if klass is not None:
            first = klass + (2 if source[klass + 1:klass + 2] == "^" else 1)
            if c == "]" and i > first:  # a ']' right after '[' or '[^' is a literal
                klass = None
            elif c == "[" and source[i + 1:i + 2] == ":":  # [[:alpha:]]
                end = source.find(":]", i + 2)
                i = end + 2 if end > 0 else i + 1
                continue
        elif c == "[":
            klass = i
        elif c == "(":
            groups.append(i)
        elif c == ")" and groups:
            groups.pop()
        i += 1
    return klass, (groups[-1] if groups else None)


def error_offset(source: str, err) -> int | None:
    """The offset in `source` to put the caret on for `err`, a regex.error from compiling it."""
    msg, pos = getattr(err, "msg", str(err)), getattr(err, "pos", None)
    klass, group = unclosed(source)
    if msg.startswith("unterminated character set") and klass is not None:
        return klass
    if msg.startswith("missing )") and group is not None:
        return group
    try:
        re.compile(source)
    except re.error as std:
        if std.msg.startswith(msg) and std.pos is not None:
            return std.pos
    except (ValueError, TypeError, OverflowError, RecursionError):
        pass
    return pos


def regex_problem(source: str, err) -> tuple[int | None, dict]:
    """(offset for the caret, the message's values): `reason`, and for an unclosed '(' or '[' also `char` and
    `close` (messages.Errors.BAD_REGEX_UNCLOSED)."""
    pos = error_offset(source, err)
    msg = getattr(err, "msg", None) or str(err)
    char = source[pos:pos + 1] if pos is not None else ""
    if char in ("(", "[") and msg.startswith(("missing )", "unterminated character set")):
        return pos, {"reason": msg, "char": char, "close": ")" if char == "(" else "]"}
    return pos, {"reason": msg}
