"""Errors outside any one endpoint, and the API documentation."""
import re

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
    # Every script, style and icon comes from this server: nothing from a CDN. (Looking for "cdn" anywhere in
    # the page failed once on the random CSRF token embedded in it.)
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets)
    assert "https://" not in html and "http://" not in html


@pytest.mark.django_db
def test_openapi_schema_describes_not_a_digit_and_the_raw_data_url_body(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]

    drawing = components["Drawing"]["properties"]
    for field in ["digit_score", "is_digit", "suggested_not_a_digit", "confirmed_not_a_digit"]:
        assert field in drawing
    assert drawing["digit_score"]["nullable"] and drawing["is_digit"]["nullable"]
    assert {"digit_score", "is_digit"} <= set(components["SeedPrediction"]["properties"])
    assert {"label", "not_a_digit"} <= set(components["Feedback"]["properties"])
    assert {"confirmed_label", "confirmed_not_a_digit"} <= set(components["PatchedConfirm"]["properties"])
    for path in ["/predict", "/predict/"]:
        body = schema["paths"][path]["post"]["requestBody"]["content"]
        assert {"application/json", "multipart/form-data", "application/x-www-form-urlencoded"} <= set(body)
        assert body["application/x-www-form-urlencoded"]["schema"]["type"] == "string"
