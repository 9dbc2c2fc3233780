"""The OpenAPI document and Swagger UI, served without any CDN."""

from __future__ import annotations

import re


def test_openapi_documents_every_route(app, client):
    spec = client.get("/api/openapi.json").json
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api-docs.openapi_json":
            path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, f"{rule.rule} is not in the OpenAPI document"


def test_every_operation_documents_its_errors_in_the_envelope(client):
    spec = client.get("/api/openapi.json").json
    envelope = spec["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], f"{method} {path}"


def test_protected_operations_declare_bearer_auth(client):
    spec = client.get("/api/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    me = spec["paths"]["/api/auth/me/"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert "401" in me["responses"]
    users = spec["paths"]["/api/admin/users/"]["get"]
    assert "403" in users["responses"]


def test_swagger_ui_assets_are_served_locally(client):
    page = client.get("/swagger/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "https://" not in html
    for asset in re.findall(r'(?:src|href)="(/swagger/assets/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert "/swagger/assets/swagger-ui-bundle.js" in html
