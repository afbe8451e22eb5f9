"""Highlighting `.ie` rule files: the Pygments lexer (registered as `ierun`) and the TextMate grammar in
editors/."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pygments = pytest.importorskip("pygments", reason="pygments is in the test extra: pip install -e '.[test]'")
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, Punctuation, String  # noqa: E402

from ierun.language.pygments_lexer import IerunLexer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted(p for d in ("rules", "examples") for p in (ROOT / d).rglob("*.ie"))


def test_the_pack_has_rule_files():
    assert len(RULE_FILES) >= 6


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_file_lexes_without_an_error_token(path):
    text = path.read_text(encoding="utf-8")
    tokens = list(IerunLexer().get_tokens(text))
    errors = [(i, v) for i, (t, v) in enumerate(tokens) if t in Error]
    assert errors == []
    assert "".join(v for _, v in tokens) == (text if text.endswith("\n") else text + "\n")


def test_the_lexer_is_registered_through_the_entry_point():
    assert type(get_lexer_by_name("ierun")).__name__ == "IerunLexer"
    assert type(get_lexer_for_filename("money.ie")).__name__ == "IerunLexer"


SMALL = '''# money
lexicon sym: currency case from "symbols.tsv"
fact Money { amount: decimal  currency: currency? }
pattern number = NUMBER | "a"i
rule money.symbol -> Money {
    match cur:@sym n:%number (?! "percent"i) r/\\d+/ /[0-9]+/ <Money>{1,2}
    priority 2
    scope sentence
    amount = number(n) / 100 ?? 1
    currency = @sym(cur)
    example "for $5" { amount: 5, currency: "USD" }
    counter "5 percent"
}
'''


def _tokens(text):
    return [(t, v) for t, v in IerunLexer().get_tokens(text) if v.strip()]


def test_token_types_on_a_small_rule():
    toks = _tokens(SMALL)
    assert not [v for t, v in toks if t in Error]
    kinds = dict((v, t) for t, v in reversed(toks))  # the first occurrence of each value
    assert kinds["# money"] is Comment.Single
    for kw in ("lexicon", "fact", "pattern", "rule"):
        assert kinds[kw] is Keyword.Declaration
    for kw in ("match", "priority", "scope", "sentence", "example", "counter", "case", "from"):
        assert kinds[kw] is Keyword, kw
    assert kinds['"symbols.tsv"'] is String.Double
    assert kinds['"percent"'] is String.Double and kinds["i"] is String.Affix
    assert kinds[r"r/\d+/"] is String.Regex and kinds["/[0-9]+/"] is String.Regex
    assert kinds["@sym"] is Name.Constant and kinds["%number"] is Name.Function
    assert kinds["Money"] is Name.Class and kinds["money.symbol"] is Name.Label
    assert kinds["NUMBER"] is Name.Builtin
    assert kinds["(?!"] is Operator.Word and kinds["{1,2}"] is Operator
    assert kinds["cur"] is Name.Variable
    assert kinds["decimal"] is Keyword.Type


def test_a_slash_in_an_expression_divides_and_in_a_pattern_starts_a_regex():
    toks = _tokens(SMALL)
    i = toks.index((Name.Variable, "amount"))  # the field assignment (in the fact declaration: an attribute)
    assert (Name.Attribute, "amount") in toks[:i]
    assert toks[i:i + 10] == [(Name.Variable, "amount"), (Operator, "="), (Name.Builtin, "number"),
                              (Punctuation, "("), (Name.Variable, "n"), (Punctuation, ")"), (Operator, "/"),
                              (Number, "100"), (Operator, "??"), (Number, "1")]


def test_a_multi_line_pattern_stays_a_pattern_until_the_next_statement():
    text = 'rule a.b -> T {\n    match "x"\n        /y+/\n    t = "z" / 2\n}\n'
    toks = _tokens(text)
    assert (String.Regex, "/y+/") in toks
    assert (Operator, "/") in toks and (Number, "2") in toks
    assert not [v for t, v in toks if t in Error]


def test_a_uses_nlp_declaration_and_a_pattern_after_it():
    text = 'pattern p = "x"\nuses nlp entities PERSON, ORG tokens optional   # why\nfact T { t: str }\n'
    toks = _tokens(text)
    assert toks[4:] == [(Keyword.Declaration, "uses"), (Keyword.Namespace, "nlp"), (Keyword, "entities"),
                        (Name.Class, "PERSON"), (Punctuation, ","), (Name.Class, "ORG"), (Keyword, "tokens"),
                        (Keyword, "optional"), (Comment.Single, "# why"), (Keyword.Declaration, "fact"),
                        (Name.Class, "T"), (Punctuation, "{"), (Name.Attribute, "t"), (Punctuation, ":"),
                        (Keyword.Type, "str"), (Punctuation, "}")]


EDITORS = ROOT / "editors"


def _grammar():
    return json.loads((EDITORS / "ierun.tmLanguage.json").read_text(encoding="utf-8"))


def _regexes(node, where="$"):
    """Every regex of a TextMate grammar with its JSON path."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("match", "begin", "end", "while") and isinstance(v, str):
                yield f"{where}.{k}", v
            else:
                yield from _regexes(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _regexes(v, f"{where}[{i}]")


def test_the_textmate_grammar_is_valid_json_with_compiling_regexes():
    import re
    g = _grammar()
    assert g["scopeName"] == "source.ierun" and "ie" in g["fileTypes"]
    found = list(_regexes(g))
    assert len(found) > 20
    for where, rx in found:
        re.compile(rx, re.MULTILINE)  # Oniguruma syntax used here is the part Python's re shares


def test_the_textmate_grammar_includes_only_repository_entries_it_defines():
    g = _grammar()
    names = set(g["repository"])
    text = json.dumps(g)
    import re
    refs = set(re.findall(r'"include": "#([\w-]+)"', text))
    assert refs <= names and refs


def test_the_vscode_package_points_at_the_grammar():
    pkg = json.loads((EDITORS / "vscode" / "package.json").read_text(encoding="utf-8"))
    (grammar,) = pkg["contributes"]["grammars"]
    assert grammar["scopeName"] == "source.ierun" and grammar["language"] == "ierun"
    assert (EDITORS / "vscode" / grammar["path"]).resolve() == (EDITORS / "ierun.tmLanguage.json").resolve()
    (lang,) = pkg["contributes"]["languages"]
    assert lang["extensions"] == [".ie"]
