"""How newswire writes money: renderers and a Hypothesis strategy of money texts with their values, for
property tests of the Money rules. The engine knows nothing of Money; tests load this file with
`ierun.testing.rule_helpers("money")`."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from ierun.language.values import format_decimal
from ierun.testing.strategies import amounts

_SCALES = [(Decimal(10) ** 9, "billion", "bln"), (Decimal(10) ** 6, "million", "mln")]
_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_WORD = {"USD": "dlrs", "EUR": "euros", "GBP": "stg", "JPY": "yen", "CAD": "Canadian dlrs"}


def _scaled(amount: Decimal, long: bool):
    """'1.8 billion' style when the amount is a round multiple of a scale, else digit groups."""
    for value, word, short in _SCALES:
        if amount >= value and (amount / value) == (amount / value).quantize(Decimal("0.001")):
            return format_decimal(amount / value), (word if long else short)
    return f"{amount:,.2f}".rstrip("0").rstrip(".") if amount % 1 else f"{amount:,.0f}", None


def render_money(amount: Decimal, currency: str, style: str) -> str:
    """Newswire renderings: 'symbol' ($1.8 billion), 'reuters' (1.8 bln dlrs, 1,750 dlrs), 'code_before'
    (USD 5 million), 'code_after' (5 mln USD)."""
    number, scale = _scaled(amount, style in ("symbol", "code_before"))
    tail = f" {scale}" if scale else ""
    if style == "symbol":
        return f"{_SYMBOL[currency]}{number}{tail}"
    if style == "reuters":
        return f"{number}{tail} {_WORD[currency]}"
    if style == "code_before":
        return f"{currency} {number}{tail}"
    if style == "code_after":
        return f"{number}{tail} {currency}"
    raise ValueError(style)


def render_range(low: Decimal, high: Decimal, scale: Decimal, currency: str, style: str) -> str:
    """'symbol' ($3 to $4 billion: one scale word for both) or 'reuters' (15-20 mln dlrs)."""
    words = {v: (w, short) for v, w, short in _SCALES}
    a, b = format_decimal(low / scale), format_decimal(high / scale)
    word, short = words.get(scale, ("", ""))
    if style == "symbol":
        sym = _SYMBOL[currency]
        return f"{sym}{a} to {sym}{b}" + (f" {word}" if word else "")
    return f"{a}-{b}" + (f" {short}" if short else "") + f" {_WORD[currency]}"


MONEY_STYLES = {"symbol": sorted(_SYMBOL), "reuters": sorted(_WORD), "code_before": ["USD", "EUR", "GBP", "JPY"],
                "code_after": ["USD", "EUR", "GBP", "JPY"], "cents": ["USD"], "symbol_range": sorted(_SYMBOL),
                "reuters_range": sorted(_WORD)}


@st.composite
def money_texts(draw, styles=tuple(MONEY_STYLES)):
    """(text, amount, amount_max, currency) for money rendered the way newswire writes it: '$1.8 billion',
    '1.8 bln dlrs', 'USD 1.8 billion', '1.8 bln USD', '25 cts', '$3 to $4 billion', '15-20 mln dlrs'."""
    style = draw(st.sampled_from(list(styles)))
    currency = draw(st.sampled_from(MONEY_STYLES[style]))
    if style == "cents":
        n = draw(st.integers(1, 99))
        return f"{n} cts", Decimal(n) / 100, None, currency
    if style.endswith("_range"):
        scale = draw(st.sampled_from([Decimal(1), Decimal(10) ** 6, Decimal(10) ** 9]))
        places = 2 if scale == 1 else 1
        low = draw(st.decimals(min_value=1, max_value=999, places=places))
        high = low + draw(st.decimals(min_value=1, max_value=100, places=places))
        text = render_range(low * scale, high * scale, scale, currency, style.split("_")[0])
        return text, low * scale, high * scale, currency
    amount = draw(amounts())
    return render_money(amount, currency, style), amount, None, currency
