"""Getting a document's NLP annotations to the engine: loading a spaCy pipeline by name or path (once per
process), running it over documents in batches (`nlp.pipe`), reading annotations carried in the input records
(`--nlp record`), and the start-up messages of a rule set that needs annotations (the engine's E202, W401).

    spec "en_core_web_sm" | "path/to/folder"  -> load_pipeline -> Annotator.annotate(docs) -> Annotations
    spec "record"                              -> the reader (cli/inputs.py) parsed each record's "nlp"

What a rule set needs is the compiled plan's `nlp_needs` (None: nothing; else `.entities`, `.tokens`,
`.optional`, `.declared_at`, `.rules`: language/nlp.py). The corpus runners (cli/parallel.py) are given an `AnnotatingExtractor`: the
plan's Extractor with the run's Annotator, which pickles as its spec, so each worker loads the pipeline once.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path

from .annotations import AnnotationError, Annotations, Entity
from .errors import IerunError, diagnostic
from .messages import Errors

RECORD = "record"      # --nlp record: annotations come with each JSON Lines record
RECORD_FIELD = "nlp"   # the record's field holding them (spaCy's Doc.to_json() shape)
BATCH = 64             # documents per nlp.pipe batch

_LOADED: dict[str, object] = {}  # spec -> the loaded pipeline of this process (a forked worker inherits it)


class NlpError(IerunError):
    """An NLP pipeline that cannot be loaded (E401)."""

    def line(self) -> str:
        """The problem on one line (a pipeline that cannot be loaded), as the command line reports it."""
        d = self.diagnostics[0]
        where = f"{d.loc}: " if d.loc else ""
        return f"{where}error[{d.code}]: {d.message}" + (f"; {d.hint}" if d.hint else "")


def _looks_like_path(spec: str) -> bool:
    """A spec written as a path (else a name: spacy.load tries an installed package, then a folder)."""
    return os.sep in spec or "/" in spec or spec.startswith(".")


def load_pipeline(spec):
    """A spaCy Language from `spec`: a Language (returned as it is), an installed pipeline's name or a
    pipeline folder (`nlp.to_disk`). Loaded once per process. Raises NlpError with one clear line."""
    if not isinstance(spec, str):
        return spec
    if spec in _LOADED:
        return _LOADED[spec]
    try:
        import spacy
    except ImportError:
        raise NlpError([diagnostic(Errors.NLP_NO_SPACY, None, spec=spec)]) from None
    if _looks_like_path(spec):
        path = Path(spec)
        if not path.is_dir():
            reason = "no such folder" if not path.exists() else "not a folder (a pipeline is a folder nlp.to_disk wrote)"
            raise NlpError([diagnostic(Errors.NLP_CANNOT_LOAD, None, spec=spec, reason=reason)])
        if not (path / "config.cfg").is_file():
            raise NlpError([diagnostic(Errors.NLP_CANNOT_LOAD, None, spec=spec,
                                       reason="the folder has no config.cfg: not a spaCy pipeline folder")])
    try:
        nlp = spacy.load(spec)
    except Exception as err:  # OSError E050 (not installed), a missing factory, a version mismatch, ...
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if "E050" in text:
            text = "no installed spaCy pipeline of that name (install it, e.g. python -m spacy download NAME)"
        raise NlpError([diagnostic(Errors.NLP_CANNOT_LOAD, None, spec=spec, reason=text)]) from None
    _LOADED[spec] = nlp
    return nlp


def needs_of(*plans):
    """The NLP needs of plans together: (the needs objects, required: does any plan need a pipeline that is
    not optional)."""
    found = [p.nlp_needs for p in plans if p.nlp_needs is not None]
    return found, any(not n.optional for n in found)


def missing_pipeline(needs):
    """The error of a rule set that needs a pipeline run without one, at its `uses nlp` declaration
    (engine/nlp.py's E202, the one the engine raises)."""
    from .engine.nlp import missing
    return missing(needs)


def optional_note(needs) -> str:
    """The one-line note of a run without a pipeline whose rules need one only optionally (the engine's W401):
    one line, since it comes with every run of a rule folder that holds such rules (rules/title-ner)."""
    from .engine.nlp import skipped_note
    note = skipped_note(needs)
    return f"{note.render().splitlines()[0]}; {note.hint}"


def from_doc(doc, tokens: bool = True) -> Annotations:
    """A spaCy Doc's annotations; without `tokens`, its entities only (cheaper when no rule reads tokens)."""
    if tokens:
        return Annotations.from_spacy(doc)
    return Annotations(tuple(Entity(e.start_char, e.end_char, e.label_) for e in doc.ents), ())


def from_record(rec: dict, text: str, key: str = RECORD_FIELD, tokens: bool | None = None) -> Annotations:
    """A JSON Lines record's annotations (its `key` field, in Doc.to_json()'s shape): its tokens too when
    `tokens` is True (then a record without them is an error: the rules test them) or None (if it has some),
    its entities only when False. Raises AnnotationError with the message the reader reports at the
    record's file:line."""
    if key not in rec:
        raise AnnotationError(f"record has no \"{key}\" field: --nlp record reads each document's "
                              f"annotations from it (spaCy's Doc.to_json())")
    if tokens is True and isinstance(rec[key], dict) and "tokens" not in rec[key]:
        raise AnnotationError(f"\"{key}\" has no \"tokens\": the rules test tokens (pos, tag, lemma)")
    try:
        return Annotations.from_json(rec[key], text, tokens is not False)
    except AnnotationError as err:
        raise AnnotationError(f"\"{key}\": {err}") from None


def record_inputs_problem(inputs, jsonl: bool) -> str | None:
    """With --nlp record every input must be JSON Lines: the first one that is not, as an error line."""
    if jsonl:
        return None
    for spec in inputs:
        if spec == "-" or not str(spec).endswith((".jsonl", ".jsonl.gz")):
            what = "standard input" if spec == "-" else spec
            return (f"--nlp record reads the annotations of JSON Lines records (their \"{RECORD_FIELD}\" field), "
                    f"and {what} is not JSON Lines: give --jsonl, or .jsonl files")
    return None


class Annotator:
    """Where a run's documents get their annotations: a spaCy pipeline run on their texts in batches (`spec`
    a name or a folder, loaded once per process; or a Language given in Python), or the records themselves
    (`spec == "record"`: the reader put each Document's annotations on it). Pickles as its spec."""

    def __init__(self, spec, tokens: bool = True, batch_size: int = BATCH):
        self.spec = spec if isinstance(spec, str) else None
        self._nlp = None if isinstance(spec, str) else spec
        self.tokens, self.batch_size = tokens, batch_size

    @property
    def record(self) -> bool:
        return self.spec == RECORD

    @property
    def nlp(self):
        if self._nlp is None and not self.record:
            self._nlp = load_pipeline(self.spec)
        return self._nlp

    def __getstate__(self):
        state = dict(self.__dict__)
        if self.spec is not None:
            state["_nlp"] = None  # a worker loads it by name (once: load_pipeline keeps it)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def annotate_texts(self, texts: list[str]) -> list[Annotations | str]:
        """Each text's Annotations, or the message of why the pipeline failed on it: the texts go through
        `nlp.pipe` in batches; when a batch fails, its texts run one by one so one bad text costs only itself."""
        nlp = self.nlp
        try:
            return [from_doc(d, self.tokens) for d in nlp.pipe(texts, batch_size=self.batch_size)]
        except Exception:
            pass
        out = []
        for t in texts:
            try:
                out.append(from_doc(nlp(t), self.tokens))
            except Exception as err:
                out.append(f"the NLP pipeline failed on this document: {type(err).__name__}: {err}")
        return out

    def annotate(self, docs) -> list:
        """For cli/inputs.py Documents: each one's Annotations or failure message (see `annotate_texts`)."""
        if self.record:
            return [d.annotations for d in docs]
        return self.annotate_texts([d.text for d in docs])


def put_annotations(annotator: Annotator, chunk: list) -> list:
    """The chunk (cli/inputs.py Documents and InputProblems), each Document with its annotations put on it,
    or the message of why the pipeline failed on it (the chunk's texts through the pipeline in one batch)."""
    from .cli.inputs import Document
    real = [d for d in chunk if isinstance(d, Document)]
    for d, found in zip(real, annotator.annotate(real)):
        d.annotations = found
    return chunk


def annotated(docs, annotator: Annotator):
    """The documents, streamed, with their annotations put on them, batch by batch (`put_annotations`)."""
    docs = iter(docs)
    while chunk := list(itertools.islice(docs, annotator.batch_size)):
        yield from put_annotations(annotator, chunk)


class AnnotatingExtractor:
    """An engine Extractor and the Annotator of a run, as the corpus runners (cli/parallel.py) take them."""

    def __init__(self, extractor, annotator: Annotator):
        self.extractor, self.annotator = extractor, annotator

    @property
    def plan(self):
        return self.extractor.plan

    @property
    def timeout(self):
        return self.extractor.timeout

    def run(self, *args, **kw):
        return self.extractor.run(*args, **kw)


def pipeline_notes(nlp, needs, plans) -> list[str]:
    """What a pipeline lacks that the rules read, so that their finding nothing is not silent: entity labels
    that none of its components names (when some name theirs), token attributes none of its components can set
    (by what they declare; an attribute_ruler or a component that declares nothing may set any)."""
    notes = []
    named = {label for labels in (getattr(nlp, "pipe_labels", None) or {}).values() for label in labels}
    missing = sorted(set().union(*(n.entities for n in needs)) - named)
    if named and missing:
        notes.append(f"it has no entity label {' or '.join(missing)} (its labels: {', '.join(sorted(named))}): "
                     f"rules over {'them' if len(missing) > 1 else 'it'} find nothing")
    from .language.nlp import constraints
    tested = sorted({t.attr for p in plans for cr in getattr(p, "rules", ()) for c in constraints(cr.rule.pattern)
                     for t in c.tests})
    if tested:
        try:  # what each component says it sets (spaCy's `assigns`; none said: it may set anything)
            said = [nlp.get_pipe_meta(name).assigns for name in nlp.pipe_names]
        except Exception:
            said = [[]]
        unset = [a for a in tested if all(s and f"token.{a}" not in s for s in said)]
        if unset:
            notes.append(f"it sets no {', '.join(unset)} on tokens: the token tests of {' and '.join(unset)} "
                         f"find nothing")
    return notes


def annotations_for(plan, nlp, text: str, annotations=None):
    """The annotations a RuleSet call runs with: those given (Annotations, a spaCy Doc: its own, or the dict of
    spaCy's `Doc.to_json()`: AnnotationError names what is wrong in it), else the
    pipeline's on `text` when the rules need some; None when they need none, or need them only optionally
    and there is no pipeline (then the engine raises its E202 error, or skips the optional rules)."""
    if annotations is not None:
        if isinstance(annotations, Annotations):
            return annotations
        if hasattr(annotations, "ents") and hasattr(annotations, "text"):  # a spaCy Doc
            if annotations.text != text:
                raise AnnotationError("annotations=: the spaCy Doc's text is not the text given")
            return Annotations.from_spacy(annotations)
        if isinstance(annotations, dict):
            return Annotations.from_json(annotations, text)
        raise TypeError(f"annotations= must be an ierun Annotations, a spaCy Doc or the dict of Doc.to_json(), "
                        f"not {type(annotations).__name__}")
    needs = plan.nlp_needs
    if needs is None or nlp is None:
        return None  # without a pipeline, the engine raises E202 for the rules that need one (or skips them)
    return from_doc(nlp(text), needs.tokens)


def text_annotator(rules):
    """text -> Annotations with a RuleSet's pipeline, for examples and property checks (testing/examples.py
    `annotate=`); None when it has no pipeline or its rules use no annotations."""
    needs = rules.plan.nlp_needs
    if rules.nlp is None or needs is None:
        return None
    nlp, tokens = rules.nlp, needs.tokens
    return lambda text: from_doc(nlp(text), tokens)
