"""How newswire writes a dateline, for property tests of the Dateline rules. The engine knows nothing of
datelines; tests load this file with `ierun.testing.rule_helpers("dateline")`."""
from __future__ import annotations

import datetime as dt

_MONTHS = ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"]


def render_dateline(location: str, date: dt.date | None, agency: str | None, style: str) -> str:
    """'reuters87' (PORTLAND, Feb 26 -), 'reuters' (LONDON, Oct 2 (Reuters) -), 'ap' (WASHINGTON (AP) —),
    'xinhua' (BEIJING, Oct. 2 (Xinhua) --)."""
    month = _MONTHS[date.month - 1] if date else None
    if style == "reuters87":
        return f"{location}, {month} {date.day} -"
    if style == "reuters":
        return f"{location}, {month} {date.day} ({agency}) -"
    if style == "ap":
        return f"{location} ({agency}) —"
    if style == "xinhua":
        return f"{location}, {month}{'.' if len(month) == 3 else ''} {date.day} ({agency}) --"
    raise ValueError(style)
