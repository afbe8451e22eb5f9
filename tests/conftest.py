import os
import shutil
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "engine"))
sys.path.insert(0, str(ROOT / "tests"))

# CI: a fixed, sufficient number of examples, derandomized so a run is reproducible; dev: quicker.
settings.register_profile("ci", max_examples=500, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

import pytest


_CACHE_DIR = None


def pytest_configure(config):
    # tests never read or write the user's plan cache: the run has its own, from collection on (the
    # rule-examples plugin compiles the pack while collecting; later loads of the same rules read its plan)
    global _CACHE_DIR
    _CACHE_DIR = tempfile.mkdtemp(prefix="ierun-test-cache-")
    os.environ["IERUN_CACHE_DIR"] = _CACHE_DIR
    # the rule-examples plugin, also when ierun is not installed (its entry point registers it otherwise)
    if not config.pluginmanager.has_plugin("ierun"):
        from ierun.testing import pytest_plugin
        config.pluginmanager.register(pytest_plugin, "ierun")


def pytest_unconfigure(config):
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def pack():
    """The default rule pack, compiled once per test run."""
    from packs import pack as shared
    return shared()
