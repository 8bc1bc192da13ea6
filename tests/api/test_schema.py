from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/ccgs/{ods_code}/",
        "/api/v1/practices/{ods_code}/",
        "/api/v1/auth/token/",
    ):
        assert path in text


def test_every_operation_has_a_response_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            ok = [
                code
                for code, response in operation.get("responses", {}).items()
                if code.startswith("2") and (response.get("content") or code == "204")
            ]
            if not ok:
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing


def test_docs_page_serves_without_a_cdn(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"cdn." not in page.content and b"unpkg" not in page.content
