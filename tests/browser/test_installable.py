"""Installable on a phone, in a real Chromium: the service worker keeps the page for offline use and says
so when offline; every touch target is at least 44 px at 375x667; every graphic has 3:1 contrast
against what it sits on, light and dark (WCAG 1.4.11, measured from computed styles); and failures
people can act on: a 429 counts down from Retry-After to a working "Try again", a slow answer shows
"Reading…", a 500 keeps the page's own words.
"""
import re
import time

import pytest
from playwright.sync_api import expect

from recognizer.models import Drawing
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS
from tests.browser.test_numbers_page import open_number_mode, wait_for_reading, write
from tests.browser.test_page import SEVEN, draw, touch_draw, wait_for_result

pytestmark = pytest.mark.django_db(transaction=True)

OFFLINE_TEXT = "You are offline: drawings can't be read until you are back online."
MIN_TARGET_PX = 44
MIN_GRAPHIC_CONTRAST = 3.0


@pytest.fixture
def fresh_context(browser):
    """A context of its own (set_offline, service workers and caches apply to the whole context)."""
    contexts = []

    def open_context(options=DESKTOP):
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def open_page(context, url):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("#app[data-ready=true]")
    page.wait_for_selector("#offline-banner[data-ready=true]", state="attached")
    return page, errors


def worker_state(page) -> dict:
    """Waits for the worker to be active; its script URL, whether it controls the page, the caches."""
    return page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          return {
            script: registration.active.scriptURL,
            scope: registration.scope,
            controlled: navigator.serviceWorker.controller !== null,
            caches: await caches.keys(),
          };
        }"""
    )


def sw_version(page, live_server) -> str:
    body = page.request.get(live_server.url + "/sw.js").text()
    return re.search(r'^const VERSION = "([0-9a-f]+)";', body, re.M)[1]


# ---- the service worker ---------------------------------------------------------------------------


def test_worker_controls_the_page_and_the_shell_opens_offline_with_a_banner(fresh_context, live_server):
    context = fresh_context()
    page, errors = open_page(context, live_server.url + "/")
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_be_hidden()

    state = worker_state(page)
    assert state["script"] == live_server.url + "/sw.js"
    assert state["scope"] == live_server.url + "/"
    assert state["caches"] == [f"digits-shell-{sw_version(page, live_server)}"]
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    assert worker_state(page)["controlled"], "after a reload the worker controls the page"

    context.set_offline(True)
    expect(banner).to_have_text(OFFLINE_TEXT)  # the browser's "offline" event
    expect(banner).to_have_attribute("aria-live", "polite")

    page.reload()  # no network: the worker answers from its cache
    page.wait_for_selector("#app[data-ready=true]")  # the page's modules came from the cache too
    page.wait_for_selector("#number-app[data-ready=true]", state="attached")
    expect(page.locator("#canvas")).to_be_visible()
    expect(banner).to_have_text(OFFLINE_TEXT)  # said at once on a page opened offline
    assert page.evaluate("getComputedStyle(document.querySelector('.card')).borderRadius") == "16px"  # styled

    page.locator("#auto-predict").uncheck()
    draw(page, SEVEN)
    page.locator("#predict").click()
    expect(page.locator("#error")).to_contain_text("Can't reach the server")
    expect(page.get_by_test_id("retry")).to_be_enabled()
    assert Drawing.objects.count() == 0

    context.set_offline(False)
    expect(banner).to_be_hidden()  # "online", and the server answers
    page.get_by_test_id("retry").click()  # the same drawing, sent now
    wait_for_result(page)
    assert Drawing.objects.count() == 1
    assert not errors, errors


def test_a_request_that_fails_for_lack_of_network_shows_the_banner_until_the_server_answers(page):
    """The browser may think it is online (a dead Wi-Fi): a failed request checks, and says so."""
    page.locator("#auto-predict").uncheck()
    page.route("**/api/predictions/", lambda route: route.abort("internetdisconnected"))
    page.route("**/manifest.webmanifest", lambda route: route.abort("internetdisconnected"))  # the check
    draw(page, SEVEN)
    page.locator("#predict").click()
    banner = page.get_by_test_id("offline-banner")
    expect(banner).to_have_text(OFFLINE_TEXT)

    page.unroute("**/manifest.webmanifest")
    page.unroute("**/api/predictions/")
    expect(banner).to_be_hidden(timeout=8000)  # checked again every 5 s
    page.get_by_test_id("retry").click()
    wait_for_result(page)


def test_posts_are_never_cached(fresh_context, live_server):
    context = fresh_context()
    page, _ = open_page(context, live_server.url + "/")
    worker_state(page)
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    assert worker_state(page)["controlled"]
    page.locator("#auto-predict").uncheck()
    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)

    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
          }
          return urls;
        }"""
    )
    assert "/" in cached and "/static/recognizer/app.js" in cached
    assert not [url for url in cached if url.startswith("/api/")], cached


def test_a_new_shell_replaces_the_old_cache(fresh_context, live_server, settings, tmp_path):
    context = fresh_context()
    page, _ = open_page(context, live_server.url + "/")
    old = f"digits-shell-{sw_version(page, live_server)}"
    assert worker_state(page)["caches"] == [old]

    extra = tmp_path / "recognizer" / "zz-new.js"  # a new file in the shell, as a deploy would add
    extra.parent.mkdir()
    extra.write_text("export const shipped = true;\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    new = f"digits-shell-{sw_version(page, live_server)}"
    assert new != old

    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    deadline = time.monotonic() + 10
    while worker_state(page)["caches"] != [new] and time.monotonic() < deadline:
        time.sleep(0.2)  # the new worker installs, activates and deletes the old cache
    assert worker_state(page)["caches"] == [new]
    kept = page.evaluate(
        "async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)", new
    )
    assert "/static/recognizer/zz-new.js" in kept, kept


# ---- touch targets ----------------------------------------------------------------------------------

TARGETS_JS = """() => {
  const selector = [
    "a[href]", "button", "[role=tab]", "summary",
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio])",
    "label:has(input[type=checkbox]), label:has(input[type=radio])",
  ].join(", ");
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden"
      && !el.closest(".visually-hidden");
  };
  // WCAG 2.5.8's exception: a link inside a sentence is sized by the sentence's line height.
  const inSentence = (el) => el.tagName === "A" && el.parentElement.closest("p, li")
    && el.parentElement.closest("p, li").textContent.trim().length > el.textContent.trim().length;
  return [...document.querySelectorAll(selector)].filter((el) => shown(el) && !inSentence(el)).map((el) => {
    const box = el.getBoundingClientRect();
    const name = el.id ? "#" + el.id : el.tagName.toLowerCase() + (el.className ? "." + [...el.classList].join(".") : "");
    return { name: name + " " + JSON.stringify(el.textContent.trim().slice(0, 24)), width: box.width, height: box.height };
  });
}"""


def small_targets(page) -> list:
    targets = page.evaluate(TARGETS_JS)
    assert targets, "no targets found"
    return [t for t in targets if t["width"] < MIN_TARGET_PX - 0.01 or t["height"] < MIN_TARGET_PX - 0.01]


def test_every_touch_target_is_at_least_44_px_on_a_phone(phone_page):
    page = phone_page
    assert page.evaluate("window.innerWidth") == 375
    assert small_targets(page) == []

    page.keyboard.press("Tab")  # the skip link shows on focus
    expect(page.locator(".skip-link")).to_be_focused()
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] >= MIN_TARGET_PX and box["width"] >= MIN_TARGET_PX

    # A result: the quick "Reads 7" chip, the feedback buttons, a history item, "Clear history".
    touch_draw(page, SEVEN)
    page.locator("#predict").tap()
    wait_for_result(page)
    expect(page.get_by_test_id("quick-result")).to_be_visible()
    expect(page.get_by_test_id("clear-history")).to_be_visible()
    assert small_targets(page) == []

    # Number mode with a reading: "Show inputs", the answer field and Send.
    open_number_mode(page)
    page.locator("#number-auto").uncheck()
    write(page, "42")
    page.locator("#number-read").tap()
    wait_for_reading(page)
    expect(page.get_by_test_id("number-inputs")).to_be_visible()
    assert small_targets(page) == []


# ---- contrast ---------------------------------------------------------------------------------------

COLOURS_JS = """() => {
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  const firstShadowColour = (shadow) => (shadow.match(/rgba?\\([^)]*\\)/) || [null])[0];
  return {
    card: style("#result").backgroundColor,
    page: style("body").backgroundColor,
    track: style(".prob-row:not(.is-top) .prob-bar").backgroundColor,
    trackEdge: style(".prob-row:not(.is-top) .prob-bar").borderTopColor,
    bar: style(".prob-row:not(.is-top) .prob-bar__fill").backgroundColor,
    topBar: style(".prob-row.is-top .prob-bar__fill").backgroundColor,
    padCard: style(".pad-card").backgroundColor,
    paper: style(".canvas-frame").backgroundColor,
    canvasEdge: firstShadowColour(style(".canvas-frame").boxShadow),
    topGuessEdge: style(".top-guesses__item:first-child").borderTopColor,
    modes: style("#modes").backgroundColor,
    selectedTab: style(".modes__tab[aria-selected=true]").backgroundColor,
  };
}"""


def parse_colour(text: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", text)]
    assert len(parts) in (3, 4), text
    return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)


def over(colour, background):
    """`colour` composited over an opaque `background` (both rgba tuples)."""
    alpha = colour[3]
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], background[:3])) + (1.0,)


def luminance(colour) -> float:
    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS colours; a translucent foreground is blended onto the background first."""
    bg = parse_colour(background)
    assert bg[3] == 1.0, f"background {background} is not opaque"
    fg = over(parse_colour(foreground), bg)
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focus_ring(page) -> tuple[str, str]:
    """Tab to the first button in a card; its outline colour and the card's background."""
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.card button:focus-visible')"):
            break
    return page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2) return null;
          return [style.outlineColor, getComputedStyle(el.closest(".card")).backgroundColor];
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_graphic_has_3_to_1_contrast_against_its_neighbour(page, scheme):
    page.emulate_media(color_scheme=scheme)
    page.locator("#auto-predict").uncheck()
    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)
    page.mouse.move(0, 0)  # no hover colours
    colours = page.evaluate(COLOURS_JS)
    assert colours["card"] != ("rgb(255, 255, 255)" if scheme == "dark" else "rgb(23, 26, 35)")  # the scheme applied
    ring = focus_ring(page)
    assert ring, "no visible focus ring"

    pairs = {
        "probability bar / its track": (colours["bar"], colours["track"]),
        "likeliest digit's bar / its track": (colours["topBar"], colours["track"]),
        "track's edge / the card": (colours["trackEdge"], colours["card"]),
        "canvas border / the card": (colours["canvasEdge"], colours["padCard"]),
        "canvas border / the paper": (colours["canvasEdge"], colours["paper"]),
        "focus ring / the card": ring,
        "likeliest guess's outline / the card": (colours["topGuessEdge"], colours["card"]),
        "selected tab / the switch": (colours["selectedTab"], colours["modes"]),
    }
    ratios = {name: round(contrast(*pair), 2) for name, pair in pairs.items()}
    print(scheme, ratios)  # the measured figures, for the record (pytest -s)
    low = {name: ratio for name, ratio in ratios.items() if ratio < MIN_GRAPHIC_CONTRAST}
    assert not low, f"{scheme}: below 3:1: {low}"


def test_the_contrast_arithmetic_matches_wcag():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21.0)
    assert contrast("rgb(255, 255, 255)", "rgb(255, 255, 255)") == pytest.approx(1.0)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)
    assert contrast("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(1.0)  # transparent: no contrast


# ---- errors people can act on -----------------------------------------------------------------------


def test_a_429_counts_down_from_retry_after_and_try_again_sends_the_drawing(page):
    calls = []

    def respond(route):
        calls.append(time.monotonic())
        if len(calls) == 1:
            route.fulfill(status=429, headers={"Retry-After": "3"}, json={"status": "error", "error": "throttled"})
        else:
            route.fallback()  # the real server

    page.locator("#auto-predict").uncheck()
    page.route("**/api/predictions/", respond)
    draw(page, SEVEN)
    page.locator("#predict").click()

    error, retry = page.locator("#error"), page.get_by_test_id("retry")
    expect(error).to_contain_text(re.compile(r"Too many requests: try again in [123] s\."))
    expect(retry).to_be_disabled()
    expect(error).to_have_attribute("role", "alert")
    first = int(re.search(r"in (\d) s", error.inner_text())[1])
    expect(error).to_contain_text(f"try again in {first - 1} s", timeout=2500)  # it counts down
    expect(error).to_contain_text("Too many requests: you can try again now.", timeout=4000)
    expect(retry).to_be_enabled()
    assert time.monotonic() - calls[0] >= 2.5  # it waited the 3 s the server asked for (to the tick)
    assert Drawing.objects.count() == 0

    retry.click()
    wait_for_result(page)
    expect(error).to_be_hidden()
    assert len(calls) == 2
    assert Drawing.objects.count() == 1


def test_a_slow_answer_shows_reading_in_the_result_panel(page):
    held = []
    page.locator("#auto-predict").uncheck()
    page.route("**/api/predictions/", lambda route: held.append(route))  # hold the request until we let it go
    draw(page, SEVEN)
    page.locator("#predict").click()

    result, loading = page.locator("#result"), page.locator("#result").get_by_test_id("loading")
    expect(loading).to_have_text("Reading…")
    expect(loading).to_have_attribute("role", "status")
    expect(result).to_have_attribute("aria-busy", "true")
    expect(page.locator("#result-empty")).to_be_hidden()  # not "Draw a digit to see…" while reading

    held[0].fallback()
    wait_for_result(page)
    expect(loading).to_be_hidden()
    expect(result).to_have_attribute("aria-busy", "false")


def test_number_mode_shows_reading_and_its_errors_in_the_pages_own_words(page):
    held = []
    open_number_mode(page)
    page.locator("#number-auto").uncheck()
    page.route("**/api/numbers/", lambda route: held.append(route))
    write(page, "4")
    page.locator("#number-read").click()
    loading = page.locator("#number-result").get_by_test_id("loading")
    expect(loading).to_have_text("Reading…")
    expect(page.get_by_test_id("number-summary")).to_be_hidden()

    held[0].fulfill(status=500, json={"status": "error", "error": "internal error"})
    error = page.get_by_test_id("number-error")
    expect(error).to_contain_text("Something went wrong on our side. Your drawing is still here: try again.")
    expect(error).not_to_contain_text("nternal error")  # not the server's terse words
    expect(loading).to_be_hidden()

    page.unroute("**/api/numbers/")
    error.get_by_test_id("retry").click()
    wait_for_reading(page)
    expect(error).to_be_hidden()


@pytest.mark.parametrize(
    "status, body, sentence",
    [
        (500, {"status": "error", "error": "internal error"}, "Something went wrong on our side"),
        (503, {"status": "error", "error": "the prediction model is unavailable; try again later"},
         "The recognizer is not available right now. Try again in a moment."),
    ],
)
def test_server_failures_keep_the_pages_own_words_and_offer_try_again(page, status, body, sentence):
    page.locator("#auto-predict").uncheck()
    page.route("**/api/predictions/", lambda route: route.fulfill(status=status, json=body))
    draw(page, SEVEN)
    page.locator("#predict").click()
    error = page.locator("#error")
    expect(error).to_contain_text(sentence)
    expect(error).not_to_contain_text(body["error"][1:])
    expect(page.get_by_test_id("retry")).to_be_enabled()
