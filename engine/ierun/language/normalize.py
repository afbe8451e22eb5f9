"""Normalizers: number text (digit groups, fractions, Unicode digits, number words) to exact decimals,
day/month/year text to dates with the year inferred from the publication date."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation


class NormalizationError(ValueError):
    """A candidate's value cannot be normalized (31 February, 'seventy-twelve'): the candidate is dropped."""

    reason = "value"


class NoSuchDate(NormalizationError):
    """A day the calendar does not have (31 April): a text may rightly name one, and it is dropped."""

    reason = "no such date"


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_UNITS.update({"a": 1, "an": 1, "nil": 0})
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
           "lakh": 10**5, "crore": 10**7}
_FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}
_PLURAL_FRACTIONS = {"halves": Decimal("0.5"), "quarters": Decimal("0.25")}  # "three quarters" = 3 x 0.25


def ascii_digits(text: str) -> str:
    """Unicode decimal digits (Arabic-Indic, Devanagari, full-width ...) to ASCII."""
    return "".join(str(unicodedata.decimal(c)) if c.isdigit() and unicodedata.decimal(c, None) is not None
                   else c for c in text)


def number(text: str) -> Decimal:
    """'1,750' -> 1750; '384.3'; '1/8' -> 0.125; '1 1/2'; '20,5' -> 20.5; 'seven'; 'twenty-five';
    'one hundred'. Raises NormalizationError."""
    s = " ".join(ascii_digits(text).split()).strip()
    if not s:
        raise NormalizationError("empty number")
    try:
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):
            return Decimal(s.replace(",", ""))
        if re.fullmatch(r"\d+(\.\d+)?", s) or re.fullmatch(r"\.\d+", s):
            return Decimal(s)
        if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", s):  # 1.750,5
            return Decimal(s.replace(".", "").replace(",", "."))
        if re.fullmatch(r"\d+,\d{1,2}", s):  # 20,5
            return Decimal(s.replace(",", "."))
        m = re.fullmatch(r"(?:(\d+)[ -])?(\d+)/(\d+)", s)
        if m:
            whole, num, den = m.groups()
            if int(den) == 0:
                raise NormalizationError(f"division by zero in {text!r}")
            return Decimal(whole or 0) + Decimal(num) / Decimal(den)
    except InvalidOperation:
        raise NormalizationError(f"not a number: {text!r}") from None
    return number_words(s)


def number_words(text: str) -> Decimal:
    words = [w for w in re.split(r"[\s-]+", text.lower().replace(",", " ")) if w and w != "and"]
    for i in range(len(words) - 1, 0, -1):  # "a half", "one quarter": the fraction alone
        if words[i] in _FRACTIONS and words[i - 1] in ("a", "an", "one"):
            del words[i - 1]
    if not words:
        raise NormalizationError(f"not a number: {text!r}")
    total, current = Decimal(0), Decimal(0)
    for w in words:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w in _FRACTIONS:
            current += _FRACTIONS[w]
        elif w in _PLURAL_FRACTIONS:
            current = (current or 1) * _PLURAL_FRACTIONS[w]
        elif w in _SCALES:
            scale = _SCALES[w]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = Decimal(0)
        else:
            try:
                current += Decimal(w)
            except InvalidOperation:
                raise NormalizationError(f"not a number: {text!r}") from None
    return total + current


MONTHS = {}
for _i, _name in enumerate("january february march april may june july august september october november "
                           "december".split(), 1):
    MONTHS[_name] = _i
    MONTHS[_name[:3]] = _i
MONTHS["sept"] = 9


def month(value) -> int:
    if isinstance(value, int):
        m = value
    elif isinstance(value, Decimal):
        m = int(value)
    else:
        s = str(value).strip().rstrip(".").lower()
        if s.isdigit():
            m = int(s)
        elif s in MONTHS:
            m = MONTHS[s]
        else:
            raise NormalizationError(f"not a month: {value!r}")
    if not 1 <= m <= 12:
        raise NormalizationError(f"not a month: {value!r}")
    return m


def whole(value, what: str) -> int:
    if isinstance(value, int):
        return value
    try:
        d = value if isinstance(value, Decimal) else Decimal(ascii_digits(str(value)).strip().rstrip("."))
        if d == d.to_integral_value():
            return int(d)
    except InvalidOperation:
        pass
    raise NormalizationError(f"not a {what}: {value!r}")


def infer_year(m: int, published: dt.date | None) -> int | None:
    """The year of a date written without one: the publication year, or the year before when the month
    lies after the publication month (a 'Dec 31' dateline on a story published on 2 January)."""
    if published is None:
        return None
    return published.year - 1 if m > published.month else published.year


def make_date(day, mon, year, published: dt.date | None) -> dt.date | None:
    d = whole(day, "day")
    m = month(mon)
    if year is None:
        y = infer_year(m, published)
        if y is None:
            return None
    else:
        y = whole(year, "year")
        if y < 100 and len(str(year).strip()) <= 2:  # '87' -> 1987, '05' -> 2005; '0000' stays year 0
            y += 1900 if y >= 50 else 2000
    try:
        return dt.date(y, m, d)
    except ValueError as err:
        raise NoSuchDate(f"no such date: {y:04d}-{m:02d}-{d:02d} ({err})") from None


def iso_date(text) -> dt.date:
    try:
        return dt.date.fromisoformat(ascii_digits(str(text)).strip())
    except ValueError:
        raise NormalizationError(f"not an ISO date: {text!r}") from None


def title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() or w.islower() else w for w in text.split())


def trim(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:-–—")
