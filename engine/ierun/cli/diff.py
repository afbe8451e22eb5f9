"""`ierun diff OLD NEW INPUT...`: run two versions of the rules over the same documents and report every
fact that was added, removed or changed, with its context; with `--gold`, a verdict on each change and the
figures of `ierun eval` before and after. OLD or NEW may be `git:REV`: the other side's paths at a git
revision. The comparison itself is testing/diff.py; this module reads the arguments, runs, and writes."""
from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
from collections import defaultdict

from ..errors import IerunError
from ..testing.diff import ADDED, CHANGED, FIX, NEUTRAL, REGRESSION, REMOVED, Summary, compare, figures_table, \
    judge, summary_table
from .gitrev import GitProblem, Revision, is_rev
from .inputs import InputProblem, JsonlFields, read_inputs

DESCRIPTION = ("Run two versions of the rules over the same documents and show every fact added, removed or "
               "changed (same type and span, other fields or rule), with a summary per rule and per fact type. "
               "OLD and NEW are rule files or directories; either may be git:REV, the other side's paths as "
               "they were at that git revision (e.g. ierun diff git:HEAD rules/ corpus.jsonl). With --gold, "
               "each change is a fix, a regression or neutral, and each measure's precision, recall and F1 "
               "(as ierun eval computes them) are shown before and after.")


def parser():
    from .commands import _Parser, help_formatter
    p = _Parser(prog="ierun diff", description=DESCRIPTION, formatter_class=help_formatter)
    p.add_argument("old", metavar="OLD", help="the rules before: a rule file or directory, or git:REV")
    p.add_argument("new", metavar="NEW", help="the rules after: a rule file or directory, or git:REV")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="text files, directories of them, JSON Lines corpora (*.jsonl) or - for standard input")
    p.add_argument("--gold", metavar="GOLD.jsonl", help="a gold file (the format of ierun eval): judge each change")
    p.add_argument("--json", action="store_true", help="one JSON object a line per change, no summary")
    p.add_argument("--context", type=int, default=40, metavar="N", help="characters of text shown either side")
    p.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 when any change is a regression (needs --gold)")
    p.add_argument("--jsonl", action="store_true", help="inputs are JSON Lines (one document a line)")
    p.add_argument("--id-field", default="id", help="JSON Lines: the field holding the document id")
    p.add_argument("--text-field", default="text", help="JSON Lines: the field holding the text")
    p.add_argument("--encoding", default="utf-8", help="encoding of the inputs")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes, shared by the two runs (1: both in this process)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    from .nlp_opts import add_option
    add_option(p)
    return p


def cmd_diff(argv) -> int:
    p = parser()
    a = p.parse_intermixed_args(argv)
    if is_rev(a.old) and is_rev(a.new):
        p.error("one of OLD and NEW must be rule paths: git:REV means those paths at a revision")
    if a.fail_on_regression and not a.gold:
        p.error("--fail-on-regression needs --gold GOLD.jsonl")
    if a.context < 0:
        p.error(f"--context must be 0 or more, not {a.context}")
    from . import nlp_opts
    status = nlp_opts.preload(a.nlp, a.inputs, a.jsonl)
    if status is not None:
        return status
    try:
        with contextlib.ExitStack() as stack:
            sides = []
            for arg, other in ((a.old, a.new), (a.new, a.old)):
                sides.append(stack.enter_context(Revision(arg, [other])) if is_rev(arg) else None)
            loaded = [_load_side(arg, rev) for arg, rev in ((a.old, sides[0]), (a.new, sides[1]))]
            if any(x is None for x in loaded):
                return 1
            ann, status = nlp_opts.annotator(a.nlp, [rules.plan for rules, _ in loaded], a.quiet)
            if status is not None:
                return status
            return _diff(a, *loaded, ann=ann)
    except GitProblem as err:
        sys.stderr.write(f"ierun: error: {err}\n")
        return 1


def _load_side(arg, rev):
    """(rule set, scoring schemes) of one side, or None after reporting why not."""
    from ..pipeline import RuleSet, load_plan
    from ..testing.scoring import load_schemes
    paths = rev.paths if rev is not None else [arg]
    try:
        rules = RuleSet(load_plan(paths, use_cache=rev is None))  # a temporary copy is not worth a cache entry
        return rules, load_schemes(paths, rules.ir.facts)
    except IerunError as err:
        sys.stderr.write((rev.display(str(err)) if rev is not None else str(err)) + "\n")
        return None


def _annotated_once(docs, ann):
    """Annotate each document once for both sides: returns the documents, each with its annotations put on it
    (the texts go through the pipeline in batches), and an Annotator that reads them from there, as
    `--nlp record` does."""
    from ..nlp import RECORD, Annotator, annotated
    return annotated(docs, ann), Annotator(RECORD, tokens=ann.tokens)


def _diff(a, old_side, new_side, ann=None) -> int:
    from ..testing.evaluate import read_gold, score, unscorable
    from .parallel import extract_all
    (old_rules, old_schemes), (new_rules, new_schemes) = old_side, new_side
    gold, problems = ({}, [])
    if a.gold:
        try:
            gold, problems = read_gold(a.gold)
        except OSError as err:
            sys.stderr.write(f"ierun: error: {a.gold}: {err.strerror or err}\n")
            return 1
    for problem in problems:
        sys.stderr.write(f"ierun: error: {problem}\n")
    for warning in unscorable(new_rules.ir.facts, new_schemes, gold, a.gold) if a.gold else ():
        sys.stderr.write(f"ierun: warning: {warning}\n")
    schemes = {**old_schemes, **new_schemes}  # verdicts: the new scheme of a type, else the old one
    from .nlp_opts import extractor_for, record_args
    docs = read_inputs(a.inputs, a.jsonl, JsonlFields(a.id_field, a.text_field), a.encoding,
                       **record_args(ann))
    jobs = max(1, a.jobs // 2)
    if ann is not None and not ann.record and jobs == 1 and old_rules.plan.nlp_needs and new_rules.plan.nlp_needs:
        docs, ann = _annotated_once(docs, ann)  # both sides in this process: one pipeline run for the two
    left, right = itertools.tee(docs)
    # each side runs the NLP pipeline only if its rules use annotations (in its workers with --jobs 4 or more)
    old_x, new_x = (extractor_for(r.extractor, ann if r.plan.nlp_needs else None)
                    for r in (old_rules, new_rules))
    runs = (extract_all(old_x, left, jobs), extract_all(new_x, right, jobs))
    results = zip(*runs)
    systems = (defaultdict(lambda: defaultdict(list)), defaultdict(lambda: defaultdict(list)))
    all_changes, failed, seen, ndocs = [], 0, set(), 0
    progress = _progress(a)
    try:
        for old_r, new_r in results:
            ndocs += 1
            if progress is not None:
                progress.update(1)
            doc = old_r.doc
            if isinstance(doc, InputProblem):
                failed += 1
                sys.stderr.write(f"ierun: error: {doc}\n")
                continue
            lost = [f"{side} rules: {r.lost}" for side, r in (("old", old_r), ("new", new_r)) if r.lost]
            for problem in lost + [f"old rules: {x}" for x in old_r.problems] + [f"new rules: {x}" for x in new_r.problems]:
                sys.stderr.write(f"ierun: error: {doc.id}: {problem}\n")
            if lost:
                failed += 1
                continue
            old = [json.loads(line) for line in old_r.lines]
            new = [json.loads(line) for line in new_r.lines]
            changes = compare(doc.id, old, new)
            if a.gold:
                judge(changes, old, schemes, gold)
                if doc.id in gold:
                    seen.add(doc.id)
                    for system, facts in zip(systems, (old, new)):
                        for f in facts:
                            system[doc.id][f["type"]].append((f["fields"], f["text"]))
            for ch in changes:
                sys.stdout.write(json.dumps(ch.as_dict(), ensure_ascii=False) + "\n" if a.json else
                                 render(ch, doc.text, a.context))
            all_changes += changes
    finally:
        if progress is not None:
            progress.close()
        for run in runs:
            run.close()  # workers stopped, also after an error or Ctrl-C
    if not a.json:
        sys.stdout.write(_summary(all_changes, ndocs, bool(a.gold)))
        if a.gold:
            gold_seen = {k: v for k, v in gold.items() if k in seen}
            # a fact type OLD has but declares no scheme for (an older revision) is scored with NEW's scheme
            borrowed = [k for k in new_schemes if k not in old_schemes and k in old_rules.ir.facts]
            old_schemes = {k: old_schemes.get(k) or new_schemes[k] for k in list(new_schemes) + list(old_schemes)
                           if k in old_schemes or k in borrowed}
            before, after = score(old_schemes, gold_seen, systems[0]), score(new_schemes, gold_seen, systems[1])
            sys.stdout.write(f"\n--- figures against {a.gold} ({len(gold_seen)} of its {len(gold)} articles "
                             f"in the inputs)\n" + figures_table(before, after))
            if borrowed:
                sys.stdout.write(f"(before: the old rules declare no scoring scheme for {', '.join(borrowed)}: "
                                 f"scored with the new rules' scheme)\n")
    if failed:
        sys.stderr.write(f"ierun: {failed} input{'s' if failed != 1 else ''} failed; the others were compared\n")
    regressions = sum(1 for ch in all_changes if ch.verdict == REGRESSION)
    if a.fail_on_regression and regressions:
        sys.stderr.write(f"ierun: {regressions} regression{'s' if regressions != 1 else ''} (--fail-on-regression)\n")
        return 1
    return 1 if failed or problems else 0


def _progress(a):
    if a.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(file=sys.stderr, unit=" docs", dynamic_ncols=True, mininterval=0.5)


def _fields(f: dict) -> str:
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in f["fields"].items() if v is not None) \
        or "(no fields)"


def render(ch, text: str, context: int) -> str:
    """One change for a person: where, which rules, the text in context, the fields before and after."""
    f = ch.fact
    start, end = f["start"], f["end"]
    lo, hi = max(0, start - context), min(len(text), end + context)
    shown = " ".join((text[lo:start] + "«" + text[start:end] + "»" + text[end:hi]).split())
    shown = ("… " if lo > 0 else "") + shown + (" …" if hi < len(text) else "")
    rules = " -> ".join(ch.rules)
    verdict = f"  [{ch.verdict}]" if ch.verdict else ""
    lines = [f"{ch.doc}:{start}-{end}: {ch.change} {ch.type} ({rules}){verdict}", f"    {shown}"]
    if ch.old is not None:
        lines.append(f"  - {_fields(ch.old)}")
    if ch.new is not None:
        lines.append(f"  + {_fields(ch.new)}")
    return "\n".join(lines) + "\n\n"


def _summary(changes, ndocs: int, with_gold: bool) -> str:
    counts = {k: sum(1 for ch in changes if ch.change == k) for k in (ADDED, REMOVED, CHANGED)}
    docs = len({ch.doc for ch in changes})
    head = (f"--- {len(changes)} change{'s' if len(changes) != 1 else ''} in {docs} of {ndocs} documents: "
            f"{counts[ADDED]} added, {counts[REMOVED]} removed, {counts[CHANGED]} changed")
    if with_gold:
        v = {k: sum(1 for ch in changes if ch.verdict == k) for k in (FIX, REGRESSION, NEUTRAL)}
        head += f"; {v[FIX]} fix{'es' if v[FIX] != 1 else ''}, {v[REGRESSION]} regression" \
                f"{'s' if v[REGRESSION] != 1 else ''}, {v[NEUTRAL]} neutral"
    out = [head + "\n"]
    if changes:
        s = Summary.of(changes)
        out += ["\n", summary_table("fact type", s.by_type, with_gold), "\n", summary_table("rule", s.by_rule, with_gold)]
    return "".join(out)
