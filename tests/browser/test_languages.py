"""Languages in a real browser (docs/i18n.md): Chromium with a German locale gets the German page, and the texts
its scripts write (the result panel, the announcement) are German too; the switcher changes the language
with real keys and clicks, and the choice outlives a reload and reaches the API.

Expected texts come from the catalogues (gettext in German), never from the page's code; the result panel
is compared with the same drawing read in an English browser, line by line, so any line the scripts write
without gettext shows up as English in German.
"""
import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.browser.test_page import SEVEN, draw, wait_for_result
from tests.recognizer.page_text import words

pytestmark = pytest.mark.django_db(transaction=True)

# Words a German result panel shares with the English one on purpose: the model version's name.
ALLOWED_WORDS = {"default"}


def open_page(browser, live_server, locale: str):
    """The drawing page in a browser whose language is `locale` (navigator.language and Accept-Language)."""
    context = browser.new_context(locale=locale, **DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/")
    page.wait_for_selector("#app[data-ready=true]")
    return context, page, errors


def result_lines(page) -> set[str]:
    """Draw a 7, predict, and read what the result panel shows and what it announces, one line each."""
    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)
    expect(page.locator("#announcer")).not_to_be_empty()
    text = page.locator("#result").inner_text() + "\n" + page.locator("#announcer").text_content()
    return {" ".join(line.split()) for line in text.splitlines() if line.strip()}


def switch_to(page, language: str, *, key: str | None = None):
    """Choose `language` in the footer's switcher: with `key` on the focused button, else with a click."""
    with page.expect_navigation():
        if key:
            page.keyboard.press(key)
        else:
            page.locator(f".language-switch [data-language={language}]").click()
    page.wait_for_selector("#app[data-ready=true]")


def expect_language(page, language: str):
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(f".language-switch [data-language={language}]")).to_have_attribute("aria-current", "true")
    with translation.override(language):
        expect(page.locator(".tagline")).to_have_text(gettext("Handwritten digit recognition"))


def test_a_german_browser_reads_the_page_and_its_answers_in_german(browser, live_server):
    english_context, english_page, english_errors = open_page(browser, live_server, "en-US")
    english = result_lines(english_page)
    english_context.close()

    context, page, errors = open_page(browser, live_server, "de-DE")
    expect_language(page, "de")
    with translation.override("de"):
        expect(page.locator("#result-heading")).to_have_text(gettext("What the model reads"))
        expect(page.locator("#predict")).to_have_text(gettext("Predict"))
    assert page.evaluate("() => typeof gettext === 'function' && typeof interpolate === 'function'")
    german = result_lines(page)
    context.close()

    left_english = sorted(line for line in german & english if words(line) - ALLOWED_WORDS)
    assert not left_english, f"the result panel kept English lines in German: {left_english}"
    assert german != english
    assert not english_errors and not errors, english_errors + errors


def test_the_switcher_changes_the_language_by_keyboard_and_by_click(browser, live_server):
    context, page, errors = open_page(browser, live_server, "de-DE")
    expect_language(page, "de")

    page.locator(".language-switch [data-language=de]").focus()
    page.keyboard.press("Tab")  # the next language in the switcher
    assert page.evaluate("() => document.activeElement.dataset.language") == "fr"
    switch_to(page, "fr", key="Enter")
    expect_language(page, "fr")

    switch_to(page, "it")  # a mouse click
    expect_language(page, "it")
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    expect_language(page, "it")  # the cookie wins over the browser's de-DE
    answer = page.evaluate("async () => (await fetch('/api/predictions/no-such-id/')).json()")
    assert answer == {"status": "error", "error": "nessun disegno con questo id"}

    page.locator(".language-switch [data-language=en]").focus()
    switch_to(page, "en", key="Space")
    expect_language(page, "en")
    context.close()
    assert not errors, errors
