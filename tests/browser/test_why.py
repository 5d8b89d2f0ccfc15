""""Why?" in a real browser: draw with real pointer events, predict, ask why, and the heatmap of that
drawing loads with a text alternative; nothing is fetched until asked."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_page import ONE, SEVEN, draw, wait_for_result

pytestmark = pytest.mark.django_db(transaction=True)


def saliency_requests(page) -> list:
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/saliency") else None)
    return sent


def test_why_shows_the_heatmap_of_the_shown_drawing_on_request(page):
    sent = saliency_requests(page)
    why = page.locator("#why-toggle")
    expect(why).to_be_hidden()  # nothing to explain yet

    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)
    drawing_id = page.locator("#result").get_attribute("data-id")
    digit = page.locator("#result-digit").inner_text()

    expect(why).to_be_visible()
    expect(why).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#why-panel")).to_be_hidden()
    assert sent == [], "the heatmap was fetched before anyone asked"

    why.click()
    page.wait_for_function("() => document.querySelector('#why-image').naturalWidth === 280")
    image = page.locator("#why-image")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", f"/api/predictions/{drawing_id}/saliency")
    alt = image.get_attribute("alt")
    assert re.fullmatch(
        rf"Heatmap over your drawing as the model saw it, enlarged\. Yellow marks the parts that most made the model "
        rf"(read {re.escape(digit)}|say it is not a digit); dark purple marks the parts that did not matter\.",
        alt,
    ), alt
    expect(why).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#why-status")).to_have_text("Heatmap shown below.")
    assert len(sent) == 1

    why.click()  # and closed again
    expect(page.locator("#why-panel")).to_be_hidden()
    expect(why).to_have_text("Why?")


def test_why_works_from_the_keyboard_and_follows_the_result(page):
    draw(page, ONE)
    page.locator("#predict").click()
    wait_for_result(page)
    first = page.locator("#result").get_attribute("data-id")

    page.locator("#why-toggle").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#why-image').naturalWidth > 0")
    expect(page.locator("#why-image")).to_have_attribute("src", f"/api/predictions/{first}/saliency")

    page.locator("#clear").click()  # no result, no "Why?"
    expect(page.locator("#why-toggle")).to_be_hidden()

    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)
    expect(page.locator("#result")).not_to_have_attribute("data-id", first)
    expect(page.locator("#why-toggle")).to_be_visible()
    expect(page.locator("#why-panel")).to_be_hidden()  # a new drawing: the old map is gone, not shown as its own
    assert page.locator("#why-image").get_attribute("src") is None


def test_a_failed_heatmap_says_so_and_can_be_asked_again(page):
    page.route("**/saliency", lambda route: route.fulfill(status=503, json={"status": "error", "error": "down"}))
    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)

    page.locator("#why-toggle").click()

    expect(page.locator("#why-status")).to_have_text("Couldn't make the heatmap. Try again.")
    expect(page.locator("#why-panel")).to_be_hidden()
    page.unroute("**/saliency")
    page.locator("#why-toggle").click()
    page.wait_for_function("() => document.querySelector('#why-image').naturalWidth === 280")
    expect(page.locator("#why-panel")).to_be_visible()
