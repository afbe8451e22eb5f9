"""Loading a rule set: find rule files, parse (DSL or YAML), check, lower, compile; a compiled plan is cached
on disk, keyed by the content of the rule and lexicon files and the versions of ierun and its libraries."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from .errors import Diagnostic, Loc, RuleError, Source

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
                problems.append(Diagnostic("E121", f"no rule files (*.ie, *.yaml, *.yml) in directory {p}", None))
            root = p.resolve()
            for f in found:
                out.setdefault(f, root)
        elif p.is_file():
            out.setdefault(p, p.resolve().parent)
        else:
            problems.append(Diagnostic("E004", f"{p}: no such rule file or directory", None))
    if problems:
        raise RuleError(problems)
    return out


def parse_file(path: Path):
    from .parser import parse_text
    from .yaml_front import parse_yaml
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")  # a byte-order mark some editors write is not part of the rules
    except OSError as err:
        raise RuleError([Diagnostic("E004", f"{path}: cannot read rule file: {err.strerror or err}", None)]) from None
    except UnicodeDecodeError as err:
        src = Source(str(path), raw.decode("utf-8", "replace"))
        raise RuleError([Diagnostic("E004", f"rule file is not UTF-8 (byte {err.start}: {raw[err.start:err.start+1]!r})",
                                    Loc.at_offset(src, err.start))]) from None
    return parse_yaml(text, str(path)) if path.suffix in (".yaml", ".yml") else parse_text(text, str(path))


def _lexicon_paths(rule_file) -> set[Path]:
    from .ast import LexiconDecl
    here = Path(rule_file.path).parent
    return {(here / d.file).resolve() for d in rule_file.decls if isinstance(d, LexiconDecl) and d.file}


def load_ruleset(paths, rules_dir: Path | None = None):
    """Parse and check all rule files under `paths`; returns the IR RuleSet (raises RuleError). Each rule
    file reads lexicons only inside its own rules root (see `rule_roots`), or inside `rules_dir` if given."""
    return _load(paths, rules_dir)[0]


def _load(paths, rules_dir: Path | None = None):
    """(the IR RuleSet, the lexicon files its rule files name)."""
    from .check import check
    from .lexicon import Roots
    from .lower import lower
    roots = rule_roots(paths)
    parsed, problems = {}, {}
    for f in roots:
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
    confine = rules_dir or Roots({f.resolve(): root for f, root in roots.items()})
    prog = check(rule_files, confine)
    return lower(prog, fingerprint(paths)), lexicon_files


def fingerprint(paths) -> str:
    """A hash of every rule and lexicon file's path and content under `paths`, and of the versions that shape
    a plan. (Lexicon files a rule file names elsewhere are checked by the cache entry itself: `load_plan`.)"""
    import platform

    import regex
    from . import __version__, gate
    h = hashlib.sha256(f"ierun {__version__} cache {CACHE_FORMAT} py {sys.version} {platform.machine()} "
                       f"regex {regex.__version__} hyperscan {gate.version()}".encode())
    h.update(_engine_digest())
    for p in map(Path, paths):
        h.update(b"arg\0" + str(p.resolve()).encode() + b"\0")
        candidates = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in candidates:
            if f.is_file() and f.suffix in RULE_SUFFIXES + LEXICON_SUFFIXES:
                h.update(str(f.resolve()).encode() + b"\0" + _digest(f).encode() + b"\0")
    return h.hexdigest()


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "<unreadable>"


def _engine_digest() -> bytes:
    """The engine's own code and grammar: a changed engine never reads a plan an older one wrote."""
    from .paths import grammar_file
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")) + [grammar_file()]:
        try:
            h.update(f.read_bytes())
        except OSError:
            pass
    return h.digest()


def cache_dir() -> Path:
    from .plancache import cache_dir
    return cache_dir()


def load_plan(paths, use_cache: bool = True):
    """The compiled Plan for the rule files under `paths`, from the cache when the files are unchanged.

    The cache (see plancache.py for what it trusts) keeps, with each plan, the digest of every lexicon file
    its rule files name, so a plan is not used once one of them changed, wherever it lives."""
    from . import plancache
    from .compile import compile_ruleset
    key = fingerprint(paths) if use_cache else None
    if key is not None:
        entry = plancache.read(key)
        if _fresh(entry):
            return entry[1]
    ruleset, lexicon_files = _load(paths)
    deps = {str(f): _digest(f) for f in sorted(lexicon_files)}
    plan = compile_ruleset(ruleset)
    if key is not None:
        plancache.write(key, (deps, plan))
    return plan


def _fresh(entry) -> bool:
    """Is a cache entry a (lexicon digests, Plan) pair whose lexicon files are unchanged and whose compiled
    parts this process can use (Hyperscan databases are deserialized and tried here, not at first scan)?"""
    from .compile import Plan
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
