"""Lexicons: loading entries (inline, .txt, .tsv, .yaml files next to the rules) and typing their values."""
from __future__ import annotations

from pathlib import Path

from . import nodes as A
from ..errors import Collector, Loc, Source
from ..messages import Errors
from .tokens import phrase_key
from .values import BadValue, coerce, coerce_scalar

LEXICON_SUFFIXES = (".txt", ".tsv", ".yaml", ".yml")


def _file_entries(path: Path, decl: A.LexiconDecl, problems: Collector) -> list[A.LexEntry]:
    text = path.read_text(encoding="utf-8")
    source = Source(str(path), text)
    if path.suffix in (".yaml", ".yml"):
        from .yaml_front import NodeReader
        import yaml
        reader = NodeReader(source)
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            loc = Loc(source, mark.line + 1, mark.column + 1) if mark else Loc(source, 1, 1)
            problems.error(Errors.YAML_SYNTAX, loc, problem=getattr(err, 'problem', err))
            return []
        entries = list(reader.lex_entries(root)) if root is not None else []
        problems.extend(reader.problems.items)
        return entries
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        if path.suffix == ".tsv":
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 2 or not cols[0].strip():
                problems.error(Errors.TSV_LINE, Loc(source, n, 1, len(line) + 1))
                continue
            phrases = tuple(p.strip() for p in cols[0].split("|") if p.strip())
            entries.append(A.LexEntry(phrases, A.Value("str", cols[1].strip()), loc=Loc(source, n, 1, len(line) + 1)))
        else:
            phrases = tuple(p.strip() for p in body.split("|") if p.strip())
            entries.append(A.LexEntry(phrases, None, loc=Loc(source, n, 1, len(line) + 1)))
    return entries


def entries(decl: A.LexiconDecl, rules_dir: "Path | Roots | None") -> list[A.LexEntry]:
    """The entries of a lexicon that checked clean, each with its position (in the rule file or its own file)."""
    if decl.file is None:
        return list(decl.entries)
    quiet = Collector()
    path = _resolve(decl, rules_dir, quiet)
    try:
        return _file_entries(path, decl, quiet) if path is not None else []
    except (OSError, UnicodeDecodeError):
        return []


def load(decl: A.LexiconDecl, rules_dir: "Path | Roots | None", problems: Collector):
    """(phrases, values) of a lexicon; problems are collected."""
    entries = list(decl.entries)
    if decl.file is not None:
        path = _resolve(decl, rules_dir, problems)
        if path is None:
            return (), {}
        try:
            entries = _file_entries(path, decl, problems)
        except (OSError, UnicodeDecodeError) as err:
            problems.error(Errors.LEXICON_UNREADABLE, decl.file_loc or decl.loc, file=decl.file, reason=err)
            return (), {}
    phrases, values = [], {}
    for entry in entries:
        value = None
        if decl.value_type is not None:
            if entry.value is None:
                problems.error(Errors.LEXICON_NEEDS_VALUE, entry.loc, name=decl.name, type=decl.value_type)
                continue
            try:
                if entry.value.kind == "str" and decl.file is not None and decl.value_type.name != "str":
                    value = _from_text(entry.value.value, decl.value_type.name)
                else:
                    value = coerce(entry.value, decl.value_type)
            except BadValue as err:
                problems.error(Errors.LEXICON_CURRENCY if decl.value_type.name == "currency" else Errors.LEXICON_VALUE,
                               entry.value.loc or entry.loc, name=decl.name, reason=err)
                continue
        elif entry.value is not None:
            problems.error(Errors.LEXICON_UNTYPED_VALUE, entry.value.loc or entry.loc, name=decl.name)
            continue
        for phrase in entry.phrases:
            key = phrase_key(phrase, decl.case_sensitive)
            if not key:
                problems.error(Errors.LEXICON_EMPTY_PHRASE, entry.loc, name=decl.name)
                continue
            phrases.append(phrase)
            values.setdefault(key, value if value is not None else entry.phrases[0])
    return tuple(phrases), values


def _from_text(text: str, type_name: str):
    """A value read from a text file column: numbers and booleans are read as such."""
    if type_name in ("decimal", "int"):
        return coerce_scalar("str", text, type_name)
    if type_name == "bool":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise BadValue(f"'{text}' is not true or false")
    return coerce_scalar("str", text, type_name)


class Roots:
    """Where each rule file may read lexicon files: {rule file (resolved): folder}. A rule file not listed
    keeps to its own folder."""

    def __init__(self, roots: dict[Path, Path]):
        self.roots = {Path(k).resolve(): Path(v).resolve() for k, v in roots.items()}

    def root_for(self, rule_file: Path) -> Path:
        rule_file = rule_file.resolve()
        return self.roots.get(rule_file, rule_file.parent)


def _resolve(decl: A.LexiconDecl, rules_dir: "Path | Roots | None", problems: Collector) -> Path | None:
    loc = decl.file_loc or decl.loc
    named = decl.loc and decl.loc.path and not decl.loc.path.startswith("<")
    here = Path(decl.loc.path).parent if named else Path.cwd()
    path = (here / decl.file).resolve()
    if isinstance(rules_dir, Roots):
        root = rules_dir.root_for(Path(decl.loc.path)) if named else here.resolve()
    else:
        root = (rules_dir or here).resolve()
    if path.suffix not in LEXICON_SUFFIXES:
        problems.error(Errors.LEXICON_SUFFIX, loc, file=decl.file)
        return None
    if not path.is_relative_to(root):
        problems.error(Errors.LEXICON_OUTSIDE, loc, file=decl.file, root=_shown(root))
        return None
    if not path.is_file():
        problems.error(Errors.LEXICON_MISSING, loc, file=decl.file, path=_shown(path))
        return None
    return path


def _shown(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
