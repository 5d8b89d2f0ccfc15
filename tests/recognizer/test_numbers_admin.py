"""Staff review of numbers in the admin: boxes drawn on the image, filters, confirmation through the service,
and each digit's drawing pointing back at its number."""
import re

import pytest
from django.urls import reverse

from recognizer import number_services
from recognizer.models import Drawing, Number
from tests.recognizer.number_images import activate_refusing_version, number_png, shapes_png

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recognizer_number_changelist"


@pytest.fixture
def numbers(mnist_test) -> list[Number]:
    """A number read as 2026 (older), then ink with no digit (newer, by a version that refuses every piece)."""
    read = number_services.number_create(image=number_png(mnist_test, "2026"), source="api")
    activate_refusing_version()
    empty = number_services.number_create(image=shapes_png(), source="page")
    return [read, empty]


def change_url(number: Number) -> str:
    return reverse("admin:recognizer_number_change", args=[number.pk])


def rects(html: str, colour: str) -> list[tuple[int, ...]]:
    pattern = rf'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="none" stroke="{colour}"'
    return [tuple(int(v) for v in match) for match in re.findall(pattern, html)]


def test_changelist_draws_a_box_over_each_digit_and_each_rejected_piece(admin_client, numbers):
    read, empty = numbers
    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    html = response.content.decode()
    for number in numbers:
        assert f'href="/api/numbers/{number.pk}/image"' in html
    boxes = [tuple(d.box) for d in read.digits.order_by("position")]
    assert len(boxes) == 4 and set(boxes) <= set(rects(html, "#1a7f37"))
    rejected = [tuple(piece["box"]) for piece in read.rejected + empty.rejected]
    assert len(rejected) >= 1 and set(rejected) <= set(rects(html, "#cf222e"))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("confirmed=no", {0, 1}),
        ("confirmed=yes", set()),
        ("empty=yes", {1}),
        ("empty=no", {0}),
        ("disagreement=yes", set()),
        ("confirmed_count_differs__exact=0", {0, 1}),
        ("low_confidence=no", {0}),
        ("source__exact=page", {1}),
        ("q=2026", {0}),
    ],
)
def test_changelist_filters_and_search(admin_client, numbers, query, expected):
    response = admin_client.get(reverse(CHANGELIST) + "?" + query)

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {numbers[i] for i in expected}


def test_change_page_shows_the_boxes_the_digits_and_only_the_confirmation_is_editable(admin_client, numbers):
    read = numbers[0]
    response = admin_client.get(change_url(read))

    assert response.status_code == 200
    html = response.content.decode()
    assert set(response.context["adminform"].form.fields) == {"confirmed_number"}
    for drawing in read.digits.all():
        assert f"/api/predictions/{drawing.pk}/input" in html
        assert reverse("admin:recognizer_drawing_change", args=[drawing.pk]) in html
    assert len(rects(html, "#1a7f37")) == 4


def post_confirmation(client, number: Number, value: str):
    count = number.digits.count()
    data = {"confirmed_number": value, "_save": "Save", "digits-TOTAL_FORMS": str(count),
            "digits-INITIAL_FORMS": str(count), "digits-MIN_NUM_FORMS": "0", "digits-MAX_NUM_FORMS": "0"}
    for i, drawing in enumerate(number.digits.order_by("position")):
        data[f"digits-{i}-id"] = str(drawing.pk)
        data[f"digits-{i}-number"] = str(number.pk)
    return client.post(change_url(number), data)


def test_change_page_confirms_each_digit_through_the_service(admin_client, admin_user, numbers):
    read = numbers[0]
    response = post_confirmation(admin_client, read, "2028")

    assert response.status_code == 302, response.content.decode()[:2000]
    read.refresh_from_db()
    assert read.confirmed_number == "2028" and read.confirmed_by == admin_user and not read.confirmed_count_differs
    assert [d.confirmed_label for d in read.digits.order_by("position")] == [2, 0, 2, 8]


def test_change_page_refuses_a_number_with_other_characters(admin_client, numbers):
    response = post_confirmation(admin_client, numbers[0], "20.26")

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Number.objects.get(pk=numbers[0].pk).confirmed_number == ""


def test_action_confirms_as_read_and_skips_numbers_with_no_digit(admin_client, admin_user, numbers):
    data = {"action": "confirm_reading", "_selected_action": [str(n.pk) for n in numbers]}
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 302
    read, empty = (Number.objects.get(pk=n.pk) for n in numbers)
    assert read.confirmed_number == read.number == "2026" and empty.confirmed_number == ""
    assert [d.confirmed_label for d in read.digits.order_by("position")] == [2, 0, 2, 6]


def test_action_accepts_the_users_number_and_flags_another_count(admin_client, admin_user, numbers):
    read = number_services.number_suggest(number=numbers[0], value="20260")
    data = {"action": "accept_suggestion", "_selected_action": [str(read.pk)]}
    admin_client.post(reverse(CHANGELIST), data)

    read.refresh_from_db()
    assert read.confirmed_number == "20260" and read.confirmed_count_differs
    assert not Drawing.objects.filter(number=read, confirmed_label__isnull=False).exists()
    flagged = admin_client.get(reverse(CHANGELIST) + "?confirmed_count_differs__exact=1")
    assert list(flagged.context["cl"].result_list) == [read]


def test_a_digit_drawing_links_to_its_number(admin_client, numbers):
    drawing = numbers[0].digits.get(position=2)
    html = admin_client.get(reverse("admin:recognizer_drawing_change", args=[drawing.pk])).content.decode()

    assert change_url(numbers[0]) in html and "digit 3 from the left" in html
    drawings = admin_client.get(reverse("admin:recognizer_drawing_changelist") + "?source__exact=number")
    assert set(drawings.context["cl"].result_list) == set(numbers[0].digits.all())


def test_numbers_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:recognizer_number_add")).status_code == 403


def test_change_page_names_the_owner_of_a_signed_in_users_number(admin_client, mnist_test, django_user_model):
    writer = django_user_model.objects.create_user("writer", "writer@example.com", "a long passphrase")
    number = number_services.number_create(image=number_png(mnist_test, "42"), source="page", owner=writer)
    html = admin_client.get(change_url(number)).content.decode()
    assert re.search(r'<div class="readonly">\s*(<a [^>]*>)?writer', html)
