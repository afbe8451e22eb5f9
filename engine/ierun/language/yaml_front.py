"""The YAML front-end: `yaml.compose` keeps the line and column of every value; embedded pattern,
expression, type and scope strings are parsed by the same grammar as `.ie` files (`parse_fragment`).

Only plain YAML is read (SafeLoader: no Python objects). The result is the same AST the DSL gives.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import nodes as A
from ..errors import Collector, Loc, RuleError, Source, diagnostic, did_you_mean
from ..messages import Errors
from .parser import parse_fragment
from .limits import MAX_DEPTH, yaml_too_deep

TOP_KEYS = ("facts", "lexicons", "patterns", "rules", "nlp")
NLP_KEYS = ("entities", "tokens", "optional")
FACT_KEYS = ("fields", "once", "all", "hidden", "publishes")
LEXICON_KEYS = ("type", "case", "entries", "file")
RULE_KEYS = ("emits", "match", "priority", "scope", "all", "fields", "examples", "counter")
EXAMPLE_KEYS = ("text", "fields", "published")

_TAG = "tag:yaml.org,2002:"
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")


class NodeReader:
    """Reads composed YAML nodes (which keep their marks) into values, recording problems with positions; the
    rule-file front-end and YAML lexicon files both use it."""

    def __init__(self, source: Source):
        self.source = source
        self.problems = Collector()

    # ---- locations
    def loc(self, node: Node) -> Loc:
        m = node.start_mark
        end = node.end_mark
        end_col = end.column + 1 if end.line == m.line else m.column + 2
        return Loc(self.source, m.line + 1, m.column + 1, end_col)

    def fragment_locator(self, node: ScalarNode):
        """Map (line, col) inside a scalar's value to the file, for flow and block scalars."""
        m = node.start_mark
        style = node.style

        def locate(line, col, end_line, end_col):
            if style in ("|", ">"):
                file_line = m.line + 1 + line
                indent = len(self.source.line(file_line)) - len(self.source.line(file_line).lstrip())
                c = indent + col
                return Loc(self.source, file_line, c, c + (end_col - col if end_line == line else 1))
            shift = 1 if style in ("'", '"') else 0
            if line == 1:
                c = m.column + shift + col
                return Loc(self.source, m.line + 1, c, c + (end_col - col if end_line == line else 1))
            return Loc(self.source, m.line + line, col, col + 1)

        return locate

    # ---- node helpers
    def error(self, node: Node, message, hint: str | None = None, **values):
        self.problems.error(message, self.loc(node), hint, **values)

    def mapping(self, node: Node, what: str, keys=None) -> list[tuple[str, ScalarNode, Node]]:
        if not isinstance(node, MappingNode):
            self.error(node, Errors.YAML_NOT_MAPPING, what=what)
            return []
        out = []
        seen = set()
        for k, v in node.value:
            if not isinstance(k, ScalarNode):
                self.error(k, Errors.YAML_KEY_NOT_STRING, what=what)
                continue
            if keys is not None and k.value not in keys:
                self.error(k, Errors.YAML_UNKNOWN_KEY, did_you_mean(k.value, keys), key=k.value, what=what)
                continue
            if k.value in seen:
                self.error(k, Errors.YAML_DUPLICATE_KEY, key=k.value, what=what)
                continue
            seen.add(k.value)
            out.append((k.value, k, v))
        return out

    def scalar(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.error(node, Errors.YAML_NOT_SCALAR, what=what, found="list" if isinstance(node, SequenceNode) else "mapping")
            return None
        return node.value

    def boolean(self, node: Node, what: str) -> bool:
        if isinstance(node, ScalarNode) and node.tag == _TAG + "bool":
            return node.value.lower() in ("true", "yes", "on")
        self.error(node, Errors.YAML_NOT_BOOL, what=what)
        return False

    def integer(self, node: Node, what: str) -> int:
        if isinstance(node, ScalarNode) and node.tag == _TAG + "int":
            try:
                return int(node.value.replace("_", ""), 0)
            except ValueError:
                pass
        self.error(node, Errors.YAML_NOT_INT, what=what)
        return 0

    def value(self, node: Node) -> A.Value | None:
        if not isinstance(node, ScalarNode):
            self.error(node, Errors.YAML_BAD_VALUE)
            return None
        loc = self.loc(node)
        tag = node.tag[len(_TAG):] if node.tag.startswith(_TAG) else node.tag
        if node.style is None and tag in ("int", "float"):
            try:
                return A.Value("num", Decimal(node.value.replace("_", "")), loc=loc)
            except InvalidOperation:
                self.error(node, Errors.YAML_INEXACT_NUMBER, value=node.value)
                return None
        if node.style is None and tag == "bool":
            return A.Value("bool", node.value.lower() in ("true", "yes", "on"), loc=loc)
        if node.style is None and tag == "null":
            return A.Value("null", None, loc=loc)
        return A.Value("str", node.value, loc=loc)

    def fragment(self, node: Node, start: str, what: str):
        text = self.scalar(node, what)
        if text is None:
            return None
        try:
            return parse_fragment(text, start, self.fragment_locator(node))
        except RuleError as err:
            self.problems.extend(err.diagnostics)
            return None

    # ---- sections
    def facts(self, node: Node):
        for name, knode, body in self.mapping(node, "'facts'"):
            opts = {}
            fields = []
            for key, _, v in self.mapping(body, f"fact type '{name}'", FACT_KEYS):
                if key == "fields":
                    for fname, fk, ftype in self.mapping(v, f"the fields of '{name}'"):
                        t = self.fragment(ftype, "type_ref", "a field type")
                        if t is not None:
                            fields.append(A.FieldDecl(fname, t, loc=self.loc(fk)))
                elif key == "publishes":
                    opts["publishes"] = self.scalar(v, "'publishes'")
                else:
                    opts[{"once": "once", "all": "keep_all", "hidden": "hidden"}[key]] = self.boolean(v, f"'{key}'")
            if not name[:1].isupper():
                self.error(knode, Errors.YAML_FACT_NAME, name=name)
            yield A.FactDecl(name, tuple(fields), loc=self.loc(knode), **opts)

    def nlp(self, node: Node):
        """`nlp: {entities: [PERSON, ORG], tokens: true, optional: true}`: the `.ie` `uses nlp` declaration."""
        labels, locs, opts = [], [], {}
        for key, knode, v in self.mapping(node, "'nlp'", NLP_KEYS):
            if key != "entities":
                opts[key] = self.boolean(v, f"'{key}'")
                continue
            for item in v.value if isinstance(v, SequenceNode) else [v]:
                label = self.scalar(item, "an entity label")
                if label is not None and not _TYPE_NAME.fullmatch(label):
                    self.error(item, Errors.YAML_FACT_NAME, name=label)
                elif label is not None:
                    labels.append(label)
                    locs.append(self.loc(item))
        if isinstance(node, MappingNode):
            yield A.UsesNlp(tuple(labels), loc=self.loc(node), label_locs=tuple(locs), **opts)

    def lex_entries(self, node: Node):
        if isinstance(node, MappingNode):
            for phrase, k, v in self.mapping(node, "lexicon entries"):
                yield A.LexEntry((phrase,), self.value(v), loc=self.loc(k))
            return
        if not isinstance(node, SequenceNode):
            self.error(node, Errors.YAML_ENTRIES)
            return
        for item in node.value:
            if isinstance(item, ScalarNode):
                yield A.LexEntry((item.value,), None, loc=self.loc(item))
            elif isinstance(item, MappingNode) and any(k.value == "phrases" for k, _ in item.value
                                                       if isinstance(k, ScalarNode)):
                phrases, value = [], None
                for key, _, v in self.mapping(item, "a lexicon entry", ("phrases", "value")):
                    if key == "value":
                        value = self.value(v)
                    elif isinstance(v, SequenceNode):
                        phrases = [self.scalar(p, "a phrase") or "" for p in v.value]
                    else:
                        phrases = [self.scalar(v, "a phrase") or ""]
                yield A.LexEntry(tuple(phrases), value, loc=self.loc(item))
            elif isinstance(item, MappingNode) and len(item.value) == 1:
                (k, v), = item.value
                yield A.LexEntry((self.scalar(k, "a phrase") or "",), self.value(v), loc=self.loc(k))
            else:
                self.error(item, Errors.YAML_LEXICON_ENTRY)

    def lexicons(self, node: Node):
        for name, knode, body in self.mapping(node, "'lexicons'"):
            value_type, case, entries, file, file_loc = None, False, (), None, None
            for key, _, v in self.mapping(body, f"lexicon '{name}'", LEXICON_KEYS):
                if key == "type":
                    value_type = self.fragment(v, "type_ref", "a lexicon type")
                elif key == "case":
                    case = self.boolean(v, "'case'")
                elif key == "entries":
                    entries = tuple(self.lex_entries(v))
                else:
                    file, file_loc = self.scalar(v, "'file'"), self.loc(v)
            if file is not None and entries:
                self.error(knode, Errors.YAML_FILE_AND_ENTRIES, name=name)
            yield A.LexiconDecl(name, value_type, entries, file, case, loc=self.loc(knode), file_loc=file_loc)

    def patterns(self, node: Node):
        for name, knode, body in self.mapping(node, "'patterns'"):
            p = self.fragment(body, "pattern", "a pattern")
            if p is not None:
                yield A.PatternDecl(name, p, loc=self.loc(knode))

    def examples(self, node: Node, positive: bool):
        if not isinstance(node, SequenceNode):
            self.error(node, Errors.YAML_EXAMPLES_LIST, key="examples" if positive else "counter")
            return
        for item in node.value:
            if isinstance(item, ScalarNode):
                yield A.Example(item.value, positive, (), None, loc=self.loc(item))
                continue
            text, fields, published, tloc = None, [], None, self.loc(item)
            keys = EXAMPLE_KEYS if positive else ("text", "published")
            for key, _, v in self.mapping(item, "an example", keys):
                if key == "text":
                    text, tloc = self.scalar(v, "'text'"), self.loc(v)
                elif key == "published":
                    published = self.scalar(v, "'published'")
                else:
                    for fname, _, fv in self.mapping(v, "the example's fields"):
                        val = self.value(fv)
                        if val is not None:
                            fields.append((fname, val))
            if text is None:
                self.error(item, Errors.YAML_EXAMPLE_TEXT)
                continue
            yield A.Example(text, positive, tuple(fields), published, loc=tloc)

    def rules(self, node: Node):
        for name, knode, body in self.mapping(node, "'rules'"):
            opts = {"fields": (), "examples": ()}
            fact, fact_loc, pattern = None, None, None
            examples = []
            entries = self.mapping(body, f"rule '{name}'", RULE_KEYS)
            for key, _, v in entries:
                if key == "emits":
                    fact, fact_loc = self.scalar(v, "'emits'"), self.loc(v)
                elif key == "match":
                    pattern = self.fragment(v, "pattern", "a pattern")
                elif key == "priority":
                    opts["priority"] = self.integer(v, "'priority'")
                elif key == "scope":
                    scope = self.fragment(v, "scope", "a scope")
                    if scope is not None:
                        opts["scope"] = scope
                elif key == "all":
                    opts["keep_all"] = self.boolean(v, "'all'")
                elif key == "fields":
                    assigns = []
                    for fname, fk, fv in self.mapping(v, f"the fields of rule '{name}'"):
                        e = self.fragment(fv, "expr", "a field expression")
                        if e is not None:
                            assigns.append(A.FieldAssign(fname, e, loc=self.loc(fk)))
                    opts["fields"] = tuple(assigns)
                else:
                    examples.extend(self.examples(v, key == "examples"))
            if fact is None:
                self.error(knode, Errors.YAML_RULE_EMITS, rule=name)
                fact = "?"
            if not any(k == "match" for k, _, _ in entries):
                self.error(knode, Errors.YAML_RULE_MATCH, rule=name)
            opts["examples"] = tuple(examples)
            yield A.RuleDecl(name, fact, pattern, loc=self.loc(knode), fact_loc=fact_loc, **opts)


def parse_yaml(text: str, path: str = "<string>") -> A.RuleFile:
    source = Source(path, text)
    reader = NodeReader(source)
    deep = yaml_too_deep(text, MAX_DEPTH)
    if deep is not None:
        loc = Loc(source, deep.line + 1, deep.column + 1, deep.column + 2)
        raise RuleError([diagnostic(Errors.YAML_TOO_DEEP, loc, limit=MAX_DEPTH)])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        from .yaml_errors import yaml_syntax_error
        raise RuleError([yaml_syntax_error(err, source)]) from None
    except yaml.YAMLError as err:
        raise RuleError([diagnostic(Errors.YAML_SYNTAX, Loc(source, 1, 1, 2), problem=err)]) from None
    if root is None:
        return A.RuleFile(path, ())
    decls = []
    sections = {"facts": reader.facts, "lexicons": reader.lexicons, "patterns": reader.patterns,
                "rules": reader.rules, "nlp": reader.nlp}
    for key, _, v in reader.mapping(root, "a rule file", TOP_KEYS):
        decls.extend(sections[key](v))
    reader.problems.raise_if_any()
    return A.RuleFile(path, tuple(decls))
