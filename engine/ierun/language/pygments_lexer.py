"""A Pygments lexer for ierun rule files (`.ie`), registered as `ierun` through the `pygments.lexers` entry
point, so that Sphinx, MkDocs, `pygmentize` and other tools highlight rules:

    pygmentize -l ierun rules/money/money.ie

The language has three sub-languages, as grammar/ierun.lark: declarations, patterns (after `match` and
`pattern NAME =`: literals, token regexes `/.../`, raw regexes `r/.../`, `@lexicon`, `%pattern`, `<Fact>`,
captures `name:`, lookarounds, quantifiers) and field expressions (after `field =`: `/` divides there). A
pattern runs until the next statement of its rule (or the next declaration), an expression until the end of
its line (or of its parentheses), as in the grammar's files.
"""
from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

__all__ = ["IerunLexer"]

TOKEN_CLASSES = ("NUMBER", "WORD", "CAPWORD", "ALLCAPS", "LOWER", "PUNCT", "TOKEN")
SCOPES = ("document", "sentence", "line", "paragraph", "first")
RULE_STATEMENTS = ("priority", "scope", "all", "example", "counter")
DECLARATIONS = ("fact", "lexicon", "pattern", "rule", "uses")
NLP_NEEDS = ("entities", "tokens", "optional")
FACT_OPTIONS = ("once", "all", "hidden", "publishes")

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STRING = r'"(?:[^"\\\n]|\\.)*"'
# where a rule's pattern ends: the next statement of the rule, a field assignment, or the rule's brace
_RULE_PATTERN_END = (r"(?=^[ \t]*(?:" + "|".join(RULE_STATEMENTS) + r")\b|^[ \t]*" + _NAME
                     + r"[ \t]*=(?![=>])|\})")
# where a top-level pattern declaration ends: the next declaration
_DECL_PATTERN_END = r"(?=^[ \t]*(?:" + "|".join(DECLARATIONS) + r")\b)"


class IerunLexer(RegexLexer):
    """Rule files of ierun, the rule language for extracting facts from news."""

    name = "ierun"
    aliases = ["ierun", "ie"]
    filenames = ["*.ie"]
    mimetypes = ["text/x-ierun"]

    tokens = {
        "space": [
            (r"[ \t]+", Whitespace),
            (r"\n", Whitespace),
            (r"#[^\n]*", Comment.Single),
        ],
        "string": [
            (_STRING + "i?", String.Double),
        ],
        "root": [
            include("space"),
            (r"(pattern)([ \t]+)(" + _NAME + r")([ \t]*)(=)",
             bygroups(Keyword.Declaration, Whitespace, Name.Function, Whitespace, Operator), "pattern"),
            (r"(rule)([ \t]+)(" + _NAME + r"(?:\." + _NAME + r")*)([ \t]*)(->)([ \t]*)([A-Z][A-Za-z0-9_]*)",
             bygroups(Keyword.Declaration, Whitespace, Name.Label, Whitespace, Operator, Whitespace, Name.Class),
             "rule_head"),
            (r"(fact)([ \t]+)([A-Z][A-Za-z0-9_]*)", bygroups(Keyword.Declaration, Whitespace, Name.Class),
             "fact_head"),
            (r"(lexicon)([ \t]+)(" + _NAME + ")", bygroups(Keyword.Declaration, Whitespace, Name.Constant),
             "lexicon_head"),
            (r"(uses)([ \t]+)(nlp)\b", bygroups(Keyword.Declaration, Whitespace, Keyword.Namespace), "uses_decl"),
        ],
        # uses nlp entities PERSON, ORG tokens optional  (one line)
        "uses_decl": [
            (r"[ \t]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r"\n", Whitespace, "#pop"),
            (words(NLP_NEEDS, suffix=r"\b"), Keyword),
            (r"[A-Z][A-Za-z0-9_]*", Name.Class),
            (r",", Punctuation),
        ],
        # fact NAME options { field: type ... }
        "fact_head": [
            include("space"),
            (words(FACT_OPTIONS, suffix=r"\b"), Keyword),
            (r"\{", Punctuation, ("#pop", "fact_body")),
            (_NAME, Name.Attribute),  # the field that `publishes` names
        ],
        "fact_body": [
            include("space"),
            (r"\}", Punctuation, "#pop"),
            (r"(" + _NAME + r")([ \t]*)(:)", bygroups(Name.Attribute, Whitespace, Punctuation)),
            (r"[\[\]]", Punctuation),
            (r"\?", Operator),
            (r",", Punctuation),
            (_NAME, Keyword.Type),
        ],
        # lexicon NAME (: type)? case? (from "file" | { entries })
        "lexicon_head": [
            include("space"),
            (r"(:)([ \t]*)(\[?)(" + _NAME + r")(\]?)(\??)",
             bygroups(Punctuation, Whitespace, Punctuation, Keyword.Type, Punctuation, Operator)),
            (r"(case)\b", Keyword),
            (r"(from)([ \t]+)(" + _STRING + ")", bygroups(Keyword, Whitespace, String.Double), "#pop"),
            (r"\{", Punctuation, ("#pop", "lexicon_body")),
        ],
        "lexicon_body": [
            include("space"),
            (r"\}", Punctuation, "#pop"),
            include("string"),
            (r"=>", Operator),
            (r"\|", Operator),
            (r",", Punctuation),
            include("value"),
        ],
        "value": [
            (r"-?\d+(?:\.\d+)?", Number),
            (words(("true", "false", "null"), suffix=r"\b"), Keyword.Constant),
            include("string"),
        ],
        "rule_head": [
            include("space"),
            (r"\{", Punctuation, ("#pop", "rule_body")),
        ],
        "rule_body": [
            include("space"),
            (r"\}", Punctuation, "#pop"),
            (r"(match)\b", Keyword, "rule_pattern"),
            (r"(priority)([ \t]+)([+-]?\d+)", bygroups(Keyword, Whitespace, Number.Integer)),
            (r"(scope)\b", Keyword, "scope"),
            (r"(all)\b", Keyword),
            (r"(example|counter)\b", Keyword, "example"),
            (r"(" + _NAME + r")([ \t]*)(=)(?![=>])", bygroups(Name.Variable, Whitespace, Operator), "expr"),
        ],
        "scope": [
            (r"[ \t]+", Whitespace),
            (words(SCOPES, suffix=r"\b"), Keyword),
            (r"\d+", Number.Integer),
            (r"(?=\S)|\n", Whitespace, "#pop"),  # `scope` takes one line
        ],
        # example "text" (published "date")? ({ field: value, ... })?, the braces possibly on the next line
        "example": [
            include("space"),
            include("string"),
            (r"(published)\b", Keyword),
            (r"\{", Punctuation, ("#pop", "example_fields")),
            (r"(?=\S)", Text, "#pop"),
        ],
        "example_fields": [
            include("space"),
            (r"\}", Punctuation, "#pop"),
            (r"(" + _NAME + r")([ \t]*)(:)", bygroups(Name.Attribute, Whitespace, Punctuation)),
            (r",", Punctuation),
            include("value"),
        ],
        # a pattern: after `match` it ends at the next statement of the rule; after `pattern NAME =` at the
        # next declaration
        "rule_pattern": [
            (_RULE_PATTERN_END, Text, "#pop"),
            include("pattern_items"),
        ],
        "pattern": [
            (_DECL_PATTERN_END, Text, "#pop"),
            include("pattern_items"),
        ],
        "pattern_items": [
            include("space"),
            (r"r/(?:[^/\\\n]|\\.)+/[imsx]*", String.Regex),
            (r"/(?:[^/\\\n]|\\.)+/[imsx]*", String.Regex),
            (r'("(?:[^"\\\n]|\\.)*")(i?)', bygroups(String.Double, String.Affix)),
            (r"\(\?<?[=!]", Operator.Word),
            (words(TOKEN_CLASSES, suffix=r"\b"), Name.Builtin),
            (r"(" + _NAME + r")(:)", bygroups(Name.Variable, Punctuation)),
            (r"@" + _NAME, Name.Constant),
            (r"%" + _NAME, Name.Function),
            (r"(<)([A-Z][A-Za-z0-9_]*)(>)", bygroups(Punctuation, Name.Class, Punctuation)),
            (r"\{[ \t]*\d+[ \t]*(?:,[ \t]*\d*[ \t]*)?\}", Operator),
            (r"[?*+~|]", Operator),
            (r"[()]", Punctuation),
        ],
        # a field expression: ends at the end of its line, unless inside parentheses
        "expr": [
            (r"[ \t]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r"\n", Whitespace, "#pop"),
            (r"(?=\})", Text, "#pop"),
            (r"\(", Punctuation, "expr_parens"),
            include("expr_items"),
        ],
        "expr_parens": [
            include("space"),
            (r"\(", Punctuation, "#push"),
            (r"\)", Punctuation, "#pop"),
            include("expr_items"),
        ],
        "expr_items": [
            (r"\?\?", Operator),
            (r"[-+*/]", Operator),
            (r",", Punctuation),
            (r"\d+(?:\.\d+)?", Number),
            (words(("true", "false", "null"), suffix=r"\b"), Keyword.Constant),
            include("string"),
            (r"@" + _NAME, Name.Constant),
            (r"(" + _NAME + r")(\.)(" + _NAME + ")", bygroups(Name.Variable, Punctuation, Name.Attribute)),
            (r"(" + _NAME + r")(?=[ \t]*\()", Name.Builtin),
            (_NAME, Name.Variable),
        ],
    }
