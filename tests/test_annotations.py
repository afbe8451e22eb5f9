"""Annotations as the engine reads them: from spaCy's Doc.to_json() shape and from a spaCy Doc."""
import pytest

from ierun.annotations import AnnotationError, Annotations, Entity, Token

TEXT = "Chief executive Satya Nadella said."


def test_from_json_reads_entities_and_tokens():
    a = Annotations.from_json({"text": TEXT, "ents": [{"start": 16, "end": 29, "label": "PERSON"}],
                               "tokens": [{"id": 0, "start": 0, "end": 5, "pos": "ADJ", "tag": "JJ", "lemma": "chief"},
                                          {"start": 30, "end": 34}]}, TEXT)
    assert a.entities == (Entity(16, 29, "PERSON"),)
    assert a.tokens == (Token(0, 5, "ADJ", "JJ", "chief"), Token(30, 34, "", "", ""))


@pytest.mark.parametrize("obj, message", [
    ([], "annotations must be an object, not list"),
    ({"text": "other"}, "the annotations' \"text\" is not the record's text"),
    ({"ents": {}}, "annotations' \"ents\" must be a list"),
    ({"ents": [{"start": 3, "end": 99, "label": "ORG"}]},
     "ents[0]: start and end must be offsets in the text (0 <= start <= end <= 35), got 3 and 99"),
    ({"ents": [{"start": 5, "end": 3, "label": "ORG"}]},
     "ents[0]: start and end must be offsets in the text (0 <= start <= end <= 35), got 5 and 3"),
    ({"ents": [{"start": True, "end": 3, "label": "ORG"}]},
     "ents[0]: start and end must be whole numbers, got True and 3"),
    ({"ents": [{"start": "9", "end": 17, "label": "ORG"}]},
     "ents[0]: start and end must be whole numbers, got '9' and 17"),
    ({"ents": [{"start": 0, "end": 3}]}, "ents[0]: \"label\" must be a non-empty string"),
    ({"tokens": ["x"]}, "tokens[0] must be an object"),
    ({"tokens": [{"start": 0, "end": 3, "pos": 7}]}, "tokens[0]: \"pos\" must be a string"),
])
def test_from_json_names_what_is_wrong(obj, message):
    with pytest.raises(AnnotationError) as e:
        Annotations.from_json(obj, TEXT)
    assert str(e.value) == message


def test_from_spacy_doc_with_an_entity_ruler():
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": "Satya Nadella"}])
    a = Annotations.from_spacy(nlp(TEXT))
    assert a.entities == (Entity(16, 29, "PERSON"),)
    assert [TEXT[t.start:t.end] for t in a.tokens] == ["Chief", "executive", "Satya", "Nadella", "said", "."]
    assert a == Annotations.from_json(nlp(TEXT).to_json(), TEXT)
