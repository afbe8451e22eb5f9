"""A YAML syntax error in an analyst's words: PyYAML's error names the place where it gave up (often the line
after the mistake, or past the end of the file) in the parser's terms ("expected ',' or ']', but got
'<stream end>'"). Here the diagnostic points where the broken construct starts (the unclosed '[', the quote
that is never closed, the line that does not line up) and says what to fix."""
from __future__ import annotations

import re

from ..errors import Diagnostic, Loc, Source, diagnostic
from ..messages import Errors

_FLOW = {"while parsing a flow sequence": ("[", "]", "list", "[a, b, c]"),
         "while parsing a flow mapping": ("{", "}", "mapping", "{a: 1, b: 2}")}


def _at(source: Source, line0: int, col0: int, length: int = 1) -> Loc:
    return Loc(source, line0 + 1, col0 + 1, col0 + 1 + length)


def _content_start(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def _where(source: Source, mark) -> str:
    """'the end of the file', or 'line N' for a mark in the middle of the text."""
    if mark is None or not source.text[mark.index:].strip():
        return "the end of the file"
    return f"line {mark.line + 1}"


def yaml_syntax_error(err, source: Source) -> Diagnostic:
    """The diagnostic for a yaml.MarkedYAMLError raised while reading `source`."""
    context, problem = err.context or "", err.problem or ""
    cm, pm = err.context_mark, err.problem_mark
    if context in _FLOW and cm is not None:
        opener, closer, what, example = _FLOW[context]
        return diagnostic(Errors.YAML_UNCLOSED, _at(source, cm.line, cm.column), open=opener, close=closer,
                          where=_where(source, pm), what=what, example=example)
    if context == "while scanning a quoted scalar" and cm is not None and "end of stream" in problem:
        quote = source.line(cm.line + 1)[cm.column:cm.column + 1] or '"'
        return diagnostic(Errors.YAML_UNCLOSED_QUOTE, _at(source, cm.line, cm.column), quote=quote)
    if pm is not None and "character '\\t'" in problem:
        return diagnostic(Errors.YAML_TAB, _at(source, pm.line, pm.column))
    if pm is not None and cm is not None and problem.startswith("expected <block end>"):
        line = source.line(pm.line + 1)
        return diagnostic(Errors.YAML_INDENT, _at(source, pm.line, _content_start(line)), line=cm.line + 1)
    if pm is not None and problem == "mapping values are not allowed here":
        return _second_colon(source, pm)
    m = re.match(r"found unknown escape character '(.)'", problem)
    if m and pm is not None:
        return diagnostic(Errors.YAML_ESCAPE, _at(source, pm.line, max(0, pm.column - 1), 2), char=m.group(1))
    m = re.match(r"expected the node content, but found '([\]}])'", problem)
    if m and pm is not None:
        return diagnostic(Errors.YAML_STRAY_CLOSE, _at(source, pm.line, pm.column), char=m.group(1))
    return _fallback(err, source)


def _second_colon(source: Source, pm) -> Diagnostic:
    """A ':' PyYAML did not expect: a value with ': ' in it, a line without its ':', or a line indented more
    than its neighbours (then read as the rest of the value above)."""
    line = source.line(pm.line + 1)
    before = line[:pm.column]
    first = re.search(r":(\s)", before)
    if first is not None:  # key: a: b
        value_start = first.end()
        key = before[:first.start()].strip().lstrip("- ")
        value = line[value_start:].strip()
        return diagnostic(Errors.YAML_SECOND_COLON, _at(source, pm.line, value_start, len(value)), key=key,
                          value=value)
    above = pm.line - 1  # this line continues a value begun above: find that line
    while above >= 0 and not source.line(above + 1).strip():
        above -= 1
    if above < 0:
        return _fallback(None, source, pm)
    prev = source.line(above + 1)
    if ":" not in prev.split("#", 1)[0] and not prev.strip().startswith("-"):
        return diagnostic(Errors.YAML_NO_COLON, _at(source, above, _content_start(prev), len(prev.strip())))
    return diagnostic(Errors.YAML_INDENTED_MORE, _at(source, pm.line, _content_start(line)))


def _fallback(err, source: Source, mark=None) -> Diagnostic:
    """PyYAML's own words, at a place inside the file (never past its end)."""
    mark = mark or (err.problem_mark or err.context_mark if err is not None else None)
    problem = (err.problem if err is not None else None) or "bad YAML"
    if mark is None:
        return diagnostic(Errors.YAML_SYNTAX, Loc(source, 1, 1, 2), problem=problem)
    line0, col0 = mark.line, mark.column
    if not source.line(line0 + 1).strip():  # past the end, or on a blank line: the last line with text
        while line0 > 0 and not source.line(line0 + 1).strip():
            line0 -= 1
        col0 = _content_start(source.line(line0 + 1))
    return diagnostic(Errors.YAML_SYNTAX, _at(source, line0, col0), problem=problem)
