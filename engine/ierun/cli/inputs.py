"""Reading documents: text files, directories of them, standard input, JSON Lines corpora.

Every problem with one input is reported (file, line or byte offset) and the rest are still read."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

TEXT_SUFFIXES = (".txt", ".text")


@dataclass
class Document:
    id: str
    text: str
    published: dt.date | None = None
    annotations: object = None  # with --nlp record: the record's Annotations (annotations.py)


@dataclass
class InputProblem:
    where: str
    message: str
    doc_id: str | None = field(default=None, compare=False)  # its id when known (a record with bad annotations)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class JsonlFields:
    id: str = "id"
    text: str = "text"
    published: str = "published"


def parse_published(value) -> dt.date | None:
    """A publication date from an ISO date or timestamp, or a Reuters-style '26-FEB-1987 15:01:01.79'."""
    if value is None or value == "":
        return None
    s = str(value).strip()
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        pass
    for fmt in ("%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(s.split(" ")[0] if fmt == "%d-%b-%Y" else s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"cannot read the publication date {value!r} (use YYYY-MM-DD)")


def _decode(raw: bytes, where: str, encoding: str):
    try:
        return raw.decode(encoding), None
    except UnicodeDecodeError as err:
        return None, InputProblem(where, f"byte {err.start}: not valid {encoding} ({raw[err.start:err.start + 1]!r});"
                                         f" choose the encoding with --encoding")
    except LookupError:
        return None, InputProblem(where, f"unknown encoding '{encoding}'")


def read_inputs(specs, jsonl: bool = False, fields: JsonlFields = JsonlFields(), encoding: str = "utf-8",
                published: dt.date | None = None, include=(), exclude=(),
                max_doc_bytes: int | None = None, nlp_field: str | None = None,
                nlp_tokens: bool | None = None) -> Iterator[Document | InputProblem]:
    """Documents in input order, streamed, with an InputProblem in place of each one that cannot be read.
    `nlp_field` (--nlp record): each JSON Lines record's annotations are read from that field; their tokens
    with `nlp_tokens` True (required: the rules test them) or None (if any), not with False (reading them is
    most of the cost, and only rules that test tokens need them)."""
    for item in _read(specs, jsonl, fields, encoding, published, include, exclude):
        if isinstance(item, Document) and item.annotations is not None:  # (record, file:line) from a record
            if nlp_field is None:
                item.annotations = None
            else:
                item = _annotated(item, nlp_field, nlp_tokens)
        elif nlp_field is not None and isinstance(item, Document):
            item = InputProblem(item.id, "not a JSON Lines record: --nlp record has no annotations for it")
        if max_doc_bytes is not None and isinstance(item, Document) and len(item.text) > max_doc_bytes // 4 and \
                len(item.text.encode("utf-8")) > max_doc_bytes:
            yield InputProblem(item.id, f"document of {len(item.text.encode('utf-8')):,} bytes refused: above "
                                        f"--max-doc-bytes {max_doc_bytes:,}")
            continue
        yield item


def _annotated(doc: Document, key: str, tokens: bool | None) -> Document | InputProblem:
    """A document read from a record (its annotations kept raw by the reader) with its Annotations, or the
    problem with them at the record's file:line."""
    from ..annotations import AnnotationError
    from ..nlp import from_record
    rec, where = doc.annotations
    try:
        doc.annotations = from_record(rec, doc.text, key, tokens)
    except AnnotationError as err:
        return InputProblem(where, str(err), doc.id)
    return doc


def _wanted(rel: str, include, exclude) -> bool:
    import fnmatch
    if include and not any(fnmatch.fnmatch(rel, g) for g in include):
        return False
    return not any(fnmatch.fnmatch(rel, g) for g in exclude)


def _read(specs, jsonl, fields, encoding, published, include, exclude):
    for spec in specs:
        if spec == "-":
            if jsonl:
                lines = (line.rstrip(b"\r\n") for line in sys.stdin.buffer)
                yield from _jsonl_lines(lines, "<stdin>", fields, encoding, published)
            else:
                text, problem = _decode(sys.stdin.buffer.read(), "<stdin>", encoding)
                yield problem or Document("-", text, published)
            continue
        path = Path(spec)
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except FileNotFoundError:
            yield InputProblem(spec, "no such file or directory")
            continue
        except (OSError, ValueError) as err:  # a symbolic link loop, a name too long, no permission
            yield InputProblem(spec, f"cannot read: {getattr(err, 'strerror', None) or err}")
            continue
        if is_dir:
            files, problems = _walk(path, include, exclude)
            files = sorted(f for f in files if f.suffix in TEXT_SUFFIXES or (jsonl and _is_jsonl(f)))
            if not files and not problems:
                yield InputProblem(spec, "directory has no text files (*.txt)" + (" or *.jsonl" if jsonl else ""))
            yield from problems
            for f in files:
                yield from _file(f, str(f), jsonl, fields, encoding, published)
        else:
            yield from _file(path, spec, jsonl, fields, encoding, published)


def _walk(top: Path, include, exclude):
    """The files under a folder (symbolic links to files followed, to folders not, as Path.rglob does), and
    an InputProblem for every entry that cannot be read: a folder that cannot be listed, a symbolic link
    that loops or leads nowhere. Nothing is skipped in silence."""
    files, problems = [], []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as err:
            problems.append(InputProblem(str(folder), f"cannot list this folder: {err.strerror or err}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            rel = str(path.relative_to(top))
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                    continue
                if entry.is_symlink():
                    os.stat(path)  # a loop or a dangling link raises here
                if entry.is_file() and _wanted(rel, include, exclude):
                    files.append(path)
            except OSError as err:
                if _wanted(rel, include, exclude):
                    problems.append(InputProblem(str(path), f"cannot read: {err.strerror or err}"))
    return files, sorted(problems, key=lambda p: p.where)


def _is_jsonl(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz"))


def _lines(path: Path):
    """The lines of a (possibly gzip-compressed) file, read as a stream."""
    import gzip
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for line in fh:
            yield line.rstrip(b"\r\n")


def _file(path: Path, name: str, jsonl, fields, encoding, published):
    if jsonl or _is_jsonl(path):
        try:
            yield from _jsonl_lines(_lines(path), name, fields, encoding, published)
        except (OSError, EOFError) as err:
            yield InputProblem(name, f"cannot read: {getattr(err, 'strerror', None) or err}")
        return
    try:
        raw = path.read_bytes()
    except OSError as err:
        yield InputProblem(name, f"cannot read: {err.strerror or err}")
        return
    text, problem = _decode(raw, name, encoding)
    yield problem or Document(name, text, published)


def _surrogate(text: str, doc_id: str) -> str | None:
    for field, value in (("text", text), ("id", doc_id)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            return (f"record {field} holds a lone surrogate (U+{ord(value[err.start]):04X}) at character "
                    f"{err.start}: not valid Unicode")
    return None


def _jsonl_lines(lines, name, fields: JsonlFields, encoding, published):
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{name}:{n}"
        line, problem = _decode(raw, where, encoding)
        if problem:
            yield problem
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            at = "" if err.msg.endswith(" at") else " at"  # ("Unterminated string starting at")
            yield InputProblem(where, f"malformed JSON Lines record: {err.msg}{at} column {err.colno}")
            continue
        except RecursionError:
            yield InputProblem(where, "JSON Lines record nested too deeply to read")
            continue
        if not isinstance(rec, dict):
            yield InputProblem(where, "a JSON Lines record must be an object")
            continue
        text = rec.get(fields.text)
        if not isinstance(text, str):
            yield InputProblem(where, f"record has no string field '{fields.text}'")
            continue
        doc_id = rec.get(fields.id, f"{name}:{n}")
        if "\\u" in line:  # only a \\u escape can make a lone surrogate, which no output can hold
            bad = _surrogate(text, str(doc_id))
            if bad:
                yield InputProblem(where, bad)
                continue
        try:
            pub = parse_published(rec.get(fields.published)) or published
        except ValueError as err:
            yield InputProblem(where, str(err))
            continue
        yield Document(str(doc_id), text, pub, (rec, where))
