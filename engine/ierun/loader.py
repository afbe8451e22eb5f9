"""Loading a rule set: find rule files, parse (DSL or YAML), check, lower, compile; a compiled plan is cached
on disk, keyed by the content of the rule and lexicon files and the versions of ierun and its libraries."""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from .errors import Diagnostic, Loc, RuleError, Source

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
                problems.append(Diagnostic("E121", f"no rule files (*.ie, *.yaml, *.yml) in directory {p}", None))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            problems.append(Diagnostic("E004", f"{p}: no such rule file or directory", None))
    if problems:
        raise RuleError(problems)
    return out


def rules_root(paths) -> Path:
    """The directory lexicon files must stay inside: the common parent of everything named."""
    dirs = [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]
    return Path(os.path.commonpath(dirs)) if dirs else Path.cwd()


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
    """Parse and check all rule files under `paths`; returns the IR RuleSet (raises RuleError)."""
    from .check import check
    from .lower import lower
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
    return lower(prog, fingerprint(paths))


def fingerprint(paths) -> str:
    """A hash of every rule and lexicon file's path and content, and of the versions that shape a plan."""
    import regex
    from . import __version__, gate
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
    for f in sorted(Path(__file__).parent.glob("*.py")) + [grammar_file()]:
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
    from .compile import compile_ruleset
    key = fingerprint(paths) if use_cache else None
    cached = cache_dir() / f"plan-{key}.pickle" if key else None
    if cached is not None and cached.is_file():
        try:
            with open(cached, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a corrupt or stale cache entry is rebuilt, never fatal
            pass
    plan = compile_ruleset(load_ruleset(paths))
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
