"""The admin's review queue in a real Chromium: a staff reviewer logs in and works with the real keyboard
(7, N, S, U) and the mouse; the database shows each decision and the progress text follows."""
import re

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from ml.canvas import encode, stroke_mask, to_image
from recognizer.models import Drawing
from recognizer.services import drawing_create
from tests.browser.conftest import TIMEOUT_MS

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-reviewer-1"


@pytest.fixture
def reviewer(django_user_model):
    """Staff with the change permission on drawings (not a superuser)."""
    user = django_user_model.objects.create_user("reviewer", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_drawing", "change_drawing"]))
    return user


@pytest.fixture
def drawings(mnist_test):
    """Three unconfirmed MNIST test digits drawn as the page sends them, most unsure first (the default order)."""
    images, labels = mnist_test
    made = [drawing_create(image=encode(to_image(stroke_mask(images[np.flatnonzero(labels == d)[0]], 280)), "PNG"),
                           source="api") for d in (1, 2, 3)]
    for drawing, confidence in zip(made, (0.3, 0.5, 0.7)):
        Drawing.objects.filter(pk=drawing.pk).update(confidence=confidence, digit_score=None)
    return made


@pytest.fixture
def admin_page(browser, live_server, reviewer):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", reviewer.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def state(drawing) -> tuple:
    drawing.refresh_from_db()
    return drawing.confirmed_label, drawing.confirmed_not_a_digit


def test_reviewer_confirms_skips_and_undoes_with_the_keyboard(admin_page, live_server, drawings, reviewer):
    first, second, third = drawings
    page = admin_page
    page.goto(live_server.url + "/admin/recognizer/drawing/review/?size=3")
    page.wait_for_selector(".review-queue[data-ready=true]")
    progress, status = page.locator("#review-progress"), page.locator("#review-status")
    expect(progress).to_have_text("1 of 3")
    expect(page.locator(f".review-card[data-id='{first.pk}']")).to_be_visible()

    page.keyboard.press("7")
    expect(progress).to_have_text("2 of 3")
    expect(status).to_have_text(re.compile(r"confirmed as 7"))
    assert state(first) == (7, False)
    first.refresh_from_db()
    assert first.confirmed_by == reviewer

    page.keyboard.press("n")
    expect(progress).to_have_text("3 of 3")
    assert state(second) == (None, True)

    page.keyboard.press("s")
    expect(progress).to_have_text("Done: 3 of 3")
    expect(page.locator("#review-done")).to_be_visible()
    assert state(third) == (None, False)

    page.keyboard.press("u")  # undoes the skip: back to the third drawing
    expect(progress).to_have_text("3 of 3")
    page.keyboard.press("u")  # undoes "not a digit"
    expect(progress).to_have_text("2 of 3")
    expect(status).to_have_text(re.compile(r"unconfirmed again"))
    assert state(second) == (None, False)
    assert state(first) == (7, False)


def test_keys_typed_into_a_field_do_nothing_and_buttons_work_by_mouse(admin_page, live_server, drawings):
    first = drawings[0]
    page = admin_page
    page.goto(live_server.url + "/admin/recognizer/drawing/review/?size=3")
    page.wait_for_selector(".review-queue[data-ready=true]")

    page.locator("#id_size").fill("")
    page.locator("#id_size").type("7")
    page.wait_for_timeout(300)
    expect(page.locator("#review-progress")).to_have_text("1 of 3")
    assert state(first) == (None, False)

    button = page.locator(".review-button[data-label='4']")
    box = button.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    button.click()
    expect(page.locator("#review-progress")).to_have_text("2 of 3")
    assert state(first) == (4, False)


def test_drawing_list_fits_1440_px(admin_page, live_server, drawings):
    page = admin_page
    page.goto(live_server.url + "/admin/recognizer/drawing/")
    expect(page.locator("#result_list")).to_be_visible()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the drawing list is {overflow} px wider than a 1440 px window"
    visible = page.locator("#changelist .results").bounding_box()  # scrolls sideways when the table is wider
    for column in ("model_version", "source", "created"):
        box = page.locator(f"#result_list th.column-{column}").bounding_box()
        assert box["x"] + box["width"] <= visible["x"] + visible["width"] + 1, f"{column} is scrolled out of view"
