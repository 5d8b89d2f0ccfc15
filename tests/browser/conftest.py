"""Real-browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Nothing is downloaded: Playwright launches /usr/bin/chromium (`apt-get install chromium`, or
`make browser`). Without it the browser tests skip on a developer's machine and fail under CI.
"""
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# (checking what the page stored) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in a container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 860}}
PHONE = {  # an iPhone SE-sized touch phone
    "viewport": {"width": 375, "height": 667},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "install Debian's chromium (apt-get install chromium) to run browser tests"
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, live_server, options):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/")
    page.wait_for_selector("#app[data-ready=true]")  # the module script has run
    return context, page, errors


@pytest.fixture
def page(browser, live_server):
    """The drawing page on a desktop-sized window; fails the test on any uncaught script error."""
    context, page, errors = _open(browser, live_server, DESKTOP)
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def phone_page(browser, live_server):
    """The drawing page on a 375x667 touch phone at devicePixelRatio 2."""
    context, page, errors = _open(browser, live_server, PHONE)
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"
