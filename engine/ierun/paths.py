"""Where the bundled grammar and rule pack live: inside the installed package first, else the checkout.

This is the only module that builds such paths.
"""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_CHECKOUT = _PKG.parent.parent


def _bundled(name: str) -> Path:
    inside = _PKG / name
    return inside if inside.is_dir() else _CHECKOUT / name


def grammar_file() -> Path:
    return _bundled("grammar") / "ierun.lark"


def default_rules_dir() -> Path:
    return _bundled("rules")
