"""The pipeline: the one place that wires the stages together. Every entry point (`ierun.load`, `ierun.loads`,
the command line, the pytest plugin) goes through it.

    rule files (.ie, .yaml)   language.parser / language.yaml_front  ->  nodes.RuleFile (the AST, with positions)
    RuleFile list             language.check                        ->  check.Program (names resolved, all checked)
    Program                   language.lower                        ->  ir.RuleModel (the IR: patterns inlined)
    RuleModel                 engine.compile                        ->  compile.Plan (regexes, triggers, gates)
    Plan                      engine.match.Extractor                ->  facts.Fact per document

A compiled plan is cached on disk (engine/plancache.py), keyed by the content of the rule and lexicon files
and the versions of ierun and its libraries."""
from __future__ import annotations

import datetime as _dt
import hashlib
import sys
import time
from pathlib import Path

from .errors import Loc, RuleError, Source, diagnostic
from .messages import Errors

RULE_SUFFIXES = (".ie", ".yaml", ".yml")
LEXICON_SUFFIXES = (".txt", ".tsv")
CACHE_FORMAT = 2


def is_rule_file(path: Path) -> bool:
    return path.suffix in RULE_SUFFIXES


def find_rule_files(paths) -> list[Path]:
    """Rule files named, or found (recursively, sorted) in the directories named."""
    return list(rule_roots(paths))


def rule_roots(paths) -> dict[Path, Path]:
    """{rule file: the folder its lexicons must stay inside}, in order: a file found in a directory named
    keeps to that directory; a file named keeps to its own folder. (Two folders named in one run do not
    widen each other's reach to their common parent.)"""
    out: dict[Path, Path] = {}
    problems = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and is_rule_file(f))
            if not found:
                problems.append(diagnostic(Errors.NO_RULE_FILES, None, path=p))
            root = p.resolve()
            for f in found:
                out.setdefault(f, root)
        elif p.is_file():
            out.setdefault(p, p.resolve().parent)
        else:
            problems.append(diagnostic(Errors.NO_SUCH_PATH, None, path=p))
    if problems:
        raise RuleError(problems)
    return out


# ---- the stages, each callable on its own ------------------------------------------------------------
def parse_source(text: str, syntax: str = "ie", path: str = "<string>"):
    """Stage 1: rule text in the DSL (`syntax="ie"`) or YAML -> the AST (a RuleFile)."""
    from .language.parser import parse_text
    from .language.yaml_front import parse_yaml
    return parse_yaml(text, path) if syntax == "yaml" else parse_text(text, path)


def check_and_lower(rule_files, confine=None, fingerprint: str = ""):
    """Stages 2 and 3: parsed rule files -> checked -> the IR (a RuleModel); raises RuleError with every
    problem found. `confine`: where lexicon files may be read (a folder, or language.lexicon.Roots)."""
    from .language.check import check
    from .language.lower import lower
    return lower(check(list(rule_files), confine), fingerprint)


def compile_model(model, pieces=None):
    """Stage 4: the IR -> an executable Plan (`pieces`: compiled pieces to reuse, see engine.compile.Pieces)."""
    from .engine.compile import compile_ruleset
    return compile_ruleset(model, pieces)


def parse_file(path: Path):
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")  # a byte-order mark some editors write is not part of the rules
    except OSError as err:
        raise RuleError([diagnostic(Errors.UNREADABLE, None, path=path, reason=err.strerror or err)]) from None
    except UnicodeDecodeError as err:
        src = Source(str(path), raw.decode("utf-8", "replace"))
        raise RuleError([diagnostic(Errors.NOT_UTF8, Loc.at_offset(src, err.start), offset=err.start,
                                    byte=repr(raw[err.start:err.start + 1]))]) from None
    return parse_source(text, "yaml" if path.suffix in (".yaml", ".yml") else "ie", str(path))


def _lexicon_paths(rule_file) -> set[Path]:
    from .language.nodes import LexiconDecl
    here = Path(rule_file.path).parent
    return {(here / d.file).resolve() for d in rule_file.decls if isinstance(d, LexiconDecl) and d.file}


def load_model(paths, rules_dir: Path | None = None):
    """Parse and check all rule files under `paths`; returns the IR, a RuleModel (raises RuleError). Each rule
    file reads lexicons only inside its own rules root (see `rule_roots`), or inside `rules_dir` if given."""
    return _load(paths, rules_dir)[0]


def load_checked(paths, rules_dir: Path | None = None):
    """(the checked Program, the IR) of all rule files under `paths` (raises RuleError): lint reads both."""
    model, _, prog = _load(paths, rules_dir)
    return prog, model


def _load(paths, rules_dir: Path | None = None, asts: dict | None = None):
    """(the IR RuleModel, the lexicon files its rule files name, the checked Program). `asts`: {resolved rule
    file: (content digest, path as named, RuleFile)} parsed before; a file whose content and name are the same
    is not parsed again, and the files parsed now are added."""
    from .language.check import check
    from .language.lexicon import Roots
    from .language.lower import lower
    roots = rule_roots(paths)
    parsed, problems = {}, {}
    for f in roots:
        try:
            if asts is None:
                parsed[f.resolve()] = parse_file(f)
                continue
            where, digest = str(f.resolve()), _digest(f)
            kept = asts.get(where)
            if kept is None or kept[:2] != (digest, str(f)):
                asts[where] = (digest, str(f), parse_file(f))
            parsed[f.resolve()] = asts[where][2]
        except RuleError as err:
            problems[f.resolve()] = list(err.diagnostics)
    lexicon_files = set().union(*(_lexicon_paths(rf) for rf in parsed.values())) if parsed else set()
    # a YAML file that a lexicon declaration names is a lexicon, not a rule file
    diagnostics = [d for path, ds in problems.items() if path not in lexicon_files for d in ds]
    if diagnostics:
        raise RuleError(diagnostics)
    rule_files = [rf for path, rf in parsed.items() if path not in lexicon_files]
    confine = rules_dir or Roots({f.resolve(): root for f, root in roots.items()})
    prog = check(rule_files, confine)
    return lower(prog, fingerprint(paths)), lexicon_files, prog


def fingerprint(paths) -> str:
    """A hash of every rule and lexicon file's path and content under `paths`, and of the versions that shape
    a plan. (Lexicon files a rule file names elsewhere are checked by the cache entry itself: `load_plan`.)"""
    h = hashlib.sha256(_versions().encode())
    for p in map(Path, paths):
        h.update(b"arg\0" + str(p.resolve()).encode() + b"\0")
        candidates = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in candidates:
            if f.is_file() and f.suffix in RULE_SUFFIXES + LEXICON_SUFFIXES:
                h.update(str(f.resolve()).encode() + b"\0" + _digest(f).encode() + b"\0")
    return h.hexdigest()


def _versions() -> str:
    """ierun's code and the versions of Python, the machine and the libraries that shape a plan."""
    import platform

    import regex
    from . import __version__
    from .engine import gate
    return (f"ierun {__version__} cache {CACHE_FORMAT} py {sys.version} {platform.machine()} "
            f"regex {regex.__version__} hyperscan {gate.version()} engine {_engine_digest().hex()}")


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "<unreadable>"


def _engine_digest() -> bytes:
    """The engine's own code and grammar: a changed engine never reads a plan an older one wrote."""
    from .paths import grammar_file
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.rglob("*.py")) + [grammar_file()]:
        try:
            h.update(f.read_bytes())
        except OSError:
            pass
    return h.digest()


def cache_dir() -> Path:
    from .engine.plancache import cache_dir
    return cache_dir()


def load_plan(paths, use_cache: bool = True):
    """The compiled Plan for the rule files under `paths`, from the cache when the files are unchanged.

    The cache (see plancache.py for what it trusts) keeps, with each plan, the digest of every lexicon file
    its rule files name, so a plan is not used once one of them changed, wherever it lives."""
    from .engine import plancache
    key = fingerprint(paths) if use_cache else None
    if key is not None:
        entry = plancache.read(key)
        if _fresh(entry):
            return entry[1]
    started = time.perf_counter()
    pieces = _read_pieces(find_rule_files(paths)) if key is not None else None
    ruleset, lexicon_files, _ = _load(paths, asts=pieces.asts if pieces is not None else None)
    deps = {str(f): _digest(f) for f in sorted(lexicon_files)}
    made_before = _progress(ruleset, paths, pieces)
    plan = compile_model(ruleset, pieces)
    if pieces is not None and not _loads(plan):  # a kept piece this Hyperscan cannot use: compile it all
        pieces = None
        plan = compile_model(ruleset)
    if key is not None:
        plancache.write(key, (deps, plan))
        if pieces is not None:
            _write_pieces(pieces)
    if made_before:
        sys.stderr.write(f" done ({time.perf_counter() - started:.1f} s)\n")
    return plan


# ---- compiled pieces, kept per rule file -----------------------------------------------------------
# A rule file's compiled pieces (its rules' parsed regexes, its gates' Hyperscan databases; see
# engine.compile.Pieces) are one entry of the plan cache, with the same checks (a private folder, a MAC before
# unpickling). A piece is found by what it is compiled from and the versions of everything that shapes it,
# so a piece is reused exactly when the same compile would make the same thing; editing one file compiles
# that file's pieces only.
def _pieces_key(file) -> str:
    return hashlib.sha256(("pieces\0" + _versions() + "\0" + str(Path(file).resolve())).encode()).hexdigest()


def _read_pieces(files):
    """The kept pieces of the rule files: their parsed trees and compiled pieces (an engine.compile.Pieces
    with `asts` and, per file, what was read: `read`)."""
    from .engine import plancache
    from .engine.compile import Pieces
    from .language.nodes import RuleFile
    known, read, asts = {}, {}, {}
    for f in files:
        where = str(Path(f).resolve())
        entry = plancache.read(_pieces_key(where))
        if not (isinstance(entry, dict) and isinstance(entry.get("pieces"), dict)
                and all(isinstance(k, str) for k in entry["pieces"])):
            continue
        ast = entry.get("ast")
        if isinstance(ast, tuple) and len(ast) == 3 and isinstance(ast[2], RuleFile):
            asts[where] = ast
        known.update(entry["pieces"])
        read[where] = (ast, set(entry["pieces"]))
    pieces = Pieces(known, _versions())
    pieces.read, pieces.asts = read, asts
    return pieces


def _write_pieces(pieces) -> None:
    """Keep each rule file's parsed tree and compiled pieces (only the entries that changed are written)."""
    from .engine import plancache
    by_file: dict[str, dict] = {}
    for k, (file, value) in pieces.used.items():
        if file:
            by_file.setdefault(str(Path(file).resolve()), {})[k] = value
    for where in set(by_file) | set(pieces.asts):
        entry = {"ast": pieces.asts.get(where), "pieces": by_file.get(where, {})}
        before = pieces.read.get(where)
        if before is None or before[0] != entry["ast"] or before[1] != set(entry["pieces"]):
            plancache.write(_pieces_key(where), entry)


def _loads(plan) -> bool:
    try:
        for g in plan.gates:
            g.load()
    except Exception:
        return False
    return True


def _progress(ruleset, paths, pieces) -> bool:
    """On a terminal, a compile says what it does ("compiling 38 rules in 6 files ..."); nothing on a pipe.
    True when it said so (the caller then says when it is done)."""
    try:
        if not sys.stderr.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    n_files = len(find_rule_files(paths))
    n = len(ruleset.rules)
    sys.stderr.write(f"ierun: compiling {n} rule{'s' if n != 1 else ''} in {n_files} file{'s' if n_files != 1 else ''} ...")
    sys.stderr.flush()
    return True


def _fresh(entry) -> bool:
    """Is a cache entry a (lexicon digests, Plan) pair whose lexicon files are unchanged and whose compiled
    parts this process can use (Hyperscan databases are deserialized and tried here, not at first scan)?"""
    from .engine.compile import Plan
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], dict)
            and isinstance(entry[1], Plan)):
        return False
    deps, plan = entry
    if any(_digest(Path(f)) != digest for f, digest in deps.items()):
        return False
    try:
        for g in plan.gates:
            g.load()
    except Exception:
        return False
    return True


def rule_sets(paths) -> list[list[Path]]:
    """For `ierun check`: each argument is a rule set, except a directory with no rule files of its own
    (like examples/), which is a folder of rule sets: each of its subdirectories is judged the same way."""
    sets = []
    for p in map(Path, paths):
        if p.is_dir() and not any(f.is_file() and is_rule_file(f) for f in p.iterdir()):
            subdirs = sorted(d for d in p.iterdir() if d.is_dir() and any(d.rglob("*.ie")) or
                             d.is_dir() and any(d.rglob("*.y*ml")))
            if subdirs:
                sets.extend(rule_sets(subdirs))
                continue
        sets.append([p])
    return sets


# ---- the public API: a compiled rule set ---------------------------------------------------------
class RuleSet:
    """A loaded, compiled rule set: `extract` facts from text.

    One RuleSet may be shared between threads: `extract` keeps a document's state in the call, each thread
    scans with Hyperscan scratch space of its own, and compiled patterns are read-only.

    Rules that use NLP annotations get them from `annotations=` (an annotations.Annotations, or a spaCy Doc of
    the text), else from the RuleSet's pipeline `nlp` (a spaCy Language) run on the text (nlp.py)."""

    def __init__(self, plan, timeout: float | None = None, nlp=None):
        from .engine.match import DEFAULT_TIMEOUT, Extractor
        self.plan, self.nlp = plan, nlp
        self.extractor = Extractor(plan, timeout or DEFAULT_TIMEOUT)

    @property
    def ir(self):
        """The checked rule model (a RuleModel) the plan was compiled from."""
        return self.plan.ruleset

    def extract(self, text: str, published: _dt.date | str | None = None, doc_id: str | None = None,
                annotations=None) -> list:
        """The facts of `text` (raises MatchError when a rule failed on it: see `run` for facts and problems)."""
        from .engine.match import MatchError
        result = self.run(text, published, doc_id, annotations=annotations)
        if result.problems:
            raise MatchError(result.problems)
        return result.facts

    def extract_dicts(self, text: str, published=None, doc_id=None, annotations=None) -> list[dict]:
        return [f.to_dict() for f in self.extract(text, published, doc_id, annotations)]

    def run(self, text: str, published: _dt.date | str | None = None, doc_id: str | None = None,
            trace: bool = False, annotations=None, include_hidden: bool = False):
        """An engine.match.Extraction: the facts, the problems (a rule out of time) and, with `trace`, events."""
        from .nlp import annotations_for
        if isinstance(published, str):
            published = _dt.date.fromisoformat(published[:10])
        ann = annotations_for(self.plan, self.nlp, text, annotations)
        if ann is None:
            return self.extractor.run(text, published, doc_id, trace=trace, include_hidden=include_hidden)
        return self.extractor.run(text, published, doc_id, trace=trace, include_hidden=include_hidden,
                                  annotations=ann)

    def explain(self, text: str, rule=None, at=None, find: str | None = None, fact_type: str | None = None,
                published: _dt.date | str | None = None, doc_id: str | None = None, annotations=None) -> list:
        """Why and why not: an Explanation (testing/explain.py) per rule (`rule`: a name or names; default all,
        or those of `fact_type`) at the point of interest (`at`: an offset or a (start, end) span; `find`: a
        text's first occurrence; neither: the whole text), as `ierun explain` shows them."""
        from .nlp import annotations_for
        from .testing.explain import explain
        if isinstance(published, str):
            published = _dt.date.fromisoformat(published[:10])
        return explain(self, text, rule, at=at, find=find, fact_type=fact_type, published=published, doc_id=doc_id,
                       annotations=annotations_for(self.plan, self.nlp, text, annotations))


def load(*paths, use_cache: bool = True, timeout: float | None = None, nlp=None) -> RuleSet:
    """Load rule files and directories (DSL `.ie` or YAML) into a compiled RuleSet; with no path, the default
    rule pack that ships with ierun. `nlp`: the pipeline rules that use NLP annotations read, a spaCy Language
    or an installed pipeline's name or folder (spacy.load; raises nlp.NlpError when it cannot be loaded)."""
    from .nlp import load_pipeline
    from .paths import default_rules_dir
    pipeline = load_pipeline(nlp) if nlp is not None else None
    return RuleSet(load_plan(paths or (default_rules_dir(),), use_cache=use_cache), timeout, pipeline)


def loads(source: str, syntax: str = "ie", path: str = "<string>", timeout: float | None = None,
          nlp=None) -> RuleSet:
    """Compile rules given as a string, in the DSL (`syntax="ie"`) or YAML (`syntax="yaml"`); `nlp` as `load`."""
    from .nlp import load_pipeline
    pipeline = load_pipeline(nlp) if nlp is not None else None
    return RuleSet(compile_model(check_and_lower([parse_source(source, syntax, path)])), timeout, pipeline)
