"""Getting a document's NLP annotations to the engine: loading a spaCy pipeline by name or path (once per
process), running it over documents in batches (`nlp.pipe`), reading annotations carried in the input records
(`--nlp record`), and checking at start-up that a rule set which needs annotations gets them.

    spec "en_core_web_sm" | "path/to/folder"  -> load_pipeline -> Annotator.annotate(docs) -> Annotations
    spec "record"                              -> the reader (cli/inputs.py) parsed each record's "nlp"

What a rule set needs is the compiled plan's `nlp_needs` (None: nothing; else `.entities`, `.tokens`,
`.optional`, `.declared_at`). The corpus runners (cli/parallel.py) are given an `AnnotatingExtractor`: the
plan's Extractor with the run's Annotator, which pickles as its spec, so each worker loads the pipeline once.
"""
from __future__ import annotations

import os
from pathlib import Path

from .annotations import AnnotationError, Annotations, Entity
from .errors import IerunError, Loc, Source, diagnostic
from .messages import Errors

RECORD = "record"      # --nlp record: annotations come with each JSON Lines record
RECORD_FIELD = "nlp"   # the record's field holding them (spaCy's Doc.to_json() shape)
BATCH = 64             # documents per nlp.pipe batch

_LOADED: dict[str, object] = {}  # spec -> the loaded pipeline of this process (a forked worker inherits it)


class NlpError(IerunError):
    """An NLP pipeline that cannot be loaded, or a rule set that needs one and has none."""

    def line(self) -> str:
        """The problem on one line (a pipeline that cannot be loaded), as the command line reports it."""
        d = self.diagnostics[0]
        where = f"{d.loc}: " if d.loc else ""
        return f"{where}error[{d.code}]: {d.message}" + (f"; {d.hint}" if d.hint else "")

    def render(self) -> str:
        """The problem as a diagnostic: at the `uses nlp` declaration, with its line and a caret, and a hint."""
        return "\n".join(d.render() for d in self.diagnostics)


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or spec.startswith(".") or Path(spec).exists()


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
    found = [n for n in (getattr(p, "nlp_needs", None) for p in plans) if n is not None]
    return found, any(not n.optional for n in found)


def describe(needs) -> str:
    """What a rule set needs, as messages say it: "entities PERSON, ORG and tokens"."""
    parts = []
    if needs.entities:
        parts.append("entities " + ", ".join(sorted(needs.entities)))
    if needs.tokens:
        parts.append("token attributes")
    return " and ".join(parts) or "annotations"


def declaration(where) -> Loc | None:
    """The Loc of a `uses nlp` declaration from `declared_at` (a Loc, or "path:line[:col]"): the caret goes
    under "uses nlp" when the file can be read."""
    if where is None or isinstance(where, Loc):
        return where
    path, _, rest = str(where).partition(":")
    while rest and not rest.split(":")[0].isdigit():  # a path with a colon in it
        more, _, rest = rest.partition(":")
        path += ":" + more
    line = int(rest.split(":")[0]) if rest.split(":")[0].isdigit() else 1
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    src = Source(path, text)
    col = src.line(line).find("uses nlp") + 1 or 1
    return Loc(src, line, col, col + len("uses nlp") if src.line(line) else col + 1)


def missing_pipeline(needs, hint: str | None = None) -> NlpError:
    """The error of a rule set that needs a pipeline run without one, at its `uses nlp` declaration."""
    return NlpError([diagnostic(Errors.NLP_NEEDED, declaration(needs.declared_at), hint, what=describe(needs))])


def optional_note(needs) -> str:
    """The note of a run without a pipeline whose rules need one only optionally."""
    return (f"ierun: note: no NLP pipeline given: the rules that use NLP {describe(needs)} "
            f"({needs.declared_at}, optional) are skipped; give --nlp NAME|PATH|record to run them")


def from_doc(doc, tokens: bool = True) -> Annotations:
    """A spaCy Doc's annotations; without `tokens`, its entities only (cheaper when no rule reads tokens)."""
    if tokens:
        return Annotations.from_spacy(doc)
    return Annotations(tuple(Entity(e.start_char, e.end_char, e.label_) for e in doc.ents), ())


def from_record(rec: dict, text: str, key: str = RECORD_FIELD) -> Annotations:
    """A JSON Lines record's annotations (its `key` field, in Doc.to_json()'s shape): raises AnnotationError
    with the message the reader reports at the record's file:line."""
    if key not in rec:
        raise AnnotationError(f"record has no \"{key}\" field: --nlp record reads each document's "
                              f"annotations from it (spaCy's Doc.to_json())")
    try:
        return Annotations.from_json(rec[key], text)
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


API_HINT = ("pass nlp= to ierun.load (a spaCy pipeline, or an installed pipeline's name or folder), or "
            "annotations= (an Annotations or a spaCy Doc of the text) to extract")


def annotations_for(plan, nlp, text: str, annotations=None):
    """The annotations a RuleSet call runs with: those given (Annotations, or a spaCy Doc: its own), else the
    pipeline's on `text` when the rules need some; None when they need none, or need them only optionally
    and there is no pipeline. A rule set that needs a pipeline and has none raises NlpError."""
    if annotations is not None:
        if isinstance(annotations, Annotations):
            return annotations
        if hasattr(annotations, "ents") and hasattr(annotations, "text"):  # a spaCy Doc
            if annotations.text != text:
                raise AnnotationError("annotations=: the spaCy Doc's text is not the text given")
            return Annotations.from_spacy(annotations)
        raise TypeError(f"annotations= must be an ierun Annotations or a spaCy Doc, not {type(annotations).__name__}")
    needs = getattr(plan, "nlp_needs", None)
    if needs is None:
        return None
    if nlp is not None:
        return from_doc(nlp(text), needs.tokens)
    if not needs.optional:
        raise missing_pipeline(needs, API_HINT)
    return None
