"""Errors outside any one endpoint, and the API documentation."""
import pytest


@pytest.mark.django_db
def test_unknown_api_url_is_a_json_404(client, settings):
    settings.DEBUG = False
    response = client.get("/api/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "error": "not found"}


@pytest.mark.django_db
def test_wrong_method_is_a_json_405(api_client):
    response = api_client.get("/predict")

    assert response.status_code == 405
    assert response.json()["status"] == "error"


@pytest.mark.django_db
def test_unsupported_media_type_is_a_json_415(api_client):
    response = api_client.post("/api/predictions/", data=b"<x/>", content_type="application/xml")

    assert response.status_code == 415
    assert response.json()["status"] == "error"


@pytest.mark.django_db
def test_openapi_schema_describes_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/predictions/", "/api/predictions/batch/", "/api/predictions/{id}/", "/predict", "/health"]:
        assert path in paths


@pytest.mark.django_db
def test_api_docs_work_offline(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html
