"""The API's own documentation: the OpenAPI schema says what the views really do, and the docs pages
load nothing from another host."""
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from digitsite.api_docs import DOCS_CONTENT_SECURITY_POLICY

SCHEMA_URL = "/api/schema/?format=json"
STAFF_OPERATIONS = {
    ("get", "/api/predictions/"),
    ("patch", "/api/predictions/{id}/"),
    ("get", "/api/numbers/"),
    ("patch", "/api/numbers/{id}/"),
}
THROTTLED_OPERATIONS = {
    ("post", "/api/predictions/"),
    ("post", "/api/predictions/batch/"),
    ("post", "/api/predictions/preview/"),
    ("post", "/api/predictions/{id}/feedback/"),
    ("post", "/api/numbers/"),
    ("post", "/api/numbers/{id}/feedback/"),
    ("post", "/predict"),
    ("post", "/predict/"),
}
HUGE_BODY = str(10**9)  # a Content-Length over every limit; nothing is sent
REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"  # drawn in Redoc's side menu, blocked by the CSP
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict:
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


def operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def concrete(path: str, drawing) -> str:
    return path.replace("{id}", str(drawing.pk))


def csp_directives(policy: str) -> dict[str, set[str]]:
    return {name: set(values) for name, *values in (part.split() for part in policy.split(";"))}


def test_the_schema_generates_and_validates_without_a_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert (tmp_path / "schema.yml").stat().st_size > 0


@pytest.mark.django_db
def test_every_operation_has_a_summary_and_a_tag(schema):
    for key, operation in operations(schema).items():
        assert operation.get("summary"), key
        assert operation.get("tags"), key


@pytest.mark.django_db
def test_public_operations_show_no_padlock_and_staff_operations_need_a_session_or_token(schema):
    for key, operation in operations(schema).items():
        if key in STAFF_OPERATIONS:
            assert operation["security"] == [{"cookieAuth": []}, {"tokenAuth": []}], key
            assert "403" in operation["responses"], key
        else:
            assert "security" not in operation, key


@pytest.mark.django_db
def test_batch_results_are_a_prediction_or_an_error_entry_each_its_own_component(schema):
    components = schema["components"]["schemas"]
    results = components["BatchResults"]["properties"]["results"]
    assert results["items"] == {"$ref": "#/components/schemas/BatchResult"}

    union = components["BatchResult"]
    assert union["oneOf"] == [
        {"$ref": "#/components/schemas/BatchPrediction"},
        {"$ref": "#/components/schemas/BatchError"},
    ]
    assert union["discriminator"]["propertyName"] == "status"
    prediction, error = components["BatchPrediction"], components["BatchError"]
    assert set(components["Drawing"]["properties"]) < set(prediction["properties"])
    assert set(prediction["required"]) >= {"status", "id", "prediction", "probabilities", "digit_score"}
    assert set(error["properties"]) == {"status", "error"} and set(error["required"]) == {"status", "error"}
    for entry, value in ((prediction, "success"), (error, "error")):
        status = entry["properties"]["status"]
        enum = components[status["allOf"][0]["$ref"].rsplit("/", 1)[1]] if "allOf" in status else status
        assert enum["enum"] == [value]


@pytest.mark.django_db
def test_exactly_the_throttled_operations_document_429_with_retry_after(schema):
    for key, operation in operations(schema).items():
        throttled = operation["responses"].get("429")
        if key in THROTTLED_OPERATIONS:
            assert throttled["headers"]["Retry-After"]["required"], key
            assert throttled["headers"]["Retry-After"]["schema"] == {"type": "integer"}, key
            assert throttled["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        else:
            assert throttled is None, key


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", sorted(THROTTLED_OPERATIONS))
def test_a_throttled_answer_is_a_429_with_retry_after(api_client, settings, drawing, method, path):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "predict": "1/min", "feedback": "1/min", "preview": "1/min"},
    }
    url = concrete(path, drawing)

    api_client.generic(method.upper(), url, "{}", content_type="application/json")
    response = api_client.generic(method.upper(), url, "{}", content_type="application/json")

    assert response.status_code == 429
    assert response["Retry-After"].isdigit() and 0 < int(response["Retry-After"]) <= 60
    assert response.json()["status"] == "error"


@pytest.mark.django_db
def test_413_is_documented_exactly_where_an_oversized_body_gets_it(client, schema, drawing):
    for (method, path), operation in operations(schema).items():
        response = client.generic(
            method.upper(), concrete(path, drawing), b"", content_type="application/json", CONTENT_LENGTH=HUGE_BODY
        )

        assert (response.status_code == 413) == ("413" in operation["responses"]), (method, path)


@pytest.mark.django_db
def test_415_is_documented_exactly_where_a_body_of_another_type_gets_it(staff_client, schema, drawing):
    for (method, path), operation in operations(schema).items():
        response = staff_client.generic(method.upper(), concrete(path, drawing), b"<x/>", content_type="application/xml")

        assert (response.status_code == 415) == ("415" in operation["responses"]), (method, path)


@pytest.mark.django_db
def test_a_bad_token_on_a_public_operation_is_the_documented_403(api_client, schema, drawing):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = api_client.get(concrete("/api/predictions/{id}/", drawing))

    assert response.status_code == 403
    assert "403" in schema["paths"]["/api/predictions/{id}/"]["get"]["responses"]


@pytest.mark.django_db
def test_unhealthy_answers_say_why_in_a_documented_field(schema):
    health = schema["components"]["schemas"]["Health"]

    assert "error" in health["properties"] and "error" not in health["required"]
    assert set(schema["paths"]["/health"]["get"]["responses"]) == {"200", "503"}


@pytest.mark.django_db
def test_redoc_is_served_from_this_site_without_web_fonts(client):
    response = client.get("/api/redoc/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Redoc.init" in html or "<redoc" in html
    assert re.findall(r'<script src="([^"]+)"', html) == [f"/static/{REDOC_BUNDLE}"]
    assert "https://" not in html and "http://" not in html and "fonts.g" not in html


@pytest.mark.parametrize("url", ["/api/redoc/", "/api/docs/"])
@pytest.mark.django_db
def test_the_docs_pages_may_load_nothing_from_another_host(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = csp_directives(policy)

    assert policy == DOCS_CONTENT_SECURITY_POLICY
    assert directives["default-src"] == {"'self'"}
    assert directives["img-src"] == {"'self'", "data:"} and directives["font-src"] == {"'self'"}
    allowed = set().union(*directives.values())
    assert not any(source.startswith(("http", "*")) or source == "https:" for source in allowed)


def test_the_only_off_site_asset_in_the_redoc_bundle_is_the_logo_the_policy_blocks():
    bundle = open(finders.find(REDOC_BUNDLE), encoding="utf-8").read()

    assert set(re.findall(r'src:"(https?://[^"]+)"', bundle)) == {REDOCLY_LOGO}
    assert not re.search(r"url\(\s*['\"]?https?://", bundle)
    assert "@font-face" not in bundle and "fonts.googleapis" not in bundle


@pytest.mark.django_db
def test_swagger_ui_has_no_online_validator_badge(client):
    html = client.get("/api/docs/").content.decode()

    assert re.search(r'"validatorUrl":\s*null', html)
