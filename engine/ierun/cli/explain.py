"""`ierun explain RULES INPUT [--rule NAME]... [--at OFFSET | --find TEXT] [--type T] [--json]`: what each rule
did with a text, and why (testing/explain.py). Text for people (the failing element's rule line with a caret
under it), or `--json`: one object per line per (rule, document). Exit codes: 0 explained, 1 a rule file, an
input, a rule name or the --find text was wrong, 2 usage."""
from __future__ import annotations

import datetime as dt
import json
import sys

from ..errors import IerunError


def _parser():
    from .commands import _Parser
    p = _Parser(prog="ierun explain", usage="ierun explain RULES... INPUT... [--rule NAME]... [--at OFFSET | --find TEXT] "
                "[--type T] [--json]", description="Explain what each rule did with a text: matched, lost (to "
                "which rule, and why), value_failed, skipped, or failed (down to the element that failed).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="RULES then INPUT (text files, JSON Lines, or -)")
    p.add_argument("--text", help="explain on this text instead of INPUT")
    p.add_argument("--rule", action="append", default=[], metavar="NAME", help="explain this rule (repeatable)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--at", type=int, metavar="OFFSET", help="the character offset a fact was expected at")
    where.add_argument("--find", metavar="TEXT", help="the first occurrence of TEXT is where a fact was expected")
    p.add_argument("--type", metavar="T", help="explain the rules of this fact type only")
    p.add_argument("--json", action="store_true", help="one JSON object per line per (rule, document)")
    p.add_argument("--published", help="publication date (YYYY-MM-DD) of documents that state none")
    p.add_argument("--encoding", default="utf-8", help="encoding of the inputs")
    from .nlp_opts import add_option
    add_option(p)
    return p


def cmd_explain(argv) -> int:
    from .commands import _load, _split_rules_inputs
    p = _parser()
    a = p.parse_intermixed_args(argv)
    rules_paths, inputs = _split_rules_inputs(a.paths)
    if not rules_paths:
        p.error(f"the first argument must be a rule file (.ie, .yaml) or a directory of them: {a.paths[0]}")
    if a.text is not None and inputs:
        p.error("give INPUT or --text, not both")
    if a.text is None and not inputs:
        p.error("no INPUT given (a text file, JSON Lines, - for standard input, or --text \"...\")")
    published = None
    if a.published:
        try:
            published = dt.date.fromisoformat(a.published)
        except ValueError:
            p.error(f"--published {a.published!r} is not a date (YYYY-MM-DD)")
    from . import nlp_opts
    status = nlp_opts.preload(a.nlp, inputs, False, None if a.text is None else "--text")
    if status is not None:
        return status
    rules = _load(rules_paths)
    if rules is None:
        return 1
    ann, status = nlp_opts.annotator(a.nlp, [rules.plan])
    if status is not None:
        return status
    from ..nlp import annotations_for
    from ..testing.explain import ExplainError, explain
    from .inputs import Document, InputProblem, read_inputs
    docs = [Document("<text>", a.text, published)] if a.text is not None else \
        read_inputs(inputs, encoding=a.encoding, published=published, **nlp_opts.record_args(ann))
    if ann is not None and not ann.record:
        rules.nlp = ann.nlp  # the RuleSet runs the pipeline on each text it explains
    status = 0
    out = sys.stdout
    for doc in docs:
        if isinstance(doc, InputProblem):
            sys.stderr.write(f"ierun: error: {doc}\n")
            status = 1
            continue
        try:
            found = explain(rules, doc.text, a.rule or None, at=a.at, find=a.find, fact_type=a.type,
                            published=doc.published, doc_id=doc.id,
                            annotations=annotations_for(rules.plan, rules.nlp, doc.text, doc.annotations))
        except ExplainError as err:
            sys.stderr.write(f"ierun: error: {doc.id}: {err}\n")
            status = 1
            continue
        except IerunError as err:
            sys.stderr.write(str(err) + "\n")
            status = 1
            continue
        for e in found:
            out.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n" if a.json else e.render() + "\n")
    return status
