"""What rules over NLP annotations cost the engine (the pipeline's own time is not counted: spaCy's is
measured by h17's corpus runs). CPU time (time.process_time, the machine is shared), median of several runs,
over a JSON Lines corpus, of:
  pack            the rule pack alone (no `uses nlp`): the figure a change to the engine must keep
  pack+entities   the pack and a rule consuming PERSON entities (`@role p:<PERSON>`), annotations given
  pack+tokens     the pack and a rule testing tokens (`@role p:[pos=PROPN]+`), annotations given
The annotations are made up once, before timing (each capitalized word a PROPN token, each run of two
capitalized words a PERSON entity): the point is the engine's work on them, not their quality.

Usage: python benchmarks/nlp_rules.py --corpus ../shared/eval/reuters1987-dev.jsonl [--rules rules] [--runs 5]
       [--only pack]"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import DEFAULT_CORPUS, ROOT, machine, read_corpus

import ierun

NLP_RULES = """uses nlp entities PERSON tokens
fact NlpTitle { person: str  role: str }
lexicon nlp_role { "President" "chairman" "chief executive" "Minister" "spokesman" "director" }
rule nlp.%s -> NlpTitle {
    match r:@nlp_role p:%s
    person = p
    role = r
}
"""


def annotate(text: str):
    import regex
    from ierun.annotations import Annotations, Entity, Token
    from ierun.language.tokens import tokenize
    toks = tuple(Token(s, e, "PROPN" if text[s].isupper() else "X", "", text[s:e].lower()) for s, e in tokenize(text))
    ents = tuple(Entity(m.start(), m.end(), "PERSON") for m in regex.finditer(r"\b\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+\b", text))
    return Annotations(ents, toks)


def cpu(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=str(ROOT / "rules"))
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=("pack", "pack+entities", "pack+tokens"))
    a = ap.parse_args()
    docs, size = read_corpus(Path(a.corpus))
    print(f"{machine()}\n{len(docs)} documents, {size / 1e6:.2f} MB ({a.corpus}); CPU s, median of {a.runs}")
    cases = {"pack": None, "pack+entities": ("entities", "<PERSON>"), "pack+tokens": ("tokens", "[pos=PROPN]+")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in cases.items():
            if a.only and name != a.only:
                continue
            paths = [a.rules]
            if extra is not None:
                (Path(tmp) / f"{extra[0]}.ie").write_text(NLP_RULES % extra, encoding="utf-8")
                paths.append(str(Path(tmp) / f"{extra[0]}.ie"))
            rs = ierun.load(*paths)
            anns = [annotate(d["text"]) for d in docs] if extra is not None else [None] * len(docs)
            kw = (lambda ann: {"annotations": ann}) if extra is not None else (lambda ann: {})
            run = rs.extractor.run

            def once():
                for d, ann in zip(docs, anns):
                    run(d["text"], **kw(ann))
            once()  # warm: patterns compiled at first use
            t = cpu(once, a.runs)
            print(f"{name:15s} {t:7.2f} s  {size / 1e6 / t:6.2f} MB/s  {len(docs) / t:8.0f} docs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
