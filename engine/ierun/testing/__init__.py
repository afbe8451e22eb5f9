"""Testing rules like code: running the examples next to the rules (`examples`), Hypothesis strategies drawn
from the rule model (`strategies`), the pytest plugin (`pytest_plugin`), the reference interpreter
(`reference`, an independent oracle for the compiled engine) and scoring against gold files (`evaluate`,
`scoring`).

The strategies are importable from here (`from ierun.testing import texts_matching`); they need Hypothesis
(`pip install 'ierun[test]'`), imported only when one of them is first used. What is specific to one fact type
(how newswire writes money or datelines) lives beside its rules: `rule_helpers("money")` loads
rules/money/render.py."""
from __future__ import annotations

import sys
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

_STRATEGIES = ("texts_matching", "rule_matches", "facts", "amounts")

__all__ = [*_STRATEGIES, "rule_helpers"]

HELPERS_FILE = "render.py"


def rule_helpers(folder: str, rules_dir=None):
    """The helper module beside a fact type's rules, `<rules_dir>/<folder>/render.py` (rules_dir: the bundled
    rule pack by default), loaded once from its file: rule packs are data folders, not Python packages."""
    from ..paths import default_rules_dir
    path = (Path(rules_dir) if rules_dir is not None else default_rules_dir()).resolve() / folder / HELPERS_FILE
    name = f"ierun_rule_helpers.{abs(hash(str(path))):x}.{folder}"
    if name not in sys.modules:
        if not path.is_file():
            raise FileNotFoundError(f"no rule helpers: {path}")
        spec = spec_from_file_location(name, path)
        module = module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


def __getattr__(name):
    if name in _STRATEGIES:
        from . import strategies
        return getattr(strategies, name)
    raise AttributeError(f"module 'ierun.testing' has no attribute {name!r}")
