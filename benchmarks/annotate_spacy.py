"""Annotate a JSON Lines corpus with a spaCy pipeline, for `ierun ... --nlp record`.

    python benchmarks/annotate_spacy.py MODEL IN.jsonl OUT.jsonl [--text-field text] [--batch-size 64]

Runs any installed spaCy pipeline (spaCy 2 or 3; MODEL is a package name, a shortcut link or a path) over each
record's text with `nlp.pipe` and writes the record unchanged plus an "nlp" key holding `Doc.to_json()`:
entities, sentences and tokens with pos/tag/lemma (spaCy 2's `to_json` leaves lemmas out: they are added).
Records keep their order; a record without a string text is copied with no "nlp" key and reported on
standard error with its line (ierun then reports it per document). Prints documents, seconds and docs/s
(wall clock and CPU time: the machine may be shared) on standard error when done.

It imports nothing from ierun, so it runs in a side environment that has spaCy (here /work/sp2venv: spaCy
2.3.9 with en_core_web_sm 2.2.5, which loads with warning W031 and works).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time


def load_pipeline(name: str):
    import spacy
    try:
        return spacy.load(name)
    except OSError:
        # spaCy 2 finds a model package by name only through a shortcut link: import the package instead
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise SystemExit(f"annotate_spacy: no spaCy pipeline named {name!r} is installed "
                             f"(spaCy {spacy.__version__})") from None
        return module.load()


def doc_json(doc) -> dict:
    out = doc.to_json()
    for tok, item in zip(doc, out.get("tokens", [])):
        item.setdefault("lemma", tok.lemma_)
        item.setdefault("pos", tok.pos_)
        item.setdefault("tag", tok.tag_)
    return out


def read_records(path: str, field: str):
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{lineno}: not a JSON record: {e.msg} (column {e.colno})") from None
            yield lineno, rec, rec.get(field) if isinstance(rec, dict) else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0, help="annotate only the first N records (0: all)")
    args = ap.parse_args(argv)

    nlp = load_pipeline(args.model)
    records = list(read_records(args.input, args.text_field))
    if args.limit:
        records = records[:args.limit]
    good = [(i, text) for i, (_, rec, text) in enumerate(records) if isinstance(text, str)]
    for lineno, rec, text in records:
        if not isinstance(text, str):
            print(f"{args.input}:{lineno}: no string {args.text_field!r} field: copied without \"nlp\"",
                  file=sys.stderr)
    wall, cpu = time.perf_counter(), time.process_time()
    docs = nlp.pipe((text for _, text in good), batch_size=args.batch_size)
    annotated = {i: doc_json(doc) for (i, _), doc in zip(good, docs)}
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with open(args.output, "w", encoding="utf-8") as out:
        for i, (_, rec, _) in enumerate(records):
            if i in annotated:
                rec = dict(rec, nlp=annotated[i])
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    n = len(good)
    print(f"annotate_spacy: {n} documents with {args.model} in {wall:.2f} s wall ({n / wall:.1f} docs/s), "
          f"{cpu:.2f} s CPU ({n / cpu:.1f} docs/s)" if n else "annotate_spacy: no documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
