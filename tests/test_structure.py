"""The house rules of the code's structure, as tests: stages import no private names from each other, and every
walker of a tree handles every kind of node (a made-up kind of pattern element is refused by each walker until
it is handled)."""
import ast
import dataclasses
from pathlib import Path

import pytest

import ierun
from ierun.language import nodes as A
from ierun.language import visit
from ierun.language.visit import PATTERN_NODES, ExprVisitor, PatternVisitor, Unhandled

PKG = Path(ierun.__file__).resolve().parent
STAGES = ("language", "engine", "cli", "testing")


def _stage(module: str) -> str:
    """'ierun.engine.match' -> 'engine'; top-level modules (pipeline, errors, ...) are each their own stage."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else module


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _private_imports():
    """(importing module, imported module, private name) for every import of a _name across stages."""
    found = []
    for path in sorted(PKG.rglob("*.py")):
        me = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {}  # local name -> module it stands for, for `from pkg import module`
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                src = _resolve(me, path.name == "__init__.py", node.level, node.module)
                if not src.startswith("ierun"):
                    continue
                for alias in node.names:
                    sub = f"{src}.{alias.name}"
                    if (PKG.parent / (sub.replace(".", "/") + ".py")).exists() or \
                            (PKG.parent / sub.replace(".", "/")).is_dir():
                        modules[alias.asname or alias.name] = sub
                        continue
                    if alias.name.startswith("_") and not alias.name.startswith("__") and _stage(src) != _stage(me):
                        found.append((me, src, alias.name))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                    and node.attr.startswith("_") and not node.attr.startswith("__"):
                src = modules[node.value.id]
                if _stage(src) != _stage(me):
                    found.append((me, src, node.attr))
    return found


def test_the_package_is_organized_by_stage():
    top = sorted(p.name for p in PKG.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists())
    assert top == ["__init__.py", "__main__.py", "annotations.py", "cli", "engine", "errors.py", "facts.py", "language",
                   "messages.py", "nlp.py", "paths.py", "pipeline.py", "spacy_component.py", "testing"]


def test_no_module_imports_a_private_name_from_another_stage():
    assert _private_imports() == []


def test_the_private_import_check_finds_one(tmp_path, monkeypatch):
    """The check itself can fail: a module of the engine reaching into the language's privates is found."""
    fake = tmp_path / "ierun"
    for stage in ("language", "engine"):
        (fake / stage).mkdir(parents=True)
        (fake / stage / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "language" / "check.py").write_text("def _helper():\n    pass\n")
    (fake / "engine" / "a.py").write_text("from ..language.check import _helper\n")
    (fake / "engine" / "b.py").write_text("from ..language import check\ncheck._helper()\n")
    (fake / "engine" / "c.py").write_text("from .a import _fine  # the same stage\n")
    monkeypatch.setattr(__import__(__name__), "PKG", fake)
    assert sorted(_private_imports()) == [("ierun.engine.a", "ierun.language.check", "_helper"),
                                          ("ierun.engine.b", "ierun.language.check", "_helper")]


def test_the_reference_interpreter_shares_only_the_ir_with_the_compiler():
    source = (PKG / "testing" / "reference.py").read_text(encoding="utf-8")
    imported = {_resolve("ierun.testing.reference", False, n.level, n.module)
                for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)}
    assert not any(m.startswith("ierun.engine") for m in imported), imported
    assert "BOUNDARY" not in {a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)
                              for a in n.names}


# ---- one visitor base per tree ---------------------------------------------------------------------
def _all_walkers():
    # importing the stages defines their walkers
    import ierun.engine.compile  # noqa: F401
    import ierun.engine.expr  # noqa: F401
    import ierun.engine.gate  # noqa: F401
    import ierun.language.check  # noqa: F401
    import ierun.language.lower  # noqa: F401
    import ierun.language.parser  # noqa: F401
    import ierun.language.printer  # noqa: F401
    import ierun.testing.reference  # noqa: F401
    import ierun.testing.strategies  # noqa: F401
    return visit.walkers(PatternVisitor), visit.walkers(ExprVisitor)


def test_every_walker_is_a_visitor():
    patterns, expressions = _all_walkers()
    assert len(patterns) >= 11 and len(expressions) >= 5
    assert {f"{w.__module__}.{w.__qualname__}" for w in patterns} >= {
        "ierun.engine.compile.Emitter", "ierun.engine.superset.Superset", "ierun.language.check._References",
        "ierun.language.lower._Inline", "ierun.language.printer._PatternPrinter", "ierun.language.tree.MinTokens",
        "ierun.testing.reference.Matcher", "ierun.testing.strategies._TextStrategy"}
    assert all(w.missing() == [] for w in patterns + expressions)


@dataclasses.dataclass(frozen=True)
class Near:
    """A made-up kind of pattern element: `a NEAR b`."""

    left: object
    right: object
    loc: object = None


@pytest.fixture
def near_registered():
    PATTERN_NODES.append(Near)
    try:
        yield
    finally:
        PATTERN_NODES.remove(Near)


def test_a_made_up_pattern_node_is_refused_by_every_walker_until_handled(near_registered):
    patterns, _ = _all_walkers()
    # every walker knows it lacks the new kind
    assert [w.__qualname__ for w in patterns if "Near" not in w.missing()] == []
    node = A.Seq((A.Lit("a"), Near(A.Lit("b"), A.Lit("c"))), (False, False))
    # and refuses it when it meets one, naming itself and the kind
    from ierun.language.printer import pattern_ie
    from ierun.language.tree import walk
    from ierun.testing import reference
    with pytest.raises(Unhandled, match=r"_PatternPrinter: a Near node has no method here \(visit_Near\)"):
        pattern_ie(node)
    with pytest.raises(Unhandled, match="_Children: a Near node"):
        list(walk(node))
    with pytest.raises(Unhandled, match="Matcher: a Near node"):
        reference.finditer(node, "a b c")
    rules = ierun.loads("fact F { }\nrule r -> F { match \"a\" }\n")
    from ierun.engine.compile import compile_pattern
    with pytest.raises(Unhandled, match="(Emitter|_Children): a Near node"):  # (it looks for NLP tokens first)
        compile_pattern(rules.ir, node)
    # a new walker that forgets it is refused when defined
    with pytest.raises(TypeError, match="_Forgetful has no method for Near"):
        class _Forgetful(PatternVisitor):
            def visit_Lit(self, node):
                return 1
            visit_TokenClass = visit_Regex = visit_LexRef = visit_PatRef = visit_FactRef = visit_Seq = visit_Alt = \
                visit_Repeat = visit_Capture = visit_Look = visit_TokenConstraint = visit_Lit
    # handled: a walker with the method is accepted, and walks the new kind
    from ierun.language.tree import _Children

    class WithNear(_Children):
        def visit_Near(self, node):
            return (node.left, node.right)
    assert WithNear.missing() == []
    assert WithNear().visit(node.items[1]) == (A.Lit("b"), A.Lit("c"))


def test_a_node_a_tree_never_holds_is_refused():
    from ierun.testing import reference
    with pytest.raises(Unhandled, match=r"Matcher: a PatRef node is not in this tree \(visit_PatRef\)"):
        reference.Matcher("x").match(A.PatRef("x"), 0, True, {})
    with pytest.raises(Unhandled, match=r"_MayStartAtSpace: a PatRef node is not in this tree"):
        reference.finditer(A.PatRef("x"), "x")


# ---- per-document state and trace events -------------------------------------------------------------
def test_the_shared_extractor_keeps_nothing_of_a_document():
    rs = ierun.loads('fact F { t: str }\nrule f.x -> F { match t:"A" NUMBER scope sentence t = t }\n')
    before = dict(vars(rs.extractor))
    assert [f.text for f in rs.extract("A 1. A 2.")] == ["A 1", "A 2"]
    after = vars(rs.extractor)
    assert after.keys() == before.keys() and all(after[k] is before[k] for k in before)


def test_trace_events_are_data_rendered_only_at_the_edge():
    from ierun.engine.trace import Dropped, Kept
    rs = ierun.loads('fact F { t: str }\nrule f.long -> F { match t:("A" NUMBER) t = t }\n'
                     'rule f.short -> F { match t:NUMBER t = t }\n')
    trace = rs.extractor.run("A 5", trace=True).trace
    assert trace == [Dropped("f.short", (2, 3), "5", "f.long", (0, 3)), Kept("f.long", (0, 3), "A 5", {"t": "A 5"})]
    assert [e.render() for e in trace] == ["dropped f.short (2, 3) '5': overlaps f.long (0, 3)",
                                           "kept    f.long (0, 3) 'A 5' {'t': 'A 5'}"]
    # no module reads text back out of a trace
    for path in PKG.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert 'startswith("kept' not in source and 'startswith(f"failed' not in source and \
            '": FAIL " in' not in source and '"no such date" not in' not in source, path


def test_token_classes_are_named_in_one_place():
    """language/nodes.TOKEN_CLASSES is the list; the grammar and every table keyed by class agree with it."""
    import re

    from ierun.engine import boundaries, superset
    from ierun.language import tokens
    from ierun.paths import grammar_file
    from ierun.testing import strategies
    names = set(A.TOKEN_CLASSES)
    grammar = re.search(r"^TOKEN_CLASS\.\d+: (.+)$", grammar_file().read_text(encoding="utf-8"), re.M).group(1)
    assert set(re.findall(r'"([A-Z]+)"', grammar)) == names
    for table in (boundaries.TOKEN_CLASS_RE, tokens._CLASS_TEST, superset.TOKEN_CLASS, strategies._CLASS):
        assert set(table) == names
