"""The drawing page is served with a CSRF cookie for its script."""
import pytest


@pytest.mark.django_db
def test_index_renders_the_drawing_page_with_a_csrf_cookie(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "recognizer/index.html" in [t.name for t in response.templates]
    assert "csrftoken" in response.cookies
