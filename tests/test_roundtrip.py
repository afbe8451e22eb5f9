"""Generated rule models printed as DSL (or YAML) and parsed again give the same model; arbitrary text fed to
the parser either parses or raises RuleError with a position inside the text."""

from hypothesis import given, strategies as st

from ierun.language import nodes as A
from ierun.errors import RuleError
from ierun.language.parser import parse_text
from ierun.language.printer import to_ie, to_yaml
from ierun.language.yaml_front import parse_yaml

KEYWORDS = {"fact", "lexicon", "pattern", "rule", "once", "all", "hidden", "publishes", "from", "case", "match",
            "priority", "scope", "example", "counter", "published", "document", "sentence", "line", "paragraph",
            "first", "true", "false", "null"}
names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
type_names = st.from_regex(r"[A-Z][A-Za-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in A.TOKEN_CLASSES)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
nonblank = text.filter(lambda s: s.strip())
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**9, max_value=10**12)
values = st.one_of(text.map(lambda s: A.Value("str", s)), decimals.map(lambda d: A.Value("num", d)),
                   st.booleans().map(lambda b: A.Value("bool", b)), st.just(A.Value("null", None)))
types = st.builds(A.TypeRef, st.sampled_from(A.SCALAR_TYPES + ("money",)), st.booleans(), st.booleans())

atoms = st.one_of(
    st.builds(A.Lit, nonblank, st.booleans()),
    st.sampled_from(A.TOKEN_CLASSES).map(A.TokenClass),
    st.builds(A.Regex, st.from_regex(r"[a-z0-9\[\]|+*?()\\ .-]{1,8}", fullmatch=True).filter(
        lambda s: not s.endswith("\\")), st.sampled_from(["", "i", "ms", "imsx"]), st.booleans()),
    st.builds(A.LexRef, names), st.builds(A.PatRef, names), st.builds(A.FactRef, type_names))


def _extend(sub):
    return st.one_of(
        st.lists(sub, min_size=2, max_size=3).flatmap(lambda items: st.lists(
            st.booleans(), min_size=len(items) - 1, max_size=len(items) - 1).map(
            lambda g: A.Seq(tuple(items), (False, *g)))),
        st.lists(sub, min_size=2, max_size=3).map(lambda b: A.Alt(tuple(b))),
        st.builds(lambda item, lo, extra: A.Repeat(item, lo, None if extra is None else max(lo, 1) + extra),
                  sub, st.integers(0, 3), st.one_of(st.none(), st.integers(0, 2))),
        st.builds(A.Capture, names, sub),
        st.builds(A.Look, sub, st.booleans(), st.booleans()))


patterns = st.recursive(atoms, _extend, max_leaves=8)

expr_atoms = st.one_of(
    st.one_of(text.map(lambda s: A.Value("str", s)), decimals.filter(lambda d: d >= 0).map(lambda d: A.Value("num", d)),
              st.booleans().map(lambda b: A.Value("bool", b)), st.just(A.Value("null", None))).map(A.ELit),
    st.builds(A.ECapture, names), st.builds(A.EFactField, names, names))
exprs = st.recursive(expr_atoms, lambda sub: st.one_of(
    st.builds(A.EBinary, st.sampled_from(["+", "-", "*", "/", "??"]), sub, sub),
    st.builds(A.ENeg, sub), st.builds(A.ELexicon, names, sub),
    st.builds(A.ECall, names, st.lists(sub, max_size=3).map(tuple))), max_leaves=8)

scopes = st.one_of(st.sampled_from(["document", "sentence", "line", "paragraph"]).map(A.Scope),
                   st.builds(A.Scope, st.sampled_from(["sentence", "line", "paragraph"]), st.integers(0, 5000)),
                   st.integers(0, 5000).map(lambda n: A.Scope("first", n)))


@st.composite
def examples(draw):
    positive = draw(st.booleans())
    fields = tuple(draw(st.dictionaries(names, values, max_size=3)).items()) if positive else ()
    return A.Example(draw(text), positive, fields, draw(st.one_of(st.none(), text)))


facts = st.builds(lambda n, fs, once, all_, hidden, pub: A.FactDecl(
    n, tuple(A.FieldDecl(k, t) for k, t in fs.items()), once, all_, hidden, pub),
    type_names, st.dictionaries(names, types, max_size=4), st.booleans(), st.booleans(), st.booleans(),
    st.one_of(st.none(), names))
entries = st.builds(lambda phrases, v: A.LexEntry(tuple(phrases), v),
                    st.lists(text, min_size=1, max_size=3), st.one_of(st.none(), values))
lexicons = st.one_of(
    st.builds(A.LexiconDecl, names, st.one_of(st.none(), types), st.lists(entries, max_size=4).map(tuple),
              st.none(), st.booleans()),
    st.builds(A.LexiconDecl, names, st.one_of(st.none(), types), st.just(()), text, st.booleans()))
rule_names = st.lists(names, min_size=1, max_size=3).map(".".join)
rules = st.builds(lambda n, f, p, fields, prio, scope, all_, exs: A.RuleDecl(
    n, f, p, tuple(A.FieldAssign(k, e) for k, e in fields.items()), prio, scope, all_, tuple(sorted(exs, key=lambda e: not e.positive))),
    rule_names, type_names, patterns, st.dictionaries(names, exprs, max_size=3), st.integers(-100, 100), scopes,
    st.booleans(), st.lists(examples(), max_size=3))


def _unique(decls):
    seen, out = set(), []
    for d in decls:
        if d.name not in seen:
            seen.add(d.name)
            out.append(d)
    return out


rule_files = st.builds(
    lambda fs, ls, ps, rs: A.RuleFile("<generated>", tuple(_unique(fs) + _unique(ls) + _unique(ps) + _unique(rs))),
    st.lists(facts, max_size=2), st.lists(lexicons, max_size=2),
    st.lists(st.builds(A.PatternDecl, names, patterns), max_size=2), st.lists(rules, max_size=2))


@given(rule_files)
def test_dsl_round_trip(model):
    assert parse_text(to_ie(model)).decls == model.decls


@given(rule_files)
def test_yaml_round_trip(model):
    assert parse_yaml(to_yaml(model)).decls == model.decls


@given(patterns)
def test_pattern_printing_is_stable(p):
    from ierun.language.parser import parse_pattern
    from ierun.language.printer import pattern_ie
    assert parse_pattern(pattern_ie(p)) == p


@given(st.text(max_size=200))
def test_any_text_parses_or_fails_with_a_position_inside(source):
    try:
        parse_text(source)
    except RuleError as err:
        assert err.diagnostics
        lines = source.split("\n")
        for d in err.diagnostics:
            assert d.loc is not None
            assert 1 <= d.loc.line <= max(1, len(lines))
            assert 1 <= d.loc.col <= len(lines[d.loc.line - 1]) + 1
            assert d.code.startswith("E")
            str(err)


grammar_words = st.lists(st.sampled_from(
    ["fact", "rule", "lexicon", "pattern", "Money", "{", "}", "(", ")", "->", "match", "amount", "=", ":",
     "decimal", '"$"', "NUMBER", "~", "?", "*", "|", "@scale", "%num", "<Money>", "example", '"x"', "1", "??",
     "(?!", "r/a/", "/b/i", "scope", "first", "10", ",", "\n", "x:", "=>", "from", "#c\n"]), max_size=30)


@given(grammar_words)
def test_near_grammatical_text_never_crashes(words):
    try:
        parse_text(" ".join(words))
    except RuleError as err:
        assert all(d.loc is not None for d in err.diagnostics)
