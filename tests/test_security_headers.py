"""Every response carries nosniff and a Referrer-Policy; the service's own pages a self-only CSP,
which the widget's files do not carry, so that sites on other origins keep embedding it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from qa_service.app import create_app
from qa_service.config import Settings
from qa_service.security_headers import PAGE_POLICY

DOC = "003_7bfe52c2e0f08c40"


def test_every_kind_of_response_says_nosniff_and_its_referrer_policy(client: FlaskClient) -> None:
    responses = {
        "answer": client.post("/api/ask", json={"question": "Who is the head of safeguarding?"}),
        "bad request": client.post("/api/ask", json={"question": ""}),
        "unknown route": client.get("/nope"),
        "wrong method": client.get("/api/ask"),
        "too large": client.post("/api/ask", json={"question": "x" * 70_000}),
        "readiness": client.get("/readyz"),
        "openapi": client.get("/openapi.json"),
        "widget script": client.get("/widget.js"),
        "demo page": client.get("/"),
        "source page": client.get(f"/source/{DOC}?start=0&end=10"),
        "source error": client.get("/source/nope"),
        "preflight": client.options("/api/ask"),
    }
    for name, response in responses.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        assert "X-Frame-Options" not in response.headers, name  # frame-ancestors says it for the pages
    assert {name for name, r in responses.items() if "Content-Security-Policy" in r.headers} == {
        "demo page", "source page", "source error"}
    assert all(r.headers.get("Content-Security-Policy") in (None, PAGE_POLICY) for r in responses.values())


def test_the_widget_files_stay_embeddable_from_other_sites(client: FlaskClient) -> None:
    for path in ("/widget.js", "/widget.css"):
        response = client.get(path, headers={"Origin": "https://customer.example"})
        assert response.status_code == 200
        assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert "Content-Security-Policy" not in response.headers  # the host page's own policy governs it


def test_an_unexpected_error_carries_them_too(scratch: Settings) -> None:
    app: Flask = create_app(scratch)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert (response.headers["X-Content-Type-Options"], response.headers["Referrer-Policy"]) == ("nosniff",
                                                                                               "same-origin")
