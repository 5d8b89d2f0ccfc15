"""The drawing page in a real browser: draw with pointer events, predict, correct, and the layout."""
import re

import pytest
from playwright.sync_api import expect

from recognizer.models import Drawing

pytestmark = pytest.mark.django_db(transaction=True)

# Strokes in unit coordinates of the canvas (0..1).
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.62, 0.45), (0.45, 0.82)]
ONE = [(0.5, 0.15), (0.5, 0.85)]
BAR = [(0.2, 0.5), (0.8, 0.5)]
# A percentage as recognizer/percent.py and static/recognizer/percent.js write it (no-break space before %).
PERCENT = r"(?:>99\.9|100|\d{1,2}\.\d|<0\.1|0)\u00a0%"
SPOKEN_PERCENT = r"(?:more than 99\.9|100|\d{1,2}\.\d|less than 0\.1|0)\u00a0%"
SCRIBBLE = [(0.15, 0.3), (0.85, 0.22), (0.18, 0.48), (0.82, 0.42), (0.15, 0.68), (0.85, 0.62), (0.2, 0.85), (0.8, 0.8)]

INK_PIXELS_JS = """() => {
  const canvas = document.querySelector('#canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] < 128) ink += 1;
  return ink;
}"""


def draw(page, points, *, steps=8):
    """Draw one stroke with the mouse: press at the first point, move through the rest, release."""
    box = page.locator("#canvas").bounding_box()

    def at(point):
        return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]

    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(point), steps=steps)
    page.mouse.up()


def touch_draw(page, points, *, steps=8):
    """Draw one stroke with a finger, through Chromium's real touch input (pointerType "touch")."""
    box = page.locator("#canvas").bounding_box()
    cdp = page.context.new_cdp_session(page)

    def touch(kind, point):
        x, y = box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})

    touch("touchStart", points[0])
    for start, end in zip(points, points[1:]):
        for i in range(1, steps + 1):
            t = i / steps
            touch("touchMove", (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])))
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def ink(page) -> int:
    return page.evaluate(INK_PIXELS_JS)


def wait_for_result(page):
    """Wait for the result panel, failing with the page's own message if it showed an error instead."""
    page.wait_for_selector("#result[data-state=shown], #error:not([hidden])")
    error = page.locator("#error")
    assert error.is_hidden(), f"the page showed an error: {error.inner_text()!r}"


def predict_requests(page) -> list:
    """Collects every POST to the predictions endpoint from now on."""
    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and r.url.endswith("/api/predictions/") else None)
    return sent


def test_drawn_digit_is_predicted_and_feedback_is_stored(page):
    sent = predict_requests(page)
    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)

    digit = page.locator("#result-digit")
    expect(digit).to_have_text(re.compile(r"^\d$"))
    predicted = int(digit.inner_text())
    expect(page.locator("#confidence")).to_have_text(re.compile(rf"^{PERCENT}$"))
    # The headline's top three: the answer, then the next two guesses.
    expect(page.locator("#announcer")).to_have_text(
        re.compile(rf"^Predicted {predicted} with {SPOKEN_PERCENT} confidence\. "
                   rf"Next: \d \({SPOKEN_PERCENT}\), \d \({SPOKEN_PERCENT}\)\.$")
    )

    bars = page.locator(".prob-bar")
    expect(bars).to_have_count(10)
    for digit_ in range(10):
        expect(bars.nth(digit_)).to_be_visible()
        expect(bars.nth(digit_)).to_have_attribute("data-digit", str(digit_))
    values = [float(bars.nth(d).get_attribute("aria-valuenow")) for d in range(10)]
    assert sum(values) == pytest.approx(100, abs=1)
    assert max(range(10), key=values.__getitem__) == predicted
    expect(page.locator(f".prob-row.is-top[data-digit='{predicted}']")).to_have_count(1)
    preview = page.locator("#input-preview")
    expect(preview).to_be_visible()
    page.wait_for_function("() => document.querySelector('#input-preview').naturalWidth === 28")

    label = (predicted + 1) % 10  # "Wrong? It was ..." with a digit other than the guess
    page.locator(f"#feedback button[data-label='{label}']").click()
    expect(page.locator("#feedback-status")).to_have_text(f"Thanks — saved as {label}")
    expect(page.locator(f"#feedback button[data-label='{label}']")).to_have_attribute("aria-pressed", "true")

    drawing_id = page.locator("#result").get_attribute("data-id")
    drawing = Drawing.objects.get(pk=drawing_id)
    assert drawing.source == Drawing.Source.PAGE
    assert drawing.predicted_digit == predicted
    assert drawing.suggested_label == label
    assert Drawing.objects.count() == 1
    assert len(sent) == 1  # "predict as I draw" and the button did not both send it


def test_history_survives_a_reload_and_reopens_a_drawing(page):
    draw(page, ONE)
    page.locator("#predict").click()
    wait_for_result(page)
    drawing_id = page.locator("#result").get_attribute("data-id")
    page.locator("#feedback button[data-label='1']").click()
    expect(page.locator("#feedback-status")).to_have_text("Thanks — saved as 1")

    page.reload()
    page.wait_for_selector("#app[data-ready=true]")
    item = page.locator(f"#history button[data-id='{drawing_id}']")
    expect(item).to_contain_text("you said 1")
    item.click()
    expect(page.locator("#result")).to_have_attribute("data-id", drawing_id)
    expect(page.locator("#result-source")).to_be_visible()
    expect(page.locator("#feedback-status")).to_have_text("You said it was 1.")

    page.locator("#clear-history").click()
    expect(page.locator("#history li")).to_have_count(0)
    expect(page.locator("#history-empty")).to_be_visible()


def test_predict_on_a_blank_canvas_shows_a_friendly_error_and_stores_nothing(page):
    sent = predict_requests(page)
    page.locator("#predict").click()
    expect(page.locator("#error")).to_have_text("Draw a digit first — the canvas is empty.")
    expect(page.locator("#result-body")).to_be_hidden()
    assert sent == []
    assert Drawing.objects.count() == 0

    draw(page, ONE)  # drawing again takes the message away
    expect(page.locator("#error")).to_be_hidden()


@pytest.mark.parametrize(
    "respond, message",
    [
        (lambda route: route.fulfill(status=429, json={"status": "error", "error": "rate"}), "Too many requests. Wait a moment"),
        (lambda route: route.abort("connectionrefused"), "Can't reach the server"),
        (
            lambda route: route.fulfill(status=400, json={"status": "error", "error": "no digit found in the drawing"}),
            "No digit found in the drawing.",
        ),
        (lambda route: route.fulfill(status=502, body="<h1>Bad gateway</h1>"), "The server did not answer properly"),
    ],
    ids=["throttled", "offline", "rejected", "not-json"],
)
def test_failed_predictions_show_a_friendly_message(page, respond, message):
    page.locator("#auto-predict").uncheck()
    page.route("**/api/predictions/", respond)
    draw(page, SEVEN)
    page.locator("#predict").click()
    expect(page.locator("#error")).to_contain_text(message)
    expect(page.locator("#predict")).not_to_have_class(re.compile("is-busy"))


def test_undo_and_clear_redraw_the_canvas_from_the_stroke_list(page):
    page.locator("#auto-predict").uncheck()
    expect(page.locator("#undo")).to_be_disabled()
    draw(page, ONE)
    one = ink(page)
    draw(page, BAR)
    both = ink(page)
    assert 0 < one < both

    page.locator("#undo").click()
    assert ink(page) == one
    page.keyboard.press("Control+z")
    assert ink(page) == 0
    expect(page.locator("#undo")).to_be_disabled()

    draw(page, SEVEN)
    assert ink(page) > 0
    page.keyboard.press("Escape")
    assert ink(page) == 0
    expect(page.locator("#canvas-placeholder")).to_be_visible()


def test_page_fits_a_phone_and_a_finger_draws_without_scrolling(phone_page):
    page = phone_page
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scroll on a phone"
    assert page.evaluate("document.documentElement.scrollHeight") > page.evaluate("window.innerHeight")

    canvas = page.locator("#canvas")
    expect(canvas).to_be_in_viewport(ratio=1)
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["width"] >= 280 and box["width"] == pytest.approx(box["height"], abs=1)
    # The backing store follows devicePixelRatio (2 here) so strokes stay sharp.
    assert page.evaluate("document.querySelector('#canvas').width") == pytest.approx(2 * box["width"], abs=2)

    # An upward swipe, which scrolls the page down unless the canvas has touch-action: none.
    touch_draw(page, ONE[::-1])
    assert page.evaluate("window.scrollY") == 0
    assert ink(page) > 0

    # "Predict as I draw" is on by default: lifting the finger is enough, and the answer shows
    # beside the canvas since the full result panel is below the fold. The live answer is a preview;
    # the drawing is stored once it rests 1.5 s without a stroke (tests/browser/test_store_once.py).
    wait_for_result(page)
    expect(page.locator("#quick-result")).to_be_in_viewport()
    expect(page.locator("#quick-digit")).to_have_text(page.locator("#result-digit").inner_text())
    expect(page.locator("#result")).to_have_attribute("data-stored", "true")
    assert Drawing.objects.filter(source=Drawing.Source.PAGE).count() == 1


def test_not_a_digit_feedback_from_the_page_is_stored(page):
    draw(page, SEVEN)
    page.locator("#predict").click()
    wait_for_result(page)
    predicted = int(page.locator("#result-digit").inner_text())

    # A drawing that looks like a digit shows the three likeliest digits, the likeliest first.
    guesses = page.locator("#top-guesses-list li")
    expect(page.locator("#top-guesses")).to_be_visible()
    expect(guesses).to_have_count(3)
    expect(guesses.first).to_have_text(re.compile(rf"^{predicted} {PERCENT}$"))
    expect(page.locator("#top-guesses-title")).to_have_text("Top guesses")

    button = page.locator("#feedback button[data-label='not-a-digit']")
    button.focus()
    page.keyboard.press("Enter")  # keyboard users can say it too
    expect(page.locator("#feedback-status")).to_have_text("Thanks — saved as not a digit")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#feedback button[aria-pressed=true]")).to_have_count(1)

    drawing = Drawing.objects.get(pk=page.locator("#result").get_attribute("data-id"))
    assert drawing.suggested_not_a_digit is True and drawing.suggested_label is None
    assert drawing.confirmed_not_a_digit is False
    item = page.locator(f"#history button[data-id='{drawing.pk}']")
    expect(item).to_have_attribute("data-not-a-digit", "true")
    expect(item).to_contain_text("you said not a digit")


def test_a_stored_not_a_digit_verdict_reopened_from_history_says_so_plainly(page, mnist_test):
    """The verdict comes from the server when an earlier drawing is reopened (set here on a stored digit)."""
    from ml.canvas import canvas_png
    from recognizer.services import drawing_create

    images, _ = mnist_test
    drawing = drawing_create(image=canvas_png(images[0]), source="page")
    Drawing.objects.filter(pk=drawing.pk).update(digit_score=0.08, is_digit=False)
    entry = {
        "id": str(drawing.pk), "digit": drawing.predicted_digit, "confidence": drawing.confidence,
        "inputUrl": f"/api/predictions/{drawing.pk}/input", "created": drawing.created.isoformat(),
        "label": None, "isDigit": False,
    }
    page.evaluate("entry => localStorage.setItem('digits.history.v1', JSON.stringify([entry]))", entry)
    page.reload()
    page.wait_for_selector("#app[data-ready=true]")

    item = page.locator(f"#history button[data-id='{drawing.pk}']")
    expect(item).to_have_attribute("data-not-a-digit", "true")
    expect(item).to_contain_text("not a digit")
    item.click()  # fetched again from the server, which says is_digit: false
    expect(page.locator("#result")).to_have_attribute("data-id", str(drawing.pk))

    # "Not a digit" comes first; the three closest digits follow, the likeliest first.
    expect(page.locator("#not-digit")).to_be_visible()
    expect(page.locator(".verdict__headline")).to_have_text("This doesn't look like a digit")
    expect(page.locator("#result-digit")).to_be_hidden()
    expect(page.locator("#confidence")).to_be_hidden()
    expect(page.locator("#top-guesses")).to_be_visible()
    expect(page.locator("#top-guesses-title")).to_have_text("Closest digits")
    expect(page.locator("#top-guesses-list li")).to_have_count(3)
    expect(page.locator("#top-guesses-list li").first).to_have_text(
        re.compile(rf"^{drawing.predicted_digit} {PERCENT}$")
    )
    assert page.evaluate(
        "() => document.querySelector('#not-digit').compareDocumentPosition(document.querySelector('#top-guesses'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    ), "the not-a-digit headline comes before the guesses"
    expect(page.locator("#announcer")).to_have_text(
        re.compile(rf"^Earlier drawing\. This doesn't look like a digit\. Closest digits: {drawing.predicted_digit} \(")
    )


def test_a_scribble_gets_the_not_a_digit_message(page):
    draw(page, SCRIBBLE, steps=6)
    page.locator("#predict").click()
    wait_for_result(page)

    expect(page.locator("#not-digit")).to_be_visible()
    expect(page.locator(".verdict__headline")).to_have_text("This doesn't look like a digit")
    expect(page.locator("#result-digit")).to_be_hidden()
    drawing = Drawing.objects.get(pk=page.locator("#result").get_attribute("data-id"))
    assert drawing.is_digit is False
    assert drawing.digit_score < drawing.model_version.report.serving["digit_threshold"]
    expect(page.locator("#announcer")).to_have_text(re.compile(r"^This doesn't look like a digit\. Closest digits: \d"))
