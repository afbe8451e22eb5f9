"""The pipeline: the one place that wires the stages together. Every entry point (`ierun.load`, `ierun.loads`,
the command line, the pytest plugin) goes through it.

    rule files (.ie, .yaml)   language.parser / language.yaml_front  ->  nodes.RuleFile (the AST, with positions)
    RuleFile list             language.check                        ->  check.Program (names resolved, all checked)
    Program                   language.lower                        ->  ir.RuleModel (the IR: patterns inlined)
    RuleModel                 engine.compile                        ->  compile.Plan (regexes, triggers, gates)
    Plan                      engine.match.Extractor                ->  facts.Fact per document

A compiled plan is cached on disk, keyed by the content of the rule and lexicon files and the versions of ierun
and its libraries."""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from .errors import Loc, RuleError, Source, diagnostic
from .messages import Errors

RULE_SUFFIXES = (".ie", ".yaml", ".yml")
LEXICON_SUFFIXES = (".txt", ".tsv")
CACHE_FORMAT = 1


def is_rule_file(path: Path) -> bool:
    return path.suffix in RULE_SUFFIXES


def find_rule_files(paths) -> list[Path]:
    """Rule files named, or found (recursively, sorted) in the directories named."""
    out = []
    problems = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and is_rule_file(f))
            if not found:
                problems.append(diagnostic(Errors.NO_RULE_FILES, None, path=p))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            problems.append(diagnostic(Errors.NO_SUCH_PATH, None, path=p))
    if problems:
        raise RuleError(problems)
    return out


def rules_root(paths) -> Path:
    """The directory lexicon files must stay inside: the common parent of everything named."""
    dirs = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    return Path(os.path.commonpath(dirs)) if dirs else Path.cwd()


def parse_source(text: str, syntax: str = "ie", path: str = "<string>"):
    """Stage 1: rule text in the DSL (`syntax="ie"`) or YAML -> the AST (a RuleFile)."""
    from .language.parser import parse_text
    from .language.yaml_front import parse_yaml
    return parse_yaml(text, path) if syntax == "yaml" else parse_text(text, path)


def check_and_lower(rule_files, rules_dir: Path | None = None, fingerprint: str = ""):
    """Stages 2 and 3: parsed rule files -> checked -> the IR (a RuleModel); raises RuleError with every
    problem found."""
    from .language.check import check
    from .language.lower import lower
    return lower(check(list(rule_files), rules_dir), fingerprint)


def compile_model(model):
    """Stage 4: the IR -> an executable Plan."""
    from .engine.compile import compile_ruleset
    return compile_ruleset(model)


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
    """Parse and check all rule files under `paths`; returns the IR, a RuleModel (raises RuleError)."""
    return load_checked(paths, rules_dir)[1]


def load_checked(paths, rules_dir: Path | None = None):
    """(the checked Program, the IR) of all rule files under `paths` (raises RuleError): lint reads both."""
    from .language.check import check
    from .language.lower import lower
    files = find_rule_files(paths)
    parsed, problems = {}, {}
    for f in files:
        try:
            parsed[f.resolve()] = parse_file(f)
        except RuleError as err:
            problems[f.resolve()] = list(err.diagnostics)
    lexicon_files = set().union(*(_lexicon_paths(rf) for rf in parsed.values())) if parsed else set()
    # a YAML file that a lexicon declaration names is a lexicon, not a rule file
    diagnostics = [d for path, ds in problems.items() if path not in lexicon_files for d in ds]
    if diagnostics:
        raise RuleError(diagnostics)
    rule_files = [rf for path, rf in parsed.items() if path not in lexicon_files]
    prog = check(rule_files, rules_dir or rules_root(paths))
    return prog, lower(prog, fingerprint(paths))


def fingerprint(paths) -> str:
    """A hash of every rule and lexicon file's path and content, and of the versions that shape a plan."""
    import regex
    from . import __version__
    from .engine import gate
    h = hashlib.sha256(f"ierun {__version__} cache {CACHE_FORMAT} py {sys.version_info[:2]} "
                       f"regex {regex.__version__} hyperscan {gate.version()}".encode())
    h.update(_engine_digest())
    for p in map(Path, paths):
        candidates = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in candidates:
            if f.is_file() and f.suffix in RULE_SUFFIXES + LEXICON_SUFFIXES:
                h.update(str(f.resolve()).encode() + b"\0")
                try:
                    h.update(f.read_bytes())
                except OSError:
                    h.update(b"<unreadable>")
                h.update(b"\0")
    return h.hexdigest()


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
    base = os.environ.get("IERUN_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "ierun"


def load_plan(paths, use_cache: bool = True):
    """The compiled Plan for the rule files under `paths`, from the cache when the files are unchanged."""
    key = fingerprint(paths) if use_cache else None
    cached = cache_dir() / f"plan-{key}.pickle" if key else None
    if cached is not None and cached.is_file():
        try:
            with open(cached, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a corrupt or stale cache entry is rebuilt, never fatal
            pass
    plan = compile_model(load_model(paths))
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(plan, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cached)
        except OSError:
            pass  # an unwritable cache only costs speed
    return plan


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
    """A loaded, compiled rule set: `extract` facts from text."""

    def __init__(self, plan, timeout: float | None = None):
        from .engine.match import DEFAULT_TIMEOUT, Extractor
        self.plan = plan
        self.extractor = Extractor(plan, timeout or DEFAULT_TIMEOUT)

    @property
    def ir(self):
        """The checked rule model (a RuleModel) the plan was compiled from."""
        return self.plan.ruleset

    def extract(self, text: str, published: _dt.date | str | None = None, doc_id: str | None = None) -> list:
        if isinstance(published, str):
            published = _dt.date.fromisoformat(published[:10])
        return self.extractor.extract(text, published, doc_id)

    def extract_dicts(self, text: str, published=None, doc_id=None) -> list[dict]:
        return [f.to_dict() for f in self.extract(text, published, doc_id)]


def load(*paths, use_cache: bool = True, timeout: float | None = None) -> RuleSet:
    """Load rule files and directories (DSL `.ie` or YAML) into a compiled RuleSet; with no path, the default
    rule pack that ships with ierun."""
    from .paths import default_rules_dir
    return RuleSet(load_plan(paths or (default_rules_dir(),), use_cache=use_cache), timeout)


def loads(source: str, syntax: str = "ie", path: str = "<string>", timeout: float | None = None) -> RuleSet:
    """Compile rules given as a string, in the DSL (`syntax="ie"`) or YAML (`syntax="yaml"`)."""
    return RuleSet(compile_model(check_and_lower([parse_source(source, syntax, path)])), timeout)
