"""The bar for title rules over an NLP pipeline: a pipeline's PERSON entities plus a role list.

    python benchmarks/ner_role_peer.py ANNOTATED.jsonl [--facts OUT.jsonl] [--gold GOLD.jsonl]

ANNOTATED is a JSON Lines corpus whose records carry the pipeline's `Doc.to_json()` under "nlp" (see
benchmarks/annotate_spacy.py). A Title is a PERSON entity next to a role from rules/title's lexicons:
- before it: a role head from roles.txt ending right before the entity, with the modifiers and portfolios
  (role_modifiers.txt, portfolios.txt) written before the head ("Finance Minister Michael Wilson");
- after it: "PERSON, (a|an|the|its|his|her)? modifiers/portfolios* ROLE-HEAD" ("Jeff Jonas, an analyst").
The organization is left null. The facts are written in ierun's JSON Lines shape and scored with
../shared/eval/score.py (the gold defaults to the annotated file itself, which keeps its "gold" key).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE = ROOT / "rules" / "title"
WORD = re.compile(r"[\w'’.&-]+|[^\w\s]")
DETERMINERS = {"a", "an", "the", "its", "his", "her", "their", "our"}


def lexicon(name: str) -> set[tuple[str, ...]]:
    phrases = set()
    for line in (TITLE / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            phrases.update(tuple(p.lower().split()) for p in line.split("|") if p.strip())
    return phrases


HEADS = lexicon("roles.txt")
MODS = lexicon("role_modifiers.txt") | lexicon("portfolios.txt")


def _ends_with(words: list[str], phrases: set[tuple[str, ...]]) -> int:
    """The length of the longest phrase that `words` ends with (0: none)."""
    return max((len(p) for p in phrases if len(p) <= len(words) and tuple(words[-len(p):]) == p), default=0)


def _starts_with(words: list[str], phrases: set[tuple[str, ...]]) -> int:
    return max((len(p) for p in phrases if tuple(words[:len(p)]) == p), default=0)


def role_before(text: str, start: int) -> str | None:
    spans = [m for m in WORD.finditer(text[max(0, start - 200):start])]
    words = [m.group().lower() for m in spans]
    n = _ends_with(words, HEADS)
    if not n:
        return None
    while True:
        k = _ends_with(words[:len(words) - n], MODS)
        if not k:
            break
        n += k
    offset = max(0, start - 200)
    return text[offset + spans[-n].start():offset + spans[-1].end()]


def role_after(text: str, end: int) -> str | None:
    rest = text[end:end + 200]
    m = re.match(r"\s*,\s*", rest)
    if not m:
        return None
    spans = list(WORD.finditer(rest, m.end()))
    words = [s.group().lower() for s in spans]
    i = 1 if words and words[0] in DETERMINERS else 0
    j = i
    while (k := _starts_with(words[j:], MODS)) and not _starts_with(words[j:], HEADS) >= k:
        j += k
    n = _starts_with(words[j:], HEADS)
    if not n:
        return None
    # the longest run of heads and modifiers ("chief executive officer")
    j += n
    while (k := _starts_with(words[j:], HEADS | MODS)):
        j += k
    return rest[spans[i].start():spans[j - 1].end()]


def titles(record: dict) -> list[dict]:
    text, out = record["text"], []
    for ent in record["nlp"].get("ents", []):
        if ent["label"] != "PERSON":
            continue
        person = text[ent["start"]:ent["end"]]
        role = role_before(text, ent["start"]) or role_after(text, ent["end"])
        if role:
            out.append({"doc": record["id"], "type": "Title", "rule": "peer.ner_role", "start": ent["start"],
                        "end": ent["end"], "text": person,
                        "fields": {"person": person, "role": role, "organization": None}})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("annotated")
    ap.add_argument("--facts", help="write the facts here (default: a temporary file)")
    ap.add_argument("--gold", help="the gold file (default: the annotated file)")
    ap.add_argument("--score", default=str(ROOT.parent / "shared" / "eval" / "score.py"))
    a = ap.parse_args()
    facts_path = a.facts or tempfile.mkstemp(suffix=".jsonl")[1]
    with open(a.annotated, encoding="utf-8") as f, open(facts_path, "w", encoding="utf-8") as out:
        for line in f:
            for fact in titles(json.loads(line)):
                out.write(json.dumps(fact) + "\n")
    score = Path(a.score)
    if not score.is_file():
        score = next(p / "shared" / "eval" / "score.py" for p in ROOT.parents if (p / "shared" / "eval").is_dir())
    return subprocess.run([sys.executable, str(score), a.gold or a.annotated, facts_path]).returncode


if __name__ == "__main__":
    sys.exit(main())
