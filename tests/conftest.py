"""Shared by every suite: where MNIST lives (also for code that reads MNIST_DIR: settings, ml.data)."""
import os
from pathlib import Path

import numpy as np
import pytest

from ml.data import load_split
from tests.markers import lane_markers

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("MNIST_DIR", str(REPO.parent / "shared" / "data" / "mnist"))
MNIST_DIR = Path(os.environ["MNIST_DIR"])


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not MNIST_DIR.is_dir():
        pytest.fail(f"MNIST not found at {MNIST_DIR}; set MNIST_DIR to the directory of the four IDX files")
    return MNIST_DIR


@pytest.fixture(scope="session")
def mnist_test(mnist_dir) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images (uint8) and labels."""
    return load_split(mnist_dir, "test")


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Users made by tests get MD5-hashed passwords: the production hasher (PBKDF2) is slow by design,
    ~0.5 s a user on CI's machine, and hundreds of tests make staff and users. Only this test process is
    affected; servers a test starts as their own processes keep the default."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client", "django_user_model"}


@pytest.fixture(autouse=True)
def shipped_model(request):
    """A test that uses the database starts as a site after `make run`: the shipped model registered and
    active (`manage.py register_shipped_model`). Mark it `fresh_database` to start with no version at all."""
    uses_database = request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames)
    if not uses_database or request.node.get_closest_marker("fresh_database"):
        return None
    from recognizer.services import model_version_register_shipped

    return model_version_register_shipped()


@pytest.fixture(autouse=True)
def english_after_each_test():
    """Every test starts in the default language: a request's LocaleMiddleware leaves its language active in
    the thread (as Django does between requests), and a German answer would turn the next test's numbers
    into "99,9"."""
    yield
    from django.utils import translation

    translation.deactivate()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks every test with its lanes (tests/markers.py), before `-m` selects from them."""
    for item in items:
        for name in lane_markers(item):
            item.add_marker(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Says why when a selection is empty: pytest then exits 5, which must read as a failure."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        expression = session.config.option.markexpr or "(none)"
        message = f"no test was selected (-m {expression}); a lane that selects nothing is an error"
        if reporter:
            reporter.write_line(message, red=True, bold=True)
