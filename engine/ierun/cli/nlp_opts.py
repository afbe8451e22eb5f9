"""`--nlp NAME|PATH|record` on the commands that run rules over documents (run, eval, test, explain, diff):
the option, the start-up checks (a pipeline that cannot be loaded, a rule set that needs one and has none,
`--nlp record` on inputs that are not JSON Lines: one clear line, exit 2, before any work) and what a run is
given (an nlp.Annotator, or None)."""
from __future__ import annotations

import sys

HELP = ("annotations for rules that use NLP: an installed spaCy pipeline's name (en_core_web_sm), a "
        "pipeline folder (nlp.to_disk), or record: each JSON Lines record's \"nlp\" field (Doc.to_json())")


def add_option(p, record: bool = True) -> None:
    p.add_argument("--nlp", metavar="NAME|PATH|record" if record else "NAME|PATH",
                   help=HELP if record else HELP.split(", or record")[0])


def preload(spec, inputs=None, jsonl: bool = False, no_records: str | None = None, stderr=None) -> int | None:
    """Before any work: the pipeline loaded (or the inputs checked for --nlp record; `no_records`: what has no
    records to read them from, e.g. "ierun test"). None, or the exit status after one clear line on standard
    error."""
    from ..nlp import RECORD, NlpError, load_pipeline, record_inputs_problem
    stderr = stderr or sys.stderr
    if spec is None:
        return None
    if spec == RECORD:
        problem = record_inputs_problem(inputs or [], jsonl) if no_records is None else \
            f"--nlp record reads the annotations of JSON Lines records, and {no_records} has none: give --nlp NAME|PATH"
        if problem:
            stderr.write(f"ierun: error: {problem}\n")
            return 2
        return None
    try:
        load_pipeline(spec)
    except NlpError as err:
        stderr.write(f"ierun: {err.line()}\n")
        return 2
    return None


def annotator(spec, plans, quiet: bool = False, stderr=None):
    """(the run's nlp.Annotator or None, None) or (None, the exit status after the error): the rules' needs
    (plan.nlp_needs) against what was given. Optional needs without a pipeline: one note (none with -q)."""
    from ..nlp import Annotator, missing_pipeline, needs_of, optional_note
    stderr = stderr or sys.stderr
    needs, required = needs_of(*plans)
    if spec is None:
        if required:
            stderr.write(f"{missing_pipeline(next(n for n in needs if not n.optional))}\n")
            return None, 2
        if needs and not quiet:
            stderr.write(optional_note(needs[0]) + "\n")
        return None, None
    if not needs:
        if not quiet:
            stderr.write(f"ierun: note: the rules use no NLP annotations: --nlp {spec} is not used\n")
        return None, None
    ann = Annotator(spec, tokens=any(n.tokens for n in needs))
    if not ann.record and not quiet:
        from ..nlp import pipeline_notes
        for note in pipeline_notes(ann.nlp, needs, plans):
            stderr.write(f"ierun: note: --nlp {spec}: {note}\n")
    return ann, None


def extractor_for(extractor, ann):
    """What the corpus runners are given: the Extractor, with the Annotator when there is one."""
    if ann is None:
        return extractor
    from ..nlp import AnnotatingExtractor
    return AnnotatingExtractor(extractor, ann)


def record_args(ann) -> dict:
    """The reader's arguments for the run's annotations: with --nlp record, the records' field it takes them
    from, and whether it reads their tokens (only when a rule tests tokens)."""
    from ..nlp import RECORD_FIELD
    if ann is None or not ann.record:
        return {"nlp_field": None}
    return {"nlp_field": RECORD_FIELD, "nlp_tokens": ann.tokens}
