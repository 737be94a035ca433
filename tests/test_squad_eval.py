"""`python -m evaluate --squad FILE`: a SQuAD 2.0-format file run through the real engine and baselines.

A small file written here (two articles, five paragraphs, answerable and unanswerable
questions, one context holding a line break, which cleaning turns into a paragraph break)
goes through the CLI entry once; the tests then check that what it printed and wrote agrees
with what it asked, recomputing figures from the per-question records and one baseline's
answer from the index by hand. Nothing here knows what the engine answers. Bad files must
fail in one line, with exit status 2, before the model is loaded or anything is written.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import pytest

from evaluate import cli
from evaluate.floor import parse_floor
from evaluate.metrics import strip_markers
from evaluate.squad_collection import (
    ParagraphSpan,
    article_document,
    build_collection,
    in_paragraph,
    locate_paragraphs,
    write_documents,
)
from evaluate.squad_format import load_squad, parse_squad
from evaluate.squad_metrics import SQUAD_METRICS, contains_answer, normalize_answer
from qa_service.config import PROJECT_ROOT
from qa_service.reading.documents import load_collection
from qa_service.reading.segmenting import ChunkSettings
from qa_service.search.indexing import prepare_document
from qa_service.text import tokenize

SYSTEMS = ["engine", "hybrid top-2", "bm25 top-2", "dense top-2"]
BASELINES = SYSTEMS[1:]
BROKEN_CONTEXT = "The keepers' cottages were restored in 2005.\nThey now house a small café and a shop selling local crafts."


def qa(qid: str, question: str, context: str, *answers: str) -> dict[str, Any]:
    """A question in SQuAD's format; without answers it is unanswerable."""
    spans = [{"text": a, "answer_start": context.index(a)} for a in answers]
    return {"id": qid, "question": question, "answers": spans, "is_impossible": not answers}


def paragraph(context: str, *questions: tuple[str, str, tuple[str, ...]]) -> dict[str, Any]:
    return {"context": context, "qas": [qa(qid, q, context, *answers) for qid, q, answers in questions]}


LIGHT_1 = ("The Brightwater lighthouse stands on a granite headland at the mouth of the River Ulla. It was built in "
           "1843 by the engineer Thomas Keel, who used stone quarried on the island itself. Its lamp was first lit on "
           "12 October 1844 and could be seen from twenty miles out at sea.")
LIGHT_2 = ("For most of its history the light was tended by three keepers who worked in shifts. The last keeper, "
           "Margaret Hale, left in 1987 when the lamp was automated. Today the tower is a museum run by a local trust.")
BEES_1 = ("A honey bee colony has a single queen, several thousand drones and tens of thousands of female workers. "
          "Workers gather nectar and pollen and build the wax comb. The queen lays up to two thousand eggs a day in "
          "spring.")
BEES_2 = ("Bees communicate the direction of food through the waggle dance, first described by Karl von Frisch. He "
          "received the Nobel Prize in Physiology or Medicine in 1973 for this work.")

SMALL = {"version": "v2.0", "data": [
    {"title": "Brightwater_Lighthouse", "paragraphs": [
        paragraph(LIGHT_1, ("l1", "Who built the Brightwater lighthouse?", ("Thomas Keel",)),
                  ("l2", "When was the lamp of the lighthouse first lit?", ("12 October 1844", "1844")),
                  ("l3", "Who designed the bridge over the River Ulla?", ())),
        paragraph(LIGHT_2, ("l4", "Who was the last keeper of the light?", ("Margaret Hale",)),
                  ("l5", "In what year was the lamp automated?", ("1987",)),
                  ("l6", "How many visitors does the lighthouse museum receive each year?", ())),
        paragraph(BROKEN_CONTEXT, ("l7", "What do the keepers' cottages house now?", ("a small café",))),
    ]},
    {"title": "Honey_bee", "paragraphs": [
        paragraph(BEES_1, ("b1", "How many eggs can a queen bee lay in a day?", ("up to two thousand", "two thousand")),
                  ("b2", "What do worker bees build?", ("the wax comb", "wax comb")),
                  ("b3", "How long does a drone bee live?", ())),
        paragraph(BEES_2, ("b4", "Who first described the waggle dance of bees?", ("Karl von Frisch",)),
                  ("b5", "In what year did von Frisch receive the Nobel Prize?", ("1973",)),
                  ("b6", "Who received the Nobel Prize in Chemistry in 1973?", ())),
    ]},
]}
QUESTIONS = {q["id"]: (article["title"], p["context"], q)
             for article in SMALL["data"] for p in article["paragraphs"] for q in p["qas"]}
ANSWERABLE = [qid for qid, (_, _, q) in QUESTIONS.items() if not q["is_impossible"]]


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def tree_state(folder: Path) -> list[tuple[str, int, int]]:
    """Every entry below `folder` with its modification time and size (links not followed)."""
    if not folder.exists():
        return []
    return sorted((str(p.relative_to(folder)), p.lstat().st_mtime_ns, p.lstat().st_size) for p in folder.rglob("*"))


def project_state() -> tuple[list, list]:
    return tree_state(PROJECT_ROOT / "index"), tree_state(PROJECT_ROOT / "docs")


@contextlib.contextmanager
def squad_cli(embedder: Any) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """cli.main's squad runs with the session's embedder, stdout and stderr captured."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        patch.setattr(cli, "new_embedder", lambda: embedder)
        yield stdout, stderr


# ------------------------------------------------------------------ the official normalisation


@pytest.mark.parametrize(("text", "expected"), [
    ("The Normans", "normans"),  # lower case, article dropped
    ("in the 10th and 11th centuries", "in 10th and 11th centuries"),
    ("Rollo's", "rollos"),  # punctuation is deleted, not replaced by a space
    ("A.D. 911", "ad 911"),  # 'a' is an article only as a word: 'A.D.' is 'ad' once the dots go
    ("an   apple,\ta pear", "apple pear"),  # whitespace of any kind collapsed
    ("Theatre and Anthem", "theatre and anthem"),  # 'the' and 'an' inside words stay
    ("U.S.-based", "usbased"),
    ("“Norman”", "“norman”"),  # the script removes ASCII punctuation only: curly quotes stay
    ("the", ""),
    ("", ""),
])
def test_normalize_answer_matches_the_official_script(text, expected):
    assert normalize_answer(text) == expected


def test_containment_is_of_whole_words_after_normalisation():
    assert contains_answer("In 1096, Crusaders passed by the siege of Amalfi [1]", ["the Siege of Amalfi."])
    assert not contains_answer("In 1096, Crusaders passed by", ["1"])  # not a word of the answer
    assert not contains_answer("anything at all", ["The"])  # normalises to nothing: matches nothing
    assert contains_answer("Rollo's men", ["rollos"])


# ------------------------------------------------------------------ paragraphs in the cleaned text


def test_paragraphs_are_located_in_order_and_missing_ones_fall_back():
    text = "Alpha one.\n\nBeta two.\n\nAlpha one.\n\nGamma three."
    contexts = ("Alpha one.", "Alpha one.", "Delta four.", "Gamma three.")
    article = parse_squad({"data": [{"title": "T", "paragraphs": [
        {"context": c, "qas": [qa(f"q{k}", "Which?", c)]} for k, c in enumerate(contexts)]}]}, "t").articles[0]
    spans = locate_paragraphs(article, "d", text)
    assert [(s.start, s.end) for s in spans] == [(0, 10), (23, 33), (None, None), (35, 47)]  # the second Alpha: the later one
    assert [text[s.start:s.end] for s in spans if s.located] == ["Alpha one.", "Alpha one.", "Gamma three."]


def test_a_citation_is_in_its_paragraph_by_offsets_or_by_text():
    located = ParagraphSpan("d", "Beta two. More.", 12, 27)
    assert in_paragraph(located, "d", 12, 21, "Beta two.")
    assert not in_paragraph(located, "d", 10, 21, "x Beta two.")  # starts before the paragraph
    assert not in_paragraph(located, "other", 12, 21, "Beta two.")  # another article's document
    fallback = ParagraphSpan("d", "Beta two.\nMore.", None, None)
    assert in_paragraph(fallback, "d", 500, 505, "More.")
    assert not in_paragraph(fallback, "d", 12, 21, "Gamma.")


def test_real_cleaning_keeps_plain_contexts_and_splits_one_with_a_line_break(tmp_path):
    article = load_squad(write_small(tmp_path)).articles[0]
    prepared = prepare_document(article_document(article, 0), ChunkSettings())
    spans = locate_paragraphs(article, prepared.document.doc_id, prepared.document.text)
    assert [s.located for s in spans] == [True, True, False]
    assert all(prepared.document.text[s.start:s.end] == s.context for s in spans if s.located)
    assert prepared.document.title == "Brightwater Lighthouse"  # underscores read as spaces


def write_small(folder: Path) -> Path:
    return write(folder / "small-v2.0.json", SMALL)


# ------------------------------------------------------------------ one real run through the CLI


@pytest.fixture(scope="module")
def squad_run(embedder, tmp_path_factory) -> dict[str, Any]:
    """`python -m evaluate --squad small.json --json --html --check-floor <unreachable floor>`."""
    out = tmp_path_factory.mktemp("squad_run")
    floor = write(out / "floor.json", {"minimum": {"containment": 1.5, "overall": 1.5},
                                       "maximum": {"false_abstention": -1}})
    before = project_state()
    with squad_cli(embedder) as (stdout, stderr):
        code = cli.main(["--squad", str(write_small(out)), "--json", str(out / "run.json"),
                         "--html", str(out / "run.html"), "--check-floor", str(floor)])
    return {"code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(), "untouched": before == project_state(),
            "json": json.loads((out / "run.json").read_text()), "html": (out / "run.html").read_text(), "out": out}


def items_of(report: dict[str, Any], system: str) -> list[dict[str, Any]]:
    return [i for i in report["items"] if i["system"] == system]


def share(flags: Sequence[bool]) -> float:
    return round(sum(flags) / len(flags), 4)


def test_the_run_reports_every_system_on_every_question(squad_run):
    report = squad_run["json"]
    assert list(report["systems"]) == SYSTEMS
    assert report["questions"] == len(QUESTIONS) and report["answerable"] == len(ANSWERABLE)
    assert report["articles"] == ["Brightwater_Lighthouse", "Honey_bee"]
    for system in SYSTEMS:
        assert [i["id"] for i in items_of(report, system)] == list(QUESTIONS)  # the file's order, each once
    assert squad_run["untouched"]  # index/ and docs/ of the project were never written
    assert "(2 articles, 5 paragraphs, 9 answerable, 4 unanswerable)" in " ".join(squad_run["stdout"].split())


def test_figures_agree_with_the_answers_recorded(squad_run):
    report = squad_run["json"]
    for system in SYSTEMS:
        items = items_of(report, system)
        answerable = [i for i in items if i["answerable"]]
        unanswerable = [i for i in items if not i["answerable"]]
        for item in items:  # each judgement from the answer text itself
            text = "" if item["abstained"] else strip_markers(item["answer"])
            assert item["contains"] == (item["answerable"] and contains_answer(text, item["gold_answers"]))
        figures = report["systems"][system]
        assert figures["containment"] == share([i["contains"] for i in answerable])
        assert figures["false_abstention"] == share([i["abstained"] for i in answerable])
        assert figures["noans_abstention"] == share([i["abstained"] for i in unanswerable])
        assert figures["overall"] == share([i["contains"] for i in answerable] + [i["abstained"] for i in unanswerable])
        words = [len(strip_markers(i["answer"]).split()) for i in items if not i["abstained"]]
        assert figures["median_answer_words"] == statistics.median(words)
    for system in BASELINES:
        assert not any(i["abstained"] for i in items_of(report, system))
        assert all(len(i["citations"]) == 2 for i in items_of(report, system))


def test_first_citation_in_gold_paragraph_agrees_with_the_file(squad_run):
    """Contexts here are distinct and a sentence never crosses a paragraph, so the first quote lies in
    the question's own paragraph exactly when its context holds it (fallback paragraph included)."""
    report = squad_run["json"]
    for system in SYSTEMS:
        for item in items_of(report, system):
            article, context, _ = QUESTIONS[item["id"]]
            first = item["citations"][0] if item["citations"] and not item["abstained"] else None
            expected = bool(item["answerable"] and first and first["quote"] in context
                            and first["doc_id"].endswith(article.lower()))
            assert item["first_citation_in_gold_paragraph"] == expected, item
        answerable = [i for i in items_of(report, system) if i["answerable"]]
        assert report["systems"][system]["first_citation_in_gold_paragraph"] == share(
            [i["first_citation_in_gold_paragraph"] for i in answerable])
    assert report["paragraph_fallbacks"] == 1
    assert "1 of 5 paragraphs changed by cleaning" in squad_run["stdout"]


def test_bm25_baseline_answers_with_the_two_best_sentences_by_hand(squad_run, embedder, tmp_path):
    """The bm25 top-2 answer to one question, rebuilt from the same index with bm25s directly."""
    engine = build_collection(load_squad(write_small(tmp_path)), tmp_path / "again", embedder).engine
    sentences = engine.data.sentences
    retriever = bm25s.BM25()
    retriever.index([tokenize(s.text) for s in sentences], show_progress=False)
    question = QUESTIONS["l4"][2]["question"]
    scores = retriever.get_scores([t for t in tokenize(question) if t in retriever.vocab_dict])
    best = [sentences[int(i)].text for i in np.argsort(-scores, kind="stable")[:2]]
    item = next(i for i in items_of(squad_run["json"], "bm25 top-2") if i["id"] == "l4")
    assert [c["quote"] for c in item["citations"]] == best
    assert item["answer"] == f"{best[0]} [1] {best[1]} [2]"
    assert item["contains"] == ("margaret hale" in " ".join(best).lower())  # the gold answer, checked plainly


def test_printed_table_shows_the_json_figures(squad_run):
    rows = {}
    for line in squad_run["stdout"].splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 1 + len(SYSTEMS) and cells[0] in {m.name for m in SQUAD_METRICS}:
            rows.setdefault(cells[0], cells[1:])  # the systems' table comes first
    figures = squad_run["json"]["systems"]
    assert rows["containment"] == [f"{figures[s]['containment']:.3f}" for s in SYSTEMS]
    assert rows["overall"] == [f"{figures[s]['overall']:.3f}" for s in SYSTEMS]


def test_per_article_figures_add_up(squad_run):
    report = squad_run["json"]
    assert list(report["by_article"]) == ["Brightwater_Lighthouse", "Honey_bee"]
    engine = items_of(report, "engine")
    for title, figures in report["by_article"].items():
        mine = [i for i in engine if i["article"] == title and i["answerable"]]
        assert figures["containment"] == share([i["contains"] for i in mine])
    assert "Engine per article" in squad_run["stdout"]


def test_sweep_replays_the_run_with_abstention_off(squad_run):
    report = squad_run["json"]
    sweep = report["sweep"]
    rows = sweep["rows"]
    assert [r["threshold"] for r in rows] == sorted(r["threshold"] for r in rows)
    in_use = [r for r in rows if r["in_use"]]
    assert len(in_use) == 1 and in_use[0]["threshold"] == round(report["threshold_in_use"], 6)
    engine = report["systems"]["engine"]
    # single turns, no history: the threshold in use replayed gives what the real run measured
    assert in_use[0]["hasans_containment"] == engine["containment"]
    assert in_use[0]["noans_abstention"] == engine["noans_abstention"]
    assert in_use[0]["false_abstention"] == engine["false_abstention"]
    assert in_use[0]["overall"] == engine["overall"]
    best = [r for r in rows if r["best"]]
    assert len(best) == 1 and all(best[0]["overall"] >= r["overall"] for r in rows)
    unanswerable = [i for i in items_of(report, "engine") if not i["answerable"]]
    for row in rows:  # NoAns abstention from each question's confidence alone
        t = row["threshold"]
        refused = [i["abstains_at_every_threshold"] or i["confidence"] < t for i in unanswerable]
        assert row["noans_abstention"] == share(refused)
        contained = round(row["hasans_containment"] * len(ANSWERABLE))  # a count of questions
        assert row["overall"] == round((contained + sum(refused)) / len(QUESTIONS), 4)
    assert "in use" in squad_run["stdout"] and "best" in squad_run["stdout"]


def test_check_floor_lists_every_metric_below_it(squad_run):
    below = [line for line in squad_run["stderr"].splitlines() if line.startswith("below floor")]
    assert squad_run["code"] == 1
    assert {line.split()[3].rstrip(":") for line in below} == {"containment", "overall", "false_abstention"}
    assert all(line.startswith("below floor (engine)") for line in below)


def test_html_report_is_self_contained_with_the_plot_and_failures_first(squad_run):
    page = squad_run["html"]
    assert not re.search(r"<(script|link|iframe)\b", page)
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)
    assert page.count("src='data:image/png;base64,") == 1  # the sweep's plot
    assert "HasAns / NoAns by abstention threshold" in page
    for system in SYSTEMS:
        section = page[page.index(f"<h2>{system}: "):]
        section = section[:section.index("</table>")]
        results = re.findall(r"<td class='result'>(PASS|FAIL)</td>", section)
        assert len(results) == len(QUESTIONS)
        assert results == sorted(results, key=lambda r: r == "PASS")
        failed = sum(not i["correct"] for i in items_of(squad_run["json"], system))
        assert f"<h2>{system}: {failed} of {len(QUESTIONS)} questions failed</h2>" in page


def test_article_option_runs_only_the_articles_named(embedder, tmp_path):
    out = tmp_path / "bees.json"
    with squad_cli(embedder) as (stdout, _):
        code = cli.main(["--squad", str(write_small(tmp_path)), "--article", "Honey bee", "--json", str(out)])
    report = json.loads(out.read_text())
    assert code == 0
    assert report["articles"] == ["Honey_bee"]
    assert {i["id"] for i in report["items"]} == {qid for qid, (a, _, _) in QUESTIONS.items() if a == "Honey_bee"}
    assert "Engine per article" not in stdout.getvalue()  # one article: no breakdown


def test_floor_command_ratchets_the_squad_floor(embedder, tmp_path):
    output = write(tmp_path / "squad_floor.json", {"minimum": {"containment": 0.99}, "maximum": {"false_abstention": 0.0}})
    with squad_cli(embedder):
        code = cli.main(["floor", "--squad", str(write_small(tmp_path)), "--output", str(output)])
    written = json.loads(output.read_text())
    assert code == 0
    assert written["system"] == "engine" and "floor --squad" in written["note"]
    assert written["minimum"]["containment"] == 0.99  # kept: stricter than what the run earned
    assert written["maximum"]["false_abstention"] == 0.0
    assert written["maximum"]["median_answer_words"] == 60.0  # a fixed bound
    assert {"first_citation_in_gold_paragraph", "noans_abstention", "overall"} <= set(written["minimum"])
    assert parse_floor(written, "written", SQUAD_METRICS) == {"minimum": written["minimum"], "maximum": written["maximum"]}


def test_the_vendored_floor_names_squad_metrics_only():
    floor = json.loads((PROJECT_ROOT / "evaluate" / "squad_floor.json").read_text())
    assert parse_floor(floor, "squad_floor.json", SQUAD_METRICS)["minimum"]
    with pytest.raises(Exception, match="mrr"):
        parse_floor({"minimum": {"mrr": 0.5}}, "f", SQUAD_METRICS)


# ------------------------------------------------------------------ bad input: one line, exit 2, no work


def broken(path: Any, *keys: Any, value: Any = None, delete: bool = False) -> dict[str, Any]:
    """SMALL with one value replaced (or deleted) at the path of keys."""
    data = json.loads(json.dumps(SMALL))
    target = data
    for key in keys[:-1]:
        target = target[key]
    if delete:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


Q0 = ("data", 0, "paragraphs", 0, "qas", 0)
BAD_FILES = [
    ("not JSON", "{\"data\": [", ["is not JSON", "line 1"]),
    ("no data list", {"version": "v2.0"}, ["'data' list"]),
    ("data not a list", {"data": {"title": "x"}}, ["'data' list"]),
    ("no articles", {"data": []}, ["no articles"]),
    ("article without title", broken(None, "data", 1, "title", delete=True), ["article 2", "'title'"]),
    ("article without paragraphs", broken(None, "data", 1, "paragraphs", delete=True), ["'Honey_bee'", "'paragraphs'"]),
    ("empty article", broken(None, "data", 1, "paragraphs", value=[]), ["'Honey_bee'", "no paragraphs"]),
    ("paragraph without context", broken(None, "data", 0, "paragraphs", 1, "context", delete=True),
     ["'Brightwater_Lighthouse' paragraph 2", "'context'"]),
    ("paragraph without qas", broken(None, "data", 0, "paragraphs", 1, "qas", delete=True),
     ["'Brightwater_Lighthouse' paragraph 2", "'qas'"]),
    ("empty context", broken(None, "data", 1, "paragraphs", 0, "context", value="  "), ["'Honey_bee' paragraph 1", "empty context"]),
    ("question without id", broken(None, *Q0, "id", delete=True), ["'Brightwater_Lighthouse' paragraph 1 question 1", "'id'"]),
    ("question without text", broken(None, *Q0, "question", delete=True), ["'Brightwater_Lighthouse' question l1", "'question'"]),
    ("answers not a list", broken(None, *Q0, "answers", value="Thomas Keel"), ["question l1", "'answers' list"]),
    ("answerable without answers", broken(None, *Q0, "answers", value=[]), ["'Brightwater_Lighthouse' question l1", "no answers"]),
    ("answer past its paragraph", broken(None, *Q0, "answers", value=[{"text": "sea.", "answer_start": len(LIGHT_1)}]),
     ["question l1", "'sea.'", "outside its paragraph"]),
    ("answer not at its start", broken(None, *Q0, "answers", value=[{"text": "Thomas Keel", "answer_start": 3}]),
     ["question l1", "'Thomas Keel'", "not the text at answer_start 3"]),
]


@pytest.fixture
def no_work(monkeypatch) -> Iterator[None]:
    """Fails the test if the model would be loaded; checks index/ and docs/ are left as they were."""
    def refuse() -> None:
        raise AssertionError("the model was loaded: work started before the input was checked")

    monkeypatch.setattr(cli, "new_embedder", refuse)
    before = project_state()
    yield
    assert project_state() == before


def one_error_line(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> str:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("python -m evaluate: error: ")
    assert captured.out == ""
    return lines[0]


@pytest.mark.parametrize(("case", "content", "needles"), BAD_FILES, ids=[case for case, _, _ in BAD_FILES])
def test_a_bad_file_is_one_line_and_exit_2_before_any_work(capsys, tmp_path, no_work, case, content, needles):
    path = write(tmp_path / "bad.json", content)
    line = one_error_line(capsys, ["--squad", str(path), "--json", str(tmp_path / "out.json")])
    for needle in needles:
        assert needle in line
    assert not (tmp_path / "out.json").exists()


def test_a_missing_file_is_one_line_and_exit_2(capsys, tmp_path, no_work):
    assert "SQuAD file not found" in one_error_line(capsys, ["--squad", str(tmp_path / "nope.json")])


@pytest.mark.parametrize(("argv", "needle"), [
    (["--article", "Honey_bee"], "--article chooses articles of a --squad file"),
    (["--squad", "{file}", "--article", "Bumble bee"], "has no article 'Bumble bee'"),
    (["--squad", "{file}", "--url", "http://127.0.0.1:9"], "--squad and --url exclude each other"),
    (["--squad", "{file}", "--systems", "bm25"], "--squad and --systems exclude each other"),
    (["--squad", "{file}", "--json", "/nonexistent/folder/out.json"], "folder /nonexistent/folder does not exist"),
    (["floor", "--squad", "{file}", "--gold", "evaluate/gold.jsonl"], "not both"),
    (["--article", "Honey_bee", "floor", "--squad", "{file}"], "--article does not apply"),
    (["floor", "--squad", "{file}", "--output", "/nonexistent/folder/floor.json"], "does not exist"),
])
def test_usage_errors_with_squad(capsys, tmp_path, no_work, argv, needle):
    path = str(write_small(tmp_path))
    assert needle in one_error_line(capsys, [a.replace("{file}", path) for a in argv])


def test_collection_documents_are_valid_docs_files(tmp_path):
    """The article files are what `docs/` holds: a header the service parses back to the same document."""
    squad = load_squad(write_small(tmp_path))
    doc_ids = write_documents(squad, tmp_path / "docs")
    loaded = load_collection(tmp_path / "docs")
    assert [d.doc_id for d in loaded] == list(doc_ids.values()) == ["000_brightwater_lighthouse", "001_honey_bee"]
    assert loaded[1].title == "Honey bee" and loaded[1].source == "Wikipedia"
    assert loaded[1].body == BEES_1 + "\n\n" + BEES_2 + "\n"  # the contexts as written, a blank line apart
