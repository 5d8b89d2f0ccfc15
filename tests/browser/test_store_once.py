"""The page stores what people meant to send (issue 14): live answers while drawing come from the
preview API and store nothing; a drawing is stored once, on Predict, on feedback, or after 1.5 s
without a stroke; Undo never stores; "Don't keep my drawings" stores nothing at all; and the recent
list deletes what this browser sent. Real mouse strokes in Chromium, rows counted in the database."""
import pytest
from playwright.sync_api import expect

from recognizer.models import Drawing
from tests.browser.test_page import draw

pytestmark = pytest.mark.django_db(transaction=True)

# A 4 in two strokes, as people draw it: the open angle, then the downstroke.
FOUR_ANGLE = [(0.35, 0.15), (0.22, 0.58), (0.75, 0.58)]
FOUR_DOWN = [(0.62, 0.22), (0.62, 0.88)]
NATURAL_PAUSE_MS = 700  # between the strokes: longer than the live answer's delay, shorter than the rest
REST_MS = 1500  # static/recognizer/app.js REST_STORE_DELAY_MS


def requests_to(page) -> dict[str, list]:
    """POSTs that store (`/api/predictions/`) and previews (`/api/predictions/preview/`), from now on."""
    sent = {"store": [], "preview": []}

    def record(request):
        if request.method == "POST" and request.url.endswith("/api/predictions/"):
            sent["store"].append(request)
        elif request.method == "POST" and request.url.endswith("/api/predictions/preview/"):
            sent["preview"].append(request)

    page.on("request", record)
    return sent


def draw_four(page) -> None:
    draw(page, FOUR_ANGLE)
    page.wait_for_timeout(NATURAL_PAUSE_MS)
    assert Drawing.objects.count() == 0, "the first stroke alone was stored"
    draw(page, FOUR_DOWN)


def test_a_four_with_a_pause_between_strokes_is_stored_once_after_the_rest(page):
    sent = requests_to(page)
    draw(page, FOUR_ANGLE)
    page.wait_for_timeout(NATURAL_PAUSE_MS)
    # The half-drawn 4 got a live answer, from the preview: nothing stored.
    expect(page.locator("#result")).to_have_attribute("data-state", "shown")
    expect(page.locator("#result")).to_have_attribute("data-stored", "false")
    assert Drawing.objects.count() == 0 and sent["store"] == [] and len(sent["preview"]) >= 1
    draw(page, FOUR_DOWN)
    page.wait_for_timeout(REST_MS // 2)
    assert Drawing.objects.count() == 0, "stored before the drawing rested"

    expect(page.locator("#result")).to_have_attribute("data-stored", "true")  # the rest stored it
    page.locator("#predict").click()  # and Predict does not store it again
    page.wait_for_timeout(300)

    assert Drawing.objects.count() == 1 and len(sent["store"]) == 1
    drawing = Drawing.objects.get()
    assert str(drawing.pk) == page.locator("#result").get_attribute("data-id")
    assert drawing.source == Drawing.Source.PAGE


def test_predict_before_the_rest_stores_it_once(page):
    sent = requests_to(page)
    draw_four(page)
    page.locator("#predict").click()
    expect(page.locator("#result")).to_have_attribute("data-stored", "true")
    page.wait_for_timeout(REST_MS + 500)  # the rest after the last stroke must not store it a second time

    assert Drawing.objects.count() == 1 and len(sent["store"]) == 1


def test_undo_only_previews(page):
    sent = requests_to(page)
    draw_four(page)
    page.locator("#predict").click()
    expect(page.locator("#result")).to_have_attribute("data-stored", "true")
    previews = len(sent["preview"])

    page.locator("#undo").click()
    page.wait_for_timeout(REST_MS + 500)

    assert len(sent["preview"]) == previews + 1  # the answer for what is left on the canvas
    expect(page.locator("#result")).to_have_attribute("data-stored", "false")
    assert Drawing.objects.count() == 1 and len(sent["store"]) == 1


def test_feedback_on_a_live_answer_stores_the_drawing_first_then_the_label(page):
    draw_four(page)
    expect(page.locator("#result")).to_have_attribute("data-stored", "false")  # the live answer
    page.locator("#feedback button[data-label='4']").click()

    expect(page.locator("#feedback-status")).to_have_text("Thanks — saved as 4")
    page.wait_for_timeout(REST_MS)
    drawing = Drawing.objects.get()
    assert drawing.suggested_label == 4
    assert str(drawing.pk) == page.locator("#result").get_attribute("data-id")


def test_dont_keep_my_drawings_stores_nothing_and_hides_wrong(page):
    sent = requests_to(page)
    page.locator("#dont-keep").check()
    draw_four(page)
    page.wait_for_timeout(REST_MS + 500)
    page.locator("#predict").click()

    expect(page.locator("#result")).to_have_attribute("data-state", "shown")
    expect(page.locator("#result-digit")).to_have_text("4")
    expect(page.locator("#feedback")).to_be_hidden()
    page.wait_for_timeout(300)
    assert Drawing.objects.count() == 0 and sent["store"] == [] and sent["preview"]

    page.reload()  # the choice is remembered
    page.wait_for_selector("#app[data-ready=true]")
    expect(page.locator("#dont-keep")).to_be_checked()
    expect(page.locator("#privacy-note")).to_contain_text("Don't keep my drawings")


def test_delete_from_the_recent_list_removes_the_row(page):
    draw_four(page)
    page.locator("#predict").click()
    expect(page.locator("#result")).to_have_attribute("data-stored", "true")
    drawing_id = page.locator("#result").get_attribute("data-id")
    assert Drawing.objects.filter(pk=drawing_id).exists()

    page.locator(f"#history button[data-delete-id='{drawing_id}']").click()

    expect(page.locator(f"#history button[data-id='{drawing_id}']")).to_have_count(0)
    expect(page.locator("#result")).to_have_attribute("data-state", "empty")
    assert not Drawing.objects.filter(pk=drawing_id).exists()
