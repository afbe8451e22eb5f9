"""The command line: `ierun RULES... INPUT...` extracts facts; `ierun check RULES...` compiles and reports;
`ierun print RULES --syntax ie|yaml` prints the rule model back. Exit codes: 0 fine, 1 a rule file or an
input was wrong (the rest was still processed), 2 usage."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import IerunError

# every command, with the line `ierun --help` shows for it (the dispatcher is `main`, at the end)
COMMANDS = {
    "run": "ierun [run] RULES... INPUT...      extract facts (the default command)",
    "check": "ierun check RULES...               compile the rules and report every problem",
    "test": "ierun test RULES...                run the examples and counter-examples beside the rules",
    "eval": "ierun eval RULES... GOLD.jsonl     score the rules against a gold file (P, R, F1)",
    "diff": "ierun diff OLD NEW INPUT...        what an edit of the rules changes, fact by fact",
    "explain": "ierun explain RULES INPUT          why each rule matched, lost, failed or was skipped there",
    "print": "ierun print RULES --syntax ie|yaml print the rules back in either syntax",
}
SUBCOMMANDS = tuple(COMMANDS)


class help_formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option that takes a value shows its default; paragraphs of descriptions are wrapped, and a
    paragraph indented by two spaces (a list) is kept as written."""

    def _fill_text(self, text, width, indent):
        return "\n\n".join("\n".join(indent + line for line in para.splitlines()) if para.startswith("  ")
                            else super(help_formatter, self)._fill_text(para, width, indent)
                            for para in text.split("\n\n"))

    def _get_help_string(self, action):
        if action.nargs == 0 or action.default is argparse.SUPPRESS or not action.option_strings:
            return action.help  # flags (off unless given) and positionals have no default to show
        default = "none" if action.default is None else action.default
        if isinstance(default, list):
            default = "none" if not default else ", ".join(map(str, default))
        return f"{action.help} (default: {str(default).replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", help_formatter)
        super().__init__(*args, **kw)

    def error(self, message):  # usage errors: exit 2 with one clear line
        self.print_usage(sys.stderr)
        sys.stderr.write(f"ierun: error: {message}\n")
        raise SystemExit(2)


def _run_parser():
    p = _Parser(prog="ierun", usage="ierun [options] RULES... INPUT...", description="Extract facts from articles with ierun rules. "
                "RULES are rule files (.ie, .yaml) or directories of them; INPUT are text files, "
                "directories of them, JSON Lines corpora or - for standard input.",
                epilog="Commands (ierun COMMAND --help for each):\n\n" + "\n".join(f"  {line}" for line in COMMANDS.values()))
    p.add_argument("paths", nargs="+", metavar="PATH", help="RULES then INPUT")
    p.add_argument("--jsonl", action="store_true", help="inputs are JSON Lines (one document a line)")
    p.add_argument("--id-field", default="id", help="JSON Lines: the field holding the document id")
    p.add_argument("--text-field", default="text", help="JSON Lines: the field holding the text")
    p.add_argument("--published-field", default="published", help="JSON Lines: the field holding the publication date")
    p.add_argument("--published", help="publication date (YYYY-MM-DD) of documents that state none")
    p.add_argument("--encoding", default="utf-8", help="encoding of the inputs")
    p.add_argument("--format", choices=("jsonl", "table", "html"), default="jsonl",
                   help="jsonl: the JSON Lines contract; table: columns aligned across documents, written at the "
                        "end; html: the facts on the documents' text, one page per 100 documents")
    p.add_argument("-o", "--output", help="write facts to this file instead of standard output")
    p.add_argument("--no-cache", action="store_true", help="compile the rules, ignoring the plan cache")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds a rule may spend on a document, plus as many per 1,000 characters (none: 2)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes (all cores of this machine; 1: in this process); output keeps the input order")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="dask: run on a Dask cluster (pip install 'ierun[dask]')")
    p.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler; none: a local cluster of --jobs workers")
    p.add_argument("--errors", metavar="FILE", help="record failed documents as JSON Lines {doc, stage, message}")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run of the same job (-o needed)")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first failed document")
    p.add_argument("--checkpoint-seconds", type=float, default=2.0, help="how often --resume's checkpoint is saved")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary on standard error")
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="in directories: only these files")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="in directories: not these files")
    p.add_argument("--max-doc-bytes", type=int, default=32 * 1024 * 1024,
                   help="refuse documents larger than this many bytes (32 MiB)")
    p.add_argument("--explain", choices=("ast", "ir", "plan", "matches"), help="print a stage to standard error")
    from .nlp_opts import add_option
    add_option(p)
    return p


def _split_rules_inputs(paths):
    from ..pipeline import is_rule_file
    rules, i = [], 0
    for i, p in enumerate(paths):
        path = Path(p)
        if p != "-" and (path.is_file() and is_rule_file(path) or path.is_dir() and
                         any(is_rule_file(f) for f in path.rglob("*") if f.is_file())):
            rules.append(p)
        else:
            return rules, paths[i:]
    return rules, []


def _report(err: IerunError) -> None:
    sys.stderr.write(str(err) + "\n")


def cmd_print(argv) -> int:
    p = _Parser(prog="ierun print", description="Print rule files back in either syntax.")
    p.add_argument("rules", nargs="+", metavar="RULES", help="rule files (.ie, .yaml) or directories of them")
    p.add_argument("--syntax", choices=("ie", "yaml"), default="ie", help="the syntax to print")
    a = p.parse_args(argv)
    from ..pipeline import find_rule_files, parse_file
    from ..language.printer import to_ie, to_yaml
    try:
        for f in find_rule_files(a.rules):
            rf = parse_file(f)
            sys.stdout.write(to_ie(rf) if a.syntax == "ie" else to_yaml(rf))
    except IerunError as err:
        _report(err)
        return 1
    return 0


def _cache_note() -> None:
    """One line when the plan cache is refused: each run then compiles the rules (seconds), for a reason the
    user can fix."""
    from ..engine import plancache
    why = plancache.refusal(plancache.cache_dir())
    if why is not None:
        sys.stderr.write(f"ierun: note: the plan cache is not used: {why}; every run compiles the rules "
                         f"(IERUN_CACHE_DIR can name another folder)\n")


def _load(paths, **kw):
    """The compiled rule set, or None after reporting why not."""
    from ..pipeline import RuleSet
    from ..pipeline import load_plan
    try:
        return RuleSet(load_plan(paths), **kw)
    except IerunError as err:
        _report(err)
        return None


def _load_nlp(paths, spec, quiet: bool = False, no_records: str | None = None, inputs=None, jsonl=True,
              require: bool = True):
    """(the compiled rule set with its NLP pipeline (--nlp), the run's nlp.Annotator or None), or the exit
    status after reporting why not: 1 for a rule file, 2 for a pipeline that cannot be loaded or (`require`)
    that the rules need and do not have."""
    from . import nlp_opts
    status = nlp_opts.preload(spec, inputs, jsonl, no_records)
    if status is not None:
        return status
    rules = _load(paths)
    if rules is None:
        return 1
    if spec is None and not require:
        return rules, None
    ann, status = nlp_opts.annotator(spec, [rules.plan], quiet)
    if status is not None:
        return status
    if ann is not None and not ann.record:
        rules.nlp = ann.nlp  # the RuleSet runs the pipeline on each text
    return rules, ann


def cmd_test(argv) -> int:
    p = _Parser(prog="ierun test", description="Run every example and counter-example next to the rules.")
    p.add_argument("rules", nargs="+", metavar="RULES", help="rule files (.ie, .yaml) or directories of them")
    p.add_argument("-q", "--quiet", action="store_true", help="print failures and the summary only")
    p.add_argument("--hypothesis", action="store_true",
                   help="also draw texts from each rule's structure and check them (needs ierun[test])")
    p.add_argument("--examples", type=int, default=30, help="texts drawn per rule with --hypothesis")
    from .nlp_opts import add_option
    add_option(p, record=False)
    a = p.parse_args(argv)
    from ..testing.examples import run_examples, summary
    # without --nlp, the examples of rules that need a pipeline are skipped (with the reason), not an error
    loaded = _load_nlp(a.rules, a.nlp, a.quiet, no_records="ierun test (examples are texts)", require=False)
    if isinstance(loaded, int):
        return loaded
    rules, _ = loaded
    from ..nlp import text_annotator
    annotate = text_annotator(rules)  # each example's text through the pipeline, or None
    outcomes = run_examples(rules, annotate=annotate)
    for o in outcomes:
        if not o.ok:
            sys.stdout.write(o.report() + "\n")
        elif o.skipped and not a.quiet:
            sys.stdout.write(f"skip {o.title}: {o.skipped}\n")
        elif not a.quiet:
            sys.stdout.write(f"ok   {o.title}\n")
    sys.stdout.write(summary(outcomes) + "\n")
    ok = all(o.ok for o in outcomes)
    if a.hypothesis:
        try:
            from ..testing.examples import hypothesis_check
        except ImportError:
            sys.stderr.write("ierun: error: --hypothesis needs hypothesis: pip install 'ierun[test]'\n")
            return 2
        reports = hypothesis_check(rules, a.examples, annotate=annotate)
        for r in reports:
            sys.stdout.write(r.render())
        failed = sum(1 for r in reports if r.failed)
        skipped = len(reports) - failed
        sys.stdout.write(f"hypothesis: {len(rules.ir.rules) - failed - skipped} passed, {failed} failed"
                         + (f", {skipped} skipped" if skipped else "") + "\n")
        ok = ok and not failed
    return 0 if ok else 1


def cmd_eval(argv) -> int:
    p = _Parser(prog="ierun eval", description="Score rules against a gold file (precision, recall, F1).")
    p.add_argument("rules", nargs="+", metavar="RULES", help="rule files (.ie, .yaml) or directories of them")
    p.add_argument("gold", metavar="GOLD.jsonl", help="the gold file: one article a line (see README, ierun eval)")
    p.add_argument("--errors", type=int, default=0, metavar="N", help="list N misses and false alarms per type")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--facts", metavar="FILE", help="also write the system's facts (JSON Lines) to FILE")
    from .nlp_opts import add_option
    add_option(p)
    a = p.parse_intermixed_args(argv)
    import json

    from ..testing.evaluate import errors, run_gold, score, table, unscorable
    from ..testing.scoring import load_schemes
    from .nlp_opts import record_args
    loaded = _load_nlp(a.rules, a.nlp, inputs=[a.gold], jsonl=True)
    if isinstance(loaded, int):
        return loaded
    rules, ann = loaded
    try:
        schemes = load_schemes(a.rules, rules.ir.facts)
    except IerunError as err:
        _report(err)
        return 1
    try:
        gold, system, problems, failed = run_gold(rules, a.gold, a.facts, **record_args(ann))
    except OSError as err:
        sys.stderr.write(f"ierun: error: {a.gold}: {err.strerror or err}\n")
        return 1
    for problem in problems:
        sys.stderr.write(f"ierun: error: {problem}\n")
    if failed:
        n = len(failed)
        sys.stderr.write(f"ierun: note: {n} gold article{'s' if n != 1 else ''} failed and {'are' if n != 1 else 'is'} "
                         f"left out of the figures (they cover the other {len(gold)})\n")
    for warning in unscorable(rules.ir.facts, schemes, gold, a.gold):
        sys.stderr.write(f"ierun: warning: {warning}\n")
    scores = score(schemes, gold, system)
    if a.json:
        sys.stdout.write(json.dumps({k: v.as_dict() for k, v in scores.items()}, indent=1) + "\n")
    else:
        sys.stdout.write(table(scores))
    if a.errors:
        sys.stdout.write(errors(scores, a.errors))
    return 1 if problems else 0


def cmd_run(argv) -> int:
    import datetime as dt

    a = _run_parser().parse_intermixed_args(argv)
    rules, inputs = _split_rules_inputs(a.paths)
    if not rules:
        _run_parser().error(f"the first argument must be a rule file (.ie, .yaml) or a directory of them: {a.paths[0]}")
    if not inputs:
        _run_parser().error("no INPUT given (text files, directories, JSON Lines, or - for standard input)")
    published = None
    if a.published:
        try:
            published = dt.date.fromisoformat(a.published)
        except ValueError:
            _run_parser().error(f"--published {a.published!r} is not a date (YYYY-MM-DD)")
    if a.resume and a.format == "table":
        _run_parser().error("--resume needs --format jsonl (a table is written whole at the end)")
    if a.resume and not a.output:
        _run_parser().error("--resume needs -o OUT (the output file the checkpoint belongs to)")
    from .sink import OutputRefused, check_outputs
    try:  # before any work: an output that cannot be written is known now, not after the run
        check_outputs(a.output, a.errors)
    except OutputRefused as err:
        sys.stderr.write(f"ierun: error: {err}\n")
        return 2
    from . import nlp_opts
    status = nlp_opts.preload(a.nlp, inputs, a.jsonl)
    if status is not None:
        return status
    from ..pipeline import RuleSet, load_plan
    try:
        if a.explain in ("ast", "ir"):
            _explain_model(rules, a.explain)
        plan = load_plan(rules, use_cache=not a.no_cache)
    except IerunError as err:
        _report(err)
        return 1
    if a.explain == "plan":
        _explain_plan(plan)
    if not a.no_cache and not a.quiet:
        _cache_note()
    ann, status = nlp_opts.annotator(a.nlp, [plan], a.quiet)
    if status is not None:
        return status
    from .inputs import JsonlFields, read_inputs
    from .runner import RunOptions, run
    rs = RuleSet(plan, a.timeout)
    docs = read_inputs(inputs, a.jsonl, JsonlFields(a.id_field, a.text_field, a.published_field), a.encoding,
                       published, a.include, a.exclude, a.max_doc_bytes, **nlp_opts.record_args(ann))
    job = repr((plan.ruleset.fingerprint, [os.path.realpath(i) if i != "-" else i for i in inputs], a.format,
                a.jsonl, a.id_field, a.text_field, a.published_field, a.published, a.encoding, a.nlp))
    if a.executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            sys.stderr.write("ierun: error: --executor dask needs Dask: pip install 'ierun[dask]'\n")
            return 2
    opts = RunOptions(a.output, a.format, a.errors, a.resume, a.fail_fast, a.quiet, a.jobs,
                      a.explain == "matches", a.checkpoint_seconds, a.executor, a.scheduler, job)
    extractor = nlp_opts.extractor_for(rs.extractor, ann)
    if a.format == "html":
        from .html_view import run_html
        return run_html(extractor, docs, opts, plan)
    return run(extractor, docs, opts)


def _explain_model(rules, stage):
    from ..pipeline import find_rule_files, load_model, parse_file
    from ..language.printer import dump
    if stage == "ast":
        for f in find_rule_files(rules):
            sys.stderr.write(f"--- ast of {f}\n{dump(parse_file(f))}\n")
    else:
        rs = load_model(rules)
        sys.stderr.write(f"--- ir: phases {[list(p) for p in rs.phases]}, publication {rs.publication}\n")
        for r in rs.rules:
            sys.stderr.write(f"{dump(r)}\n")


def _explain_plan(plan):
    from ..engine.superset import superset_pattern
    for i, phase in enumerate(plan.phases):
        for cr in phase:
            trig = "always" if cr.trigger is None else ", ".join(sorted(k.replace("\x00", "") for k in cr.trigger)[:12])
            gate = "none" if cr.gate is None else plan.gates[cr.gate].modes[plan.rules.index(cr)]
            sys.stderr.write(f"--- phase {i} rule {cr.name} ({cr.rule.loc}) trigger: {trig} gate: {gate}\n{cr.source}\n")
            if cr.gate is not None:
                sys.stderr.write(f"gate pattern (reversed): {superset_pattern(plan.ruleset, cr.rule.pattern)}\n")


def cmd_diff(argv) -> int:
    from .diff import cmd_diff as diff
    return diff(argv)


def _mistyped(arg: str) -> str | None:
    """The command a first argument that names no file was probably meant to be."""
    import difflib
    if arg.startswith("-") or arg == "-" or os.path.exists(arg):
        return None
    close = difflib.get_close_matches(arg.lower(), SUBCOMMANDS, n=1, cutoff=0.6)
    return close[0] if close else None


def main(argv=None) -> int:
    from ..engine.nlp import NlpMissing
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            from .check import cmd_check
            from .explain import cmd_explain
            cmd = {"check": cmd_check, "print": cmd_print, "run": cmd_run, "test": cmd_test,
                   "eval": cmd_eval, "diff": cmd_diff, "explain": cmd_explain}[argv[0]]
            return cmd(argv[1:])
        guess = _mistyped(argv[0]) if argv else None
        if guess is not None:
            _run_parser().print_usage(sys.stderr)
            sys.stderr.write(f"ierun: error: unknown command '{argv[0]}': did you mean '{guess}'? "
                             f"(commands: {', '.join(SUBCOMMANDS)})\n")
            return 2
        return cmd_run(argv)
    except NlpMissing as err:  # rules that need an NLP pipeline, run without one (E202): as at start-up
        _report(err)
        return 2
    except KeyboardInterrupt:  # a run stopped while extracting says more (runner.run): here, nothing was written
        sys.stderr.write("ierun: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
