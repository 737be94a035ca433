"""The evaluation harness: metrics on hand-made inputs, relevance, calibration, floors, the CLI.

Expected values in the metric tests are worked out by hand in the comments next to them, so a
wrong formula fails. The CLI tests run the real `main` (and once the real `python -m evaluate`)
against the session's index, and `--url` against the real Flask app on a loopback port.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from evaluate import calibration, cli
from evaluate.bench.server import free_port
from evaluate.errors import FloorError, GoldError, ServiceError
from evaluate.floor import check_floor, make_floor, parse_floor, ratchet
from evaluate.gold import GoldItem, GoldTurn, load_gold, parse_gold
from evaluate.matching import is_correct
from evaluate.metrics import (
    METRIC_NAMES,
    answer_text,
    is_relevant,
    judge,
    squad_tokens,
    strip_markers,
    summarize,
    token_f1,
)
from evaluate.report import render_html
from evaluate.runner import (
    CitedQuote,
    EngineSystem,
    Reply,
    RetrievedPassage,
    TurnRun,
    ask_url,
    parse_reply,
    run_system,
)
from qa_service.config import PROJECT_ROOT
from qa_service.models import Turn

GOLD = PROJECT_ROOT / "evaluate" / "gold.jsonl"
SMALL_IDS = ("fact-005", "none-001", "conv-002")  # a fact, an off-topic question, a 3-turn conversation

# ------------------------------------------------------------------ helpers


def turn(groups: Sequence[Sequence[str]] = (), docs: Sequence[str] = (), evidence: str = "") -> GoldTurn:
    return GoldTurn("a question?", tuple(tuple(g) for g in groups), tuple(docs), evidence)


def passage(doc_id: str, text: str, start: int = 0) -> RetrievedPassage:
    return RetrievedPassage(doc_id, start, start + len(text), text, 1.0)


def reply(answer: str = "", abstained: bool = False, cites: Sequence[str] = (), passages=()) -> Reply:
    citations = tuple(CitedQuote(n, doc, "quote") for n, doc in enumerate(cites, start=1))
    return Reply(answer, abstained, citations, tuple(passages), 0.5)


def run(item: str, index: int, gold: GoldTurn, answer: Reply, latency: float = 10.0) -> TurnRun:
    return TurnRun(item, index, gold, "test", answer, latency)


def small_gold(tmp_path: Path, ids: Sequence[str] = SMALL_IDS) -> Path:
    lines = [line for line in GOLD.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in ids]
    assert len(lines) == len(ids)
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.refs += [value or "" for name, value in attrs if name in ("src", "href")]


def page_parts(page: str) -> _Refs:
    """The tags and src/href values a browser would see in `page` (escaped text is not a tag)."""
    parser = _Refs()
    parser.feed(page)
    return parser


def external(refs: Sequence[str]) -> list[str]:
    return [r for r in refs if re.match(r"\s*((https?:)?//|ftp:)", r, re.I)]


def exit_and_error(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str]:
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    return code, err


def assert_usage_error(capsys: pytest.CaptureFixture[str], argv: Sequence[str], *needles: str) -> None:
    code, err = exit_and_error(capsys, argv)
    lines = [line for line in err.splitlines() if line.strip() and "turn/s" not in line and "%|" not in line]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m evaluate: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


# ------------------------------------------------------------------ text and matching


def test_strip_markers_removes_citation_numbers_only():
    assert strip_markers("It was 2011. [1] Ten [sic] councils. [2]") == "It was 2011. Ten [sic] councils."


def test_answer_text_is_empty_when_abstained():
    assert answer_text(reply("The documents don't answer this question.", abstained=True)) == ""
    assert answer_text(reply("A quoted sentence. [1]")) == "A quoted sentence."


def test_squad_tokens_drop_articles_punctuation_and_case():
    assert squad_tokens("The Children’s “early-help” offer, an idea.") == ["childrens", "earlyhelp", "offer", "idea"]


def test_token_f1_by_hand():
    # prediction tokens: cat sat on mat (4); reference: cat sat on red mat (5); overlap 4
    # precision 4/4, recall 4/5, F1 = 2 * 1 * 0.8 / 1.8 = 0.8889
    assert token_f1("The cat sat on the mat.", "A cat sat on a red mat") == pytest.approx(8 / 9)


def test_token_f1_counts_repeated_tokens_once_per_occurrence():
    # prediction: no no no; reference: no -> overlap 1, precision 1/3, recall 1, F1 = 0.5
    assert token_f1("no no no", "no") == pytest.approx(0.5)


def test_token_f1_empty_sides():
    assert token_f1("", "") == 1.0
    assert token_f1("", "something") == 0.0
    assert token_f1("something", "") == 0.0
    assert token_f1("alpha", "beta") == 0.0


def test_is_correct_ignores_markers_between_sentences():
    assert is_correct("Lancashire will pilot it. [1] So will Coventry. [2]", [["Lancashire"], ["Coventry"]])


def test_abstention_text_is_judged_by_the_flag_not_by_is_correct():
    # is_correct would call any non-blank refusal wrong; the judgement must use `abstained`
    refusal = reply("The documents don't answer this question.", abstained=True)
    assert judge(run("none-1", 0, turn(), refusal)).correct
    assert not judge(run("none-1", 0, turn(), reply("Some quoted sentence. [1]"))).correct


# ------------------------------------------------------------------ relevance


EVIDENCE = "Loughton said ‘early help’ matters."
GROUPS = (("early help",), ("Loughton",))


def test_passage_holding_the_evidence_in_a_gold_doc_is_relevant():
    gold = turn([["not in the passage"]], ["d1"], EVIDENCE)  # only the evidence can make it relevant
    assert is_relevant(passage("d1", "Before. Loughton  said 'Early help'\nmatters. After."), gold)
    assert not is_relevant(passage("d1", "Before. Loughton said early help matters. After."), gold)


def test_passage_from_another_doc_is_not_relevant_even_with_the_evidence():
    assert not is_relevant(passage("d2", EVIDENCE), turn(GROUPS, ["d1"], EVIDENCE))


def test_passage_with_every_answer_group_is_relevant_without_the_evidence():
    gold = turn(GROUPS, ["d1"], EVIDENCE)
    assert is_relevant(passage("d1", "Mr Loughton backed early help funding."), gold)
    assert not is_relevant(passage("d1", "Mr Loughton backed the plan."), gold)  # one group missing


def test_nothing_is_relevant_to_an_unanswerable_turn():
    assert not is_relevant(passage("d1", EVIDENCE), turn())


# ------------------------------------------------------------------ summary on a hand-made run


@pytest.fixture(scope="module")
def hand_made() -> dict[str, float | None]:
    evidence = "alpha beta gamma delta"
    t_a = turn([["alpha"]], ["gold"], evidence)
    relevant = passage("gold", "alpha beta gamma delta.")
    other = passage("other", "nothing here", 100)
    runs = [
        # answerable, right, cites gold + other; relevant passage at rank 2; F1 1.0; 4 words
        run("fact-1", 0, t_a, reply("alpha beta gamma delta. [1]", cites=["gold", "other"], passages=[other, relevant]),
            10),
        # answerable, abstained; relevant passage at rank 1; F1 0
        run("conv-1", 0, t_a, reply("I don't know.", abstained=True, passages=[relevant]), 20),
        # answerable follow-up, wrong; cites gold; nothing relevant retrieved; 6 words, 2 shared with the
        # 4-word evidence: precision 2/6, recall 2/4, F1 = 2 * (1/3) * (1/2) / (5/6) = 0.4
        run("conv-1", 1, turn([["zeta"]], ["gold"], evidence),
            reply("alpha beta epsilon eta [1] iota kappa", cites=["gold"], passages=[other]), 30),
        # unanswerable, abstained
        run("none-1", 0, turn(), reply("I don't know.", abstained=True), 40),
        # unanswerable, answered with 9 words
        run("none-2", 0, turn(), reply("one two three four five six seven eight nine. [1]", cites=["other"]), 50),
    ]
    return summarize([judge(r) for r in runs])


def test_summary_has_every_metric(hand_made):
    assert tuple(hand_made) == METRIC_NAMES


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("answer_accuracy", 1 / 3),  # 1 right of 3 answerable
        ("token_f1", (1.0 + 0.0 + 0.4) / 3),
        ("citation_precision", 2 / 3),  # gold, other (turn 1) + gold (turn 3); abstained/unanswerable not counted
        ("gold_doc_cited", 2 / 3),  # turns 1 and 3 cite a gold doc
        ("recall@1", 1 / 3),  # only turn 2 has a relevant passage first
        ("recall@5", 2 / 3),  # turns 1 and 2
        ("mrr", (1 / 2 + 1 + 0) / 3),
        ("abstention_recall", 1 / 2),
        ("false_abstention", 1 / 3),
        ("followup_accuracy", 0.0),  # the only answerable follow-up is wrong
        ("median_answer_words", 6.0),  # answers of 4, 6 and 9 words (abstentions excluded)
        ("latency_ms_p50", 30.0),
        ("latency_ms_p95", 48.0),  # numpy's linear interpolation between 40 and 50
    ],
)
def test_summary_by_hand(hand_made, metric, expected):
    assert hand_made[metric] == pytest.approx(expected, abs=1e-4)


def test_metrics_with_nothing_to_count_are_none_not_zero():
    only = summarize([judge(run("fact-1", 0, turn([["x"]], ["d"], "x y"), reply("x y. [1]", cites=["d"])))])
    assert only["abstention_recall"] is None
    assert only["followup_accuracy"] is None
    assert only["answer_accuracy"] == 1.0
    assert (only["recall@1"], only["recall@5"], only["mrr"]) == (0.0, 0.0, 0.0)  # nothing was retrieved


# ------------------------------------------------------------------ runner


class Recorder:
    """A system that answers with a counter and remembers the history it was sent."""

    name = "recorder"

    def __init__(self) -> None:
        self.histories: list[tuple[Turn, ...]] = []

    def ask(self, question: str, history: Sequence[Turn]) -> Mapping[str, Any]:
        self.histories.append(tuple(history))
        return {"answer": f"answer {len(self.histories)}", "abstained": False, "citations": [], "passages": []}


def test_conversations_send_the_systems_own_answers_as_history():
    gold = (
        GoldItem("conv-1", (turn([["gold one"]], ["d"], "e"), turn([["gold two"]], ["d"], "e"), turn())),
        GoldItem("fact-1", (turn([["x"]], ["d"], "e"),)),
    )
    recorder = Recorder()
    runs = run_system(gold, recorder)
    assert [r.turn_index for r in runs] == [0, 1, 2, 0]
    assert recorder.histories[1] == (Turn("a question?", "answer 1"),)
    assert recorder.histories[2] == (Turn("a question?", "answer 1"), Turn("a question?", "answer 2"))
    assert recorder.histories[3] == ()  # a new item starts a new conversation


def test_parse_reply_rejects_answers_outside_the_contract():
    with pytest.raises(ServiceError, match="abstained"):
        parse_reply({"answer": "x", "citations": [], "passages": []})
    with pytest.raises(ServiceError, match="wrong type"):
        parse_reply({"answer": "x", "abstained": "no", "citations": [], "passages": []})
    with pytest.raises(ServiceError, match="not a JSON object"):
        parse_reply(["x"])


def test_ask_url_appends_the_endpoint_once():
    assert ask_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/api/ask"
    assert ask_url("http://127.0.0.1:8000/api/ask") == "http://127.0.0.1:8000/api/ask"
    with pytest.raises(ValueError):
        ask_url("127.0.0.1:8000")


# ------------------------------------------------------------------ gold loading


def test_parse_gold_names_the_broken_line():
    good = json.dumps({"id": "fact-1", "turns": [{"question": "q", "answer_groups": [], "docs": [], "evidence": ""}]})
    with pytest.raises(GoldError, match="line 2 is not JSON"):
        parse_gold(good + "\n{oops\n")
    with pytest.raises(GoldError, match="line 1 turn 0"):
        parse_gold(json.dumps({"id": "x", "turns": [{"question": "q"}]}))
    with pytest.raises(GoldError, match="duplicate id"):
        parse_gold(good + "\n" + good)


def test_the_real_gold_set_loads():
    items = load_gold(GOLD)
    assert len(items) == 113
    assert sum(len(i.turns) for i in items) == 139


# ------------------------------------------------------------------ calibration


def test_candidate_thresholds_sit_between_confidences():
    assert calibration.candidate_thresholds([0.5, 0.3, 0.5, 0.4]) == pytest.approx([0.29, 0.35, 0.45, 0.51])


def test_sweep_row_by_hand():
    observed = [
        calibration.Observation(0.2, False, False),
        calibration.Observation(0.6, False, False),
        calibration.Observation(0.3, True, True),
        calibration.Observation(0.7, True, True),
        calibration.Observation(0.8, True, False),
    ]
    row = calibration.at_threshold(observed, 0.5)
    # below 0.5: one of two unanswerable, one of three answerable; answered and right: only 0.7
    assert (row.abstention_recall, row.false_abstention, row.answer_accuracy) == (0.5, pytest.approx(1 / 3), 1 / 3)


def test_a_refused_turn_abstains_at_every_threshold():
    observed = [
        calibration.Observation(0.9, False, False, refused=True),
        calibration.Observation(0.9, True, True, refused=True),
        calibration.Observation(0.9, True, True),
    ]
    for threshold in (-1.0, 0.5, 2.0):
        row = calibration.at_threshold(observed, threshold)
        assert row.abstention_recall == 1.0
        assert row.false_abstention == (0.5 if threshold <= 0.9 else 1.0)


def test_choose_maximises_abstention_within_budget_and_breaks_ties_low():
    rows = [
        calibration.SweepRow(0.1, 0.0, 0.00, 0.9),
        calibration.SweepRow(0.2, 0.5, 0.04, 0.9),
        calibration.SweepRow(0.3, 0.5, 0.05, 0.8),  # same recall, higher threshold: not chosen
        calibration.SweepRow(0.4, 0.9, 0.20, 0.5),  # best recall but over budget
    ]
    assert calibration.choose(rows, 0.05).threshold == 0.2
    assert calibration.choose(rows, 0.25).threshold == 0.4


def test_choose_takes_the_highest_of_thresholds_that_score_alike():
    rows = [
        calibration.SweepRow(0.1, 0.5, 0.0, 0.9),
        calibration.SweepRow(0.2, 1.0, 0.0, 0.9),  # the pick's figures...
        calibration.SweepRow(0.3, 1.0, 0.0, 0.9),
        calibration.SweepRow(0.4, 1.0, 0.0, 0.9),  # ...up to here
        calibration.SweepRow(0.5, 1.0, 0.1, 0.8),
    ]
    chosen = calibration.choose(rows, 0.05)
    assert chosen.threshold == 0.4
    assert (chosen.abstention_recall, chosen.false_abstention, chosen.answer_accuracy) == (1.0, 0.0, 0.9)


# ------------------------------------------------------------------ floor


SUMMARY = {
    "answer_accuracy": 0.6547, "token_f1": 0.57, "false_abstention": 0.0417, "median_answer_words": 45.0,
    "latency_ms_p50": 20.0, "recall@1": None,
}


def test_make_floor_rounds_down_minimums_and_up_maximums():
    floor = make_floor(SUMMARY)
    assert floor["minimum"] == {"answer_accuracy": 0.64, "token_f1": 0.56}  # 0.57 must not become 0.55
    assert floor["maximum"] == {"false_abstention": 0.06, "median_answer_words": 60.0}  # a fixed bound, not 45 + 2
    assert "latency_ms_p50" not in floor["minimum"] | floor["maximum"]


def test_ratchet_only_moves_floors_up():
    old = {"minimum": {"answer_accuracy": 0.7, "token_f1": 0.5},
           "maximum": {"false_abstention": 0.03, "median_answer_words": 53.0}}  # from before the bound existed
    new = {"minimum": {"answer_accuracy": 0.6, "token_f1": 0.55},
           "maximum": {"false_abstention": 0.06, "median_answer_words": 60.0}}
    assert ratchet(old, new) == {
        "minimum": {"answer_accuracy": 0.7, "token_f1": 0.55},
        "maximum": {"false_abstention": 0.03, "median_answer_words": 60.0},  # a fixed bound is not ratcheted
    }


def test_check_floor_lists_every_metric_worse_than_its_floor():
    floor = {
        "minimum": {"answer_accuracy": 0.7, "token_f1": 0.5, "recall@1": 0.1},
        "maximum": {"false_abstention": 0.03, "median_answer_words": 50},
    }
    failures = check_floor(SUMMARY, floor)
    assert len(failures) == 3
    assert any(f.startswith("answer_accuracy: 0.6547 is below") for f in failures)
    assert any(f.startswith("false_abstention: 0.0417 is above") for f in failures)
    assert any(f.startswith("recall@1: not measured") for f in failures)
    assert check_floor(SUMMARY, {"minimum": {"answer_accuracy": 0.65}}) == []


def test_parse_floor_rejects_ungated_metrics_and_wrong_directions():
    with pytest.raises(FloorError, match="latency_ms_p50"):
        parse_floor({"maximum": {"latency_ms_p50": 100}}, "f")
    with pytest.raises(FloorError, match="false_abstention"):
        parse_floor({"minimum": {"false_abstention": 0.1}}, "f")
    with pytest.raises(FloorError, match="number"):
        parse_floor({"minimum": {"mrr": "high"}}, "f")


def test_the_committed_floor_file_parses():
    floor = parse_floor(json.loads((PROJECT_ROOT / "evaluate" / "floor.json").read_text()), "floor.json")
    assert floor["minimum"] and floor["maximum"]


# ------------------------------------------------------------------ HTML (pure)


def test_html_escapes_markup_lists_failures_first_and_loads_nothing():
    evil = "<script>alert('x')</script> and <img src=http://evil.example/x.png>"
    passed = judge(run("fact-1", 0, turn([["fine"]], ["d"], "fine"), reply("fine. [1]", cites=["d"])))
    failed = judge(run("fact-2", 0, turn([["other"]], ["d"], "other"), reply(evil + " [1]", cites=["d"])))
    summaries = {"test": summarize([passed, failed])}
    page = render_html(summaries, {"test": [passed, failed]}, b"\x89PNG fake")
    parts = page_parts(page)
    assert "script" not in parts.tags and parts.tags.count("img") == 1  # only the chart is an image
    assert "&lt;script&gt;alert(" in page
    assert external(parts.refs) == []
    assert page.index("fact-2#0") < page.index("fact-1#0")  # the failure comes first
    assert "src='data:image/png;base64," in page


# ------------------------------------------------------------------ CLI: usage errors


def test_missing_gold_file(capsys, tmp_path):
    assert_usage_error(capsys, ["--gold", str(tmp_path / "nope.jsonl")], "gold file not found")


def test_invalid_gold_file(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "turns": []}\n', encoding="utf-8")
    assert_usage_error(capsys, ["--gold", str(bad)], "line 1", "turns")


def test_unknown_system(capsys):
    assert_usage_error(capsys, ["--systems", "bm25,sparkle"], "unknown system sparkle", "hybrid")


def test_unwritable_outputs(capsys, tmp_path):
    assert_usage_error(capsys, ["--json", str(tmp_path / "missing" / "out.json")], "does not exist")
    assert_usage_error(capsys, ["--html", str(tmp_path)], "is a folder")


def test_bad_url(capsys):
    assert_usage_error(capsys, ["--url", "localhost:8000"], "http://")


def test_url_excludes_systems(capsys):
    assert_usage_error(capsys, ["--url", "http://127.0.0.1:9", "--systems", "bm25"], "exclude")


def test_missing_floor_file(capsys, tmp_path):
    assert_usage_error(capsys, ["--check-floor", str(tmp_path / "floor.json")], "floor file not found")


def test_floor_needs_the_hybrid_system(capsys, tmp_path):
    floor = tmp_path / "floor.json"
    floor.write_text('{"minimum": {"mrr": 0.1}}', encoding="utf-8")
    assert_usage_error(capsys, ["--systems", "bm25", "--check-floor", str(floor)], "hybrid")


def test_unknown_option(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--colour"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_unreachable_service(capsys, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    assert_usage_error(capsys, ["--url", url, "--gold", str(small_gold(tmp_path))], "cannot reach the service")


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """`app` on a free loopback port in a thread, stopped on exit."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def html_page(environ: dict, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<html><body>not an API</body></html>"]


def test_service_answering_non_json(capsys, tmp_path):
    with serve(html_page) as url:
        assert_usage_error(capsys, ["--url", url, "--gold", str(small_gold(tmp_path))], "non-JSON", "text/html")


def test_python_dash_m_evaluate_prints_one_line_without_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "evaluate", "--systems", "nope"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "python -m evaluate: error: unknown system nope; choose from bm25, dense, hybrid"
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ CLI: a real run on part of the gold set


@pytest.fixture(scope="module")
def cli_run(collection, tmp_path_factory) -> dict[str, Any]:
    """`python -m evaluate` (all systems, JSON, HTML, an unreachable floor) on three real gold items."""
    out = tmp_path_factory.mktemp("cli_run")
    floor = out / "floor.json"
    impossible = {"minimum": {"answer_accuracy": 1.5, "mrr": 1.5}, "maximum": {"median_answer_words": 0}}
    floor.write_text(json.dumps(impossible))
    argv = ["--gold", str(small_gold(out)), "--json", str(out / "run.json"), "--html", str(out / "run.html"),
            "--check-floor", str(floor)]
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        env.setenv("QA_INDEX_DIR", str(collection.index_dir))
        env.setenv("QA_DOCS_DIR", str(collection.docs_dir))
        code = cli.main(argv)
    return {
        "code": code,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
        "json": json.loads((out / "run.json").read_text()),
        "html": (out / "run.html").read_text(),
    }


def test_cli_run_prints_systems_side_by_side(cli_run):
    header = next(line for line in cli_run["stdout"].splitlines() if "metric" in line)
    assert re.search(r"metric\W+bm25\W+dense\W+hybrid", header)
    assert "Evaluation on small.jsonl" in cli_run["stdout"]  # a set other than the gold set is named
    assert all(name in cli_run["stdout"] for name in METRIC_NAMES)


def test_cli_run_exits_1_listing_every_metric_below_floor(cli_run):
    below = [line for line in cli_run["stderr"].splitlines() if line.startswith("below floor")]
    assert cli_run["code"] == 1
    assert {line.split()[3].rstrip(":") for line in below} == {"answer_accuracy", "mrr", "median_answer_words"}


def test_cli_json_shape(cli_run):
    report = cli_run["json"]
    assert set(report) == {"systems", "items"}
    assert list(report["systems"]) == ["bm25", "dense", "hybrid"]
    for summary in report["systems"].values():
        assert list(summary) == list(METRIC_NAMES)
    assert len(report["items"]) == 3 * (1 + 1 + 3)  # three systems, five turns
    for item in report["items"]:
        for key in ("id", "turn", "question", "system", "answer", "abstained", "citations", "correct",
                    "relevant_passage_ranks", "passages", "latency_ms", "confidence"):
            assert key in item
        assert all(set(c) == {"n", "doc_id", "quote"} for c in item["citations"])
        assert all(1 <= r <= len(item["passages"]) for r in item["relevant_passage_ranks"])
        assert item["latency_ms"] > 0
    conv = [i for i in report["items"] if i["id"] == "conv-002" and i["system"] == "hybrid"]
    assert [i["turn"] for i in conv] == [0, 1, 2]


def test_cli_html_is_self_contained_with_failures_first(cli_run):
    page = cli_run["html"]
    assert "<h1>Evaluation on small.jsonl</h1>" in page
    parts = page_parts(page)
    assert external(parts.refs) == []
    assert not {"script", "link", "iframe"} & set(parts.tags)
    hybrid = page[page.index("<h2>hybrid"):]
    results = re.findall(r"<td class='result'>(PASS|FAIL)</td>", hybrid)
    assert len(results) == 5
    assert results == sorted(results, key=lambda r: r == "PASS")


# ------------------------------------------------------------------ CLI: --url against the real app


def test_url_scores_the_running_service_like_the_engine(app, engine, tmp_path, capsys):
    gold = small_gold(tmp_path)
    out = tmp_path / "service.json"
    with serve(app) as url:
        assert cli.main(["--url", url, "--gold", str(gold), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert list(report["systems"]) == ["service"]
    served = [(i["id"], i["turn"], i["answer"], i["abstained"]) for i in report["items"]]
    local = [(r.item_id, r.turn_index, r.reply.answer, r.reply.abstained)
             for r in run_system(load_gold(gold), EngineSystem(engine, "hybrid"))]
    assert served == local
    assert "service" in capsys.readouterr().out




def test_floor_command_writes_a_floor_and_never_lowers_one(collection, tmp_path):
    output = tmp_path / "floor.json"
    output.write_text(json.dumps({"minimum": {"answer_accuracy": 0.99}, "maximum": {"false_abstention": 0.0}}))
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        env.setenv("QA_INDEX_DIR", str(collection.index_dir))
        env.setenv("QA_DOCS_DIR", str(collection.docs_dir))
        code = cli.main(["floor", "--gold", str(small_gold(tmp_path, ("fact-005",))), "--output", str(output)])
    written = json.loads(output.read_text())
    assert code == 0
    assert written["minimum"]["answer_accuracy"] == 0.99  # kept: stricter than what the run earned
    assert written["maximum"]["false_abstention"] == 0.0
    assert written["maximum"]["median_answer_words"] == 60.0  # a fixed bound, whatever the run measured
    assert set(written["minimum"]) > {"answer_accuracy", "mrr"}  # the others were added from the run
    assert parse_floor(written, "written") == {"minimum": written["minimum"], "maximum": written["maximum"]}


def test_every_metric_and_option_is_documented():
    readme = (PROJECT_ROOT / "evaluate" / "README.md").read_text(encoding="utf-8")
    metrics = readme[readme.index("## Metrics"):readme.index("## Calibration")]
    assert [name for name in METRIC_NAMES if f"`{name}`" not in metrics and f"`{name}," not in metrics] == []
    running = readme[readme.index("## Running"):readme.index("## Metrics")]
    options = [a.option_strings[0] for a in cli.parser()._actions if a.option_strings and a.dest != "help"]
    assert [o for o in options if f"`{o}" not in running] == []
