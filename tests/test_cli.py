"""The command line as a user runs it: `python -m qa_service ...` in a subprocess."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from pdfs import HEAD, harbour_report

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import load_index

COMMAND = [sys.executable, "-m", "qa_service"]


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment a user's shell gives `python -m qa_service` for `settings`' collection."""
    return {**os.environ, "QA_DOCS_DIR": str(settings.docs_dir), "QA_INDEX_DIR": str(settings.index_dir),
            "QA_FEEDBACK_DB": str(settings.feedback_db), "HF_HUB_OFFLINE": "1"}


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], cwd=PROJECT_ROOT, env=cli_env(settings), capture_output=True, text=True,
                          timeout=180)


def _new_collection(root: Path, docs_dir: Path | None = None) -> Settings:
    """Settings for a collection not started yet: no documents folder unless the test makes one, no index."""
    return Settings(docs_dir=docs_dir or root / "docs", index_dir=root / "index", feedback_db=root / "feedback.sqlite3")


def _asked(settings: Settings, question: str) -> dict:
    """The answer `ask --json` prints (the API's JSON), after checking the command succeeded."""
    result = run(settings, "ask", "--json", question)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _snapshot(settings: Settings) -> tuple[list[str], str]:
    docs = sorted(p.name for p in settings.docs_dir.iterdir())
    return docs, os.readlink(settings.index_dir / "current")


def test_build_index_then_status(scratch: Settings) -> None:
    assert run(scratch, "status").returncode == 1
    built = run(scratch, "build-index")
    assert built.returncode == 0, built.stderr
    assert "Built index" in built.stdout and "5 documents (5 embedded, 0 unchanged)" in built.stdout
    status = run(scratch, "status")
    assert status.returncode == 0 and status.stdout.strip() == "index: current"


def test_ask_prints_numbered_sources(indexed: Settings) -> None:
    result = run(indexed, "ask", "What did the government decide about eCAF?")
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "eCAF" in result.stdout
    assert any(line.startswith("[1] ") and "000_6e7c75f473633143 chars" in line for line in result.stdout.splitlines())


def test_ask_json_is_the_answer_contract(indexed: Settings) -> None:
    body = _asked(indexed, "What did the government decide about eCAF?")
    assert {"answer", "abstained", "citations", "passages"} <= set(body)
    assert body["abstained"] is False and body["citations"] and body["passages"]
    assert body["citations"][0]["quote"] in body["answer"]


def test_ingest_adds_a_markdown_file_and_updates_the_index(indexed: Settings, tmp_path: Path, embedder: Embedder) -> None:
    source = tmp_path / "Kinship Care.md"
    source.write_text("# Kinship carers get new allowance\n\nThe council said **kinship carers** would receive a "
                      "weekly allowance from June, after a campaign by grandparents raising grandchildren.\n", "utf-8")
    result = run(indexed, "ingest", str(source))
    assert result.returncode == 0, result.stderr
    assert "Added kinship-care" in result.stdout and "1 embedded, 5 unchanged" in result.stdout
    assert (indexed.docs_dir / "kinship-care.txt").is_file()
    assert run(indexed, "status").returncode == 0
    data = load_index(indexed.index_dir, embedder.name, embedder.dimension)
    assert "weekly allowance from June" in data.documents["kinship-care"].text


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_the_first_document_starts_a_collection(tmp_path: Path, folder: str) -> None:
    settings = _new_collection(tmp_path, tmp_path / "collection" / "docs")
    if folder == "empty":
        settings.docs_dir.mkdir(parents=True)
    source = tmp_path / "harbour.txt"
    source.write_text("Harbour dues rise in April\n\nThe harbour board said dues for moorings would rise by four "
                      "per cent from April to pay for dredging the channel.\n", "utf-8")
    result = run(settings, "ingest", str(source))
    assert result.returncode == 0, result.stderr
    assert "Added harbour" in result.stdout and "1 embedded, 0 unchanged" in result.stdout
    assert sorted(p.name for p in settings.docs_dir.iterdir()) == ["harbour.txt"]  # no temporary file left
    assert "dredging" in _asked(settings, "Why will harbour dues rise?")["answer"]


def test_a_pdf_report_is_ingested_and_answered_from(tmp_path: Path) -> None:
    settings = _new_collection(tmp_path)
    result = run(settings, "ingest", str(harbour_report(tmp_path / "Harbour Report.pdf")))
    assert result.returncode == 0, result.stderr
    assert "Added harbour-report: 'Harbour dues and dredging'" in result.stdout
    assert "Embedding:   0%" in result.stderr and "Embedding: 100%" in result.stderr  # the bar, from start to end
    answer = _asked(settings, "Why must the harbour channel be dredged more?")
    assert not answer["abstained"] and "dredging has doubled" in answer["answer"]
    assert HEAD not in answer["answer"]


def test_a_folder_of_reports_is_ingested_in_one_command(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    (folder / "2025").mkdir(parents=True)
    harbour_report(folder / "2025" / "harbour.pdf")
    procedure = docx.Document()
    procedure.add_paragraph("Kinship carers are paid a weekly allowance from the first week of the placement.")
    procedure.save(str(folder / "kinship.docx"))
    (folder / "photo.png").write_bytes(b"\x89PNG not a document")
    settings = _new_collection(tmp_path)
    result = run(settings, "ingest", str(folder))
    assert result.returncode == 0, result.stderr
    assert "Added harbour:" in result.stdout and "Added kinship:" in result.stdout
    assert sorted(p.name for p in settings.docs_dir.iterdir()) == ["harbour.txt", "kinship.txt", "originals"]
    originals = settings.docs_dir / "originals"
    assert sorted(p.name for p in originals.iterdir()) == ["harbour.pdf", "kinship.docx"]  # kept for page links
    assert (originals / "harbour.pdf").read_bytes() == (folder / "2025" / "harbour.pdf").read_bytes()
    empty = tmp_path / "nothing"
    empty.mkdir()
    refused = run(settings, "ingest", str(empty))
    assert refused.returncode == 2 and refused.stderr.startswith("error: nothing: the folder holds no .txt")


def test_a_failed_first_ingest_leaves_no_folder_behind(tmp_path: Path) -> None:
    settings = _new_collection(tmp_path)
    source = tmp_path / "empty.txt"
    source.write_bytes(b"\n")
    result = run(settings, "ingest", str(source))
    assert result.returncode == 2 and result.stderr.startswith("error: empty.txt:")
    assert not settings.docs_dir.exists()


def test_build_index_on_an_empty_folder_says_how_to_start(tmp_path: Path) -> None:
    settings = _new_collection(tmp_path)
    settings.docs_dir.mkdir()
    result = run(settings, "build-index")
    assert result.returncode == 2
    assert "no documents (*.txt)" in result.stderr and "ingest FILE" in result.stderr


@pytest.mark.parametrize(("case", "says"), [("empty", "the file is empty"), ("binary", "looks like a binary file"),
                                         ("duplicate", "same text"), ("too_large", "(QA_MAX_DOCUMENT_BYTES)")])
def test_unusable_ingest_exits_2_and_changes_nothing(indexed: Settings, tmp_path: Path, case: str, says: str) -> None:
    source = tmp_path / f"{case}.txt"
    if case == "empty":
        source.write_bytes(b"\n \n")
    elif case == "binary":
        source.write_bytes(b"GIF89a\x00\x01\x00\x01\x00\x80\x00\x00")
    elif case == "too_large":  # over the default limit, which the command's environment leaves as it is
        source.write_bytes(b"word " * (Settings.max_document_bytes // 5 + 1))
    else:
        original = (indexed.docs_dir / "003_7bfe52c2e0f08c40.txt").read_text("utf-8")
        source.write_text(original, "utf-8")
    before = _snapshot(indexed)
    result = run(indexed, "ingest", str(source))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {source.name}:") and says in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert _snapshot(indexed) == before


def test_ingest_names_the_encoding_of_a_file_it_converts_to_utf8(indexed: Settings, tmp_path: Path) -> None:
    cafe = tmp_path / "Cafe Prices.txt"
    cafe.write_bytes("Café prices rise\n\nThe café on the quay said a “flat white” now costs €3.20, up from €2.90 "
                     "last spring.\n".encode("cp1252"))
    ferry = tmp_path / "ferry.txt"
    ferry.write_bytes(codecs.BOM_UTF16_LE + "Ferry fares\n\nThe ferry’s fares stay as they are until the new boat "
                      "arrives in March.\n".encode("utf-16-le"))
    kinship = tmp_path / "kinship.txt"
    kinship.write_text("Kinship carers are paid a weekly allowance from the first week of the placement.\n", "utf-8")
    result = run(indexed, "ingest", str(cafe), str(ferry), str(kinship))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "Added cafe-prices: 'Café prices rise' (read as windows-1252, stored as UTF-8)",
        "Added ferry: 'Ferry fares' (read as utf-16-le, stored as UTF-8)",
        "Added kinship: 'Kinship carers are paid a weekly allowance from the first week of the placement.'",
    ]
    stored = (indexed.docs_dir / "cafe-prices.txt").read_bytes().decode("utf-8")  # strictly: UTF-8 or it raises
    assert "The café on the quay said a “flat white” now costs €3.20" in stored
    assert "The ferry’s fares stay" in (indexed.docs_dir / "ferry.txt").read_bytes().decode("utf-8")


def test_a_pdf_is_removed_with_its_original_and_its_answers(tmp_path: Path) -> None:
    settings = _new_collection(tmp_path)
    procedure = tmp_path / "kinship.txt"
    procedure.write_text("Kinship carers are paid a weekly allowance from the first week of the placement.\n")
    assert run(settings, "ingest", str(procedure), str(harbour_report(tmp_path / "harbour.pdf"))).returncode == 0
    cited = _asked(settings, "Why must the harbour channel be dredged more?")["citations"][0]
    assert cited["doc_id"] == "harbour" and cited["page"] in range(1, 5)
    shown = run(settings, "ask", "Why must the harbour channel be dredged more?").stdout
    assert f"[1] Harbour dues and dredging ({cited['date']}, p. {cited['page']}) - harbour chars" in shown
    result = run(settings, "remove", "harbour")
    assert result.returncode == 0, result.stderr
    assert "Removed harbour" in result.stdout and "1 documents" in result.stdout
    assert sorted(p.name for p in settings.docs_dir.rglob("*") if p.is_file()) == ["kinship.txt"]
    assert all(c["doc_id"] != "harbour" for c in _asked(settings, "Why must the harbour be dredged?")["citations"])
    before = _snapshot(settings)
    for args, says in ((("remove", "harbour"), "no document has the id 'harbour'"),
                       (("remove", "kinship"), "the collection would be empty")):
        refused = run(settings, *args)
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
    assert _snapshot(settings) == before


def test_unknown_command_exits_2(indexed: Settings) -> None:
    result = run(indexed, "frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr
