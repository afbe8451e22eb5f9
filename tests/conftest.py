import os
import sys
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


@pytest.fixture(autouse=True, scope="session")
def _private_plan_cache(tmp_path_factory):
    """Tests never read or write the user's plan cache."""
    os.environ["IERUN_CACHE_DIR"] = str(tmp_path_factory.mktemp("plan-cache"))
    yield


def pytest_configure(config):
    # the rule-examples plugin, also when ierun is not installed (its entry point registers it otherwise)
    if not config.pluginmanager.has_plugin("ierun"):
        from ierun import pytest_plugin
        config.pluginmanager.register(pytest_plugin, "ierun")
