"""What an NLP pipeline found in one document, as the engine reads it: entities (character spans with a label)
and tokens (character spans with part of speech, tag and lemma).

Annotations come from a spaCy `Doc` (`from_spacy`), or from the JSON that spaCy's `Doc.to_json()` writes,
carried in an input record (`from_json`: any annotator can write that shape). Offsets are character offsets
into the document's text, exactly as in the facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class AnnotationError(ValueError):
    """Annotations that do not fit their document (the message says which item and why)."""


@dataclass(frozen=True, slots=True)
class Entity:
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    pos: str = ""
    tag: str = ""
    lemma: str = ""


TOKEN_ATTRS = ("pos", "tag", "lemma")  # the token attributes a pattern may constrain


@dataclass(frozen=True, slots=True)
class Annotations:
    entities: tuple[Entity, ...] = ()
    tokens: tuple[Token, ...] = ()

    @classmethod
    def from_spacy(cls, doc) -> "Annotations":
        """From a spaCy Doc (any pipeline; a blank one gives tokens without tags and no entities)."""
        ents = tuple(Entity(e.start_char, e.end_char, e.label_) for e in doc.ents)
        toks = tuple(Token(t.idx, t.idx + len(t.text), t.pos_, t.tag_, t.lemma_) for t in doc)
        return cls(ents, toks)

    @classmethod
    def from_json(cls, obj: Any, text: str, tokens: bool = True) -> "Annotations":
        """From spaCy's `Doc.to_json()` shape: {"text"?, "ents": [{"start", "end", "label"}], "tokens":
        [{"start", "end", "pos"?, "tag"?, "lemma"?}]} (without `tokens`, the entities only: "tokens" is not
        read). Raises AnnotationError naming the bad item."""
        if not isinstance(obj, dict):
            raise AnnotationError(f"annotations must be an object, not {type(obj).__name__}")
        if "text" in obj and obj["text"] != text:
            raise AnnotationError("the annotations' \"text\" is not the record's text")
        ents = tuple(Entity(*_span(e, "ents", i, text), _str(e, "label", "ents", i, required=True))
                     for i, e in enumerate(_list(obj, "ents")))
        toks = tuple(Token(*_span(t, "tokens", i, text), *(_str(t, a, "tokens", i) for a in TOKEN_ATTRS))
                     for i, t in enumerate(_list(obj, "tokens"))) if tokens else ()
        return cls(ents, toks)


def _list(obj: dict, key: str) -> list:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise AnnotationError(f"annotations' \"{key}\" must be a list")
    return value


def _span(item: Any, key: str, i: int, text: str) -> tuple[int, int]:
    if not isinstance(item, dict):
        raise AnnotationError(f"{key}[{i}] must be an object")
    start, end = item.get("start"), item.get("end")
    if not (type(start) is int and type(end) is int):
        raise AnnotationError(f"{key}[{i}]: start and end must be whole numbers, got {start!r} and {end!r}")
    if not 0 <= start <= end <= len(text):
        raise AnnotationError(f"{key}[{i}]: start and end must be offsets in the text "
                              f"(0 <= start <= end <= {len(text)}), got {start!r} and {end!r}")
    return start, end


def _str(item: dict, attr: str, key: str, i: int, required: bool = False) -> str:
    value = item.get(attr)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise AnnotationError(f"{key}[{i}]: \"{attr}\" must be a{' non-empty' if required else ''} string")
    return value
