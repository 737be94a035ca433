"""The upload API in-process: the admin token, every bad file refused with nothing changed,
and a PDF uploaded, built in the background, cited by page and removed again.

Each test has its own copy of the collection and its index (the `indexed` fixture), the
real model and real builds; gunicorn and killed builds are in test_server.py.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pdfs import harbour_report

from qa_service.app import create_app
from qa_service.config import Settings
from qa_service.engine import Engine
from qa_service.search.stored_builds import current_link, read_manifest

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WAIT = 120  # seconds a small build may take on this machine
DREDGING = "Why must the harbour channel be dredged more?"


@pytest.fixture
def admin(indexed: Settings, engine: Engine) -> Iterator[tuple[FlaskClient, Settings]]:
    settings = indexed.with_overrides(admin_token=TOKEN, max_upload_bytes=2 * 1024 * 1024,
                                      max_document_bytes=1024 * 1024)
    app: Flask = create_app(settings, engine)
    app.extensions["qa_service.live"].interval = 0  # look for a new build on every request
    yield app.test_client(), settings


def _state(settings: Settings) -> tuple[list[str], object]:
    """What must not change when a request is refused: the files of docs/ and the build served."""
    files = sorted(str(p.relative_to(settings.docs_dir)) for p in settings.docs_dir.rglob("*"))
    return files, (read_manifest(current_link(settings.index_dir)) or {}).get("build_keys")


def _upload(client: FlaskClient, *files: tuple[str, bytes], headers: dict | None = None):
    data = {"file": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/api/documents", data=data, content_type="multipart/form-data",
                       headers=AUTH if headers is None else headers)


def _finished(client: FlaskClient, response) -> dict:
    """The build a 202 answer started, once it has finished."""
    assert response.status_code == 202, response.get_json()
    url = response.headers["Location"]
    assert url == response.get_json()["build"]["url"]
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        build = client.get(url, headers=AUTH).get_json()
        if build["state"] in ("done", "failed", "interrupted"):
            return build
        time.sleep(0.2)
    pytest.fail(f"build still {build['state']} after {WAIT}s")


def _report(tmp_path: Path) -> bytes:
    return harbour_report(tmp_path / "report.pdf").read_bytes()


def test_without_a_token_set_the_routes_are_off(client: FlaskClient, check_schema) -> None:
    for response in (client.post("/api/documents", data={}, headers=AUTH), client.delete("/api/documents/x"),
                     client.get("/api/builds/" + "0" * 32)):
        assert response.status_code == 403
        check_schema(response.get_json(), "Error")
        assert response.get_json()["error"]["code"] == "uploads_off"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}])
def test_a_missing_or_wrong_token_is_401_and_changes_nothing(admin, tmp_path: Path, headers: dict) -> None:
    client, settings = admin
    before = _state(settings)
    response = _upload(client, ("report.pdf", _report(tmp_path)), headers=headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert client.delete("/api/documents/003_7bfe52c2e0f08c40", headers=headers).status_code == 401
    assert _state(settings) == before


def _encrypted(tmp_path: Path) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(harbour_report(tmp_path / "plain.pdf")))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "status", "code", "says"), [
    ("locked.pdf", _encrypted, 400, "bad_document", "password-protected"),
    ("broken.pdf", lambda tmp: _report(tmp)[:2000], 400, "bad_document", "not a readable PDF"),
    ("empty.pdf", lambda tmp: b"", 400, "bad_document", "empty"),
    ("photo.png", lambda tmp: b"\x89PNG....", 400, "bad_document", "unsupported file type"),
    ("copy.txt", lambda tmp: (Path("docs") / "003_7bfe52c2e0f08c40.txt").read_bytes(), 409, "duplicate_document",
     "same text"),
    ("003_7bfe52c2e0f08c40.txt", lambda tmp: b"A new text under a name the collection has.\n", 409,
     "duplicate_document", "exists already"),
    ("huge.txt", lambda tmp: b"word " * 500_000, 413, "body_too_large", "larger than"),
    ("long.txt", lambda tmp: b"word " * 300_000, 400, "bad_document",
     "1,500,000 bytes, over the limit of 1,048,576 bytes a document may have (QA_MAX_DOCUMENT_BYTES)"),
])
def test_a_bad_file_gets_a_4xx_naming_it_and_changes_nothing(
        admin, tmp_path: Path, check_schema, name: str, make, status: int, code: str, says: str) -> None:
    client, settings = admin
    before = _state(settings)
    response = _upload(client, ("fine.pdf", _report(tmp_path)), (name, make(tmp_path)))
    body = response.get_json()
    assert response.status_code == status, body
    check_schema(body, "Error")
    assert body["error"]["code"] == code and says in body["error"]["message"]
    if status != 413:  # a body over the limit is refused before its files are read
        assert name in body["error"]["message"]
    assert _state(settings) == before
    jobs = settings.index_dir / "jobs"
    assert not (jobs.is_dir() and any(p.is_dir() for p in jobs.iterdir()))  # the files sent are not kept


def test_a_body_that_is_not_files_is_refused(admin) -> None:
    client, _ = admin
    assert client.post("/api/documents", json={"file": "x"}, headers=AUTH).status_code == 415
    empty = client.post("/api/documents", data={"note": "no file"}, content_type="multipart/form-data", headers=AUTH)
    assert empty.status_code == 400 and empty.get_json()["error"]["code"] == "no_files"
    assert client.get("/api/builds/nope", headers=AUTH).status_code == 404
    assert client.delete("/api/documents/nope", headers=AUTH).get_json()["error"]["code"] == "unknown_document"


def test_an_uploaded_pdf_is_built_cited_by_page_and_removed(admin, tmp_path: Path, check_schema) -> None:
    client, settings = admin
    assert client.post("/api/ask", json={"question": DREDGING}).get_json()["abstained"]
    procedure = docx.Document()
    procedure.add_paragraph("Kinship carers are paid a weekly allowance from the first week of the placement.")
    word = io.BytesIO()
    procedure.save(word)
    response = _upload(client, ("Harbour Report.pdf", _report(tmp_path)), ("kinship.docx", word.getvalue()))
    check_schema(response.get_json(), "BuildStarted")
    assert [(d["id"], d["encoding"]) for d in response.get_json()["documents"]] == [
        ("harbour-report", None), ("kinship", None)]
    build = _finished(client, response)
    check_schema(build, "Build")
    assert build["state"] == "done" and build["embedded"] == build["to_embed"] > 0, build

    answer = client.post("/api/ask", json={"question": DREDGING}).get_json()
    check_schema(answer, "Answer")
    assert not answer["abstained"] and "dredging has doubled" in answer["answer"]
    document = client.get("/api/documents/harbour-report").get_json()
    check_schema(document, "Document")
    assert document["pages"] == 4 and document["original"] == "/api/documents/harbour-report/original"
    for citation in answer["citations"]:
        assert citation["quote"] == document["text"][citation["start"]:citation["end"]]
        page = citation["page"]
        starts = [*document["page_starts"], len(document["text"])]
        assert starts[page - 1] <= citation["start"] < starts[page]
        source = client.get(f"/source/harbour-report?start={citation['start']}&end={citation['end']}")
        html = source.get_data(as_text=True)
        assert f"Page {page} of 4" in html and f"/api/documents/harbour-report/original#page={page}" in html
        assert html.count("<mark") == 1 and "the protection of the" in html
    original = client.get("/api/documents/harbour-report/original")
    assert original.status_code == 200 and original.mimetype == "application/pdf"
    assert original.data == (settings.docs_dir / "originals" / "harbour-report.pdf").read_bytes()
    assert client.get("/api/documents/003_7bfe52c2e0f08c40/original").get_json()["error"]["code"] == "no_original"

    for doc_id in ("harbour-report", "kinship"):
        removed = _finished(client, client.delete(f"/api/documents/{doc_id}", headers=AUTH))
        assert removed["state"] == "done", removed
    assert client.get("/api/documents/harbour-report").status_code == 404
    assert not (settings.docs_dir / "originals" / "harbour-report.pdf").exists()
    assert client.post("/api/ask", json={"question": DREDGING}).get_json()["abstained"]


def test_an_uploaded_text_names_its_encoding_and_is_stored_as_utf8(admin, check_schema) -> None:
    client, settings = admin
    text = "Café prices rise\n\nThe café on the quay said a “flat white” now costs €3.20, up from €2.90.\n"
    response = _upload(client, ("Cafe Prices.txt", text.encode("cp1252")), ("plain.txt", b"Plain words in UTF-8.\n"))
    check_schema(response.get_json(), "BuildStarted")
    assert [(d["id"], d["encoding"]) for d in response.get_json()["documents"]] == [
        ("cafe-prices", "windows-1252"), ("plain", "utf-8")]
    assert _finished(client, response)["state"] == "done"
    assert text.splitlines()[-1] in client.get("/api/documents/cafe-prices").get_json()["text"]
    assert "“flat white” now costs €3.20" in (settings.docs_dir / "cafe-prices.txt").read_bytes().decode("utf-8")


def test_the_last_document_cannot_be_removed(admin) -> None:
    client, settings = admin
    for path in sorted(settings.docs_dir.glob("*.txt"))[1:]:
        path.unlink()
    last = sorted(settings.docs_dir.glob("*.txt"))[0].stem
    response = client.delete(f"/api/documents/{last}", headers=AUTH)
    assert response.status_code == 409 and "empty" in response.get_json()["error"]["message"]
    assert (settings.docs_dir / f"{last}.txt").is_file()


def test_the_first_document_starts_a_collection_over_http(tmp_path: Path) -> None:
    settings = Settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index", feedback_db=tmp_path / "f.sqlite3",
                        admin_token=TOKEN)
    app = create_app(settings)
    app.extensions["qa_service.live"].interval = 0
    client = app.test_client()
    assert client.get("/readyz").status_code == 503  # nothing to serve yet
    build = _finished(client, _upload(client, ("report.pdf", _report(tmp_path))))
    assert build["state"] == "done", build
    assert client.get("/readyz").get_json()["documents"] == 1
    answer = client.post("/api/ask", json={"question": DREDGING}).get_json()
    assert answer["citations"][0]["doc_id"] == "report" and answer["citations"][0]["page"] in range(1, 5)
