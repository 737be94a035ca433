"""Reports of one SQuAD-format run: terminal tables, a JSON document and a single HTML page.

Pure functions from a SquadResult to rich tables, dicts, PNG bytes and text, like report.py
(whose table, page and chart helpers they share); the CLI writes them out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.table import Table

from .calibration import SweepRow, sweep_png
from .metrics import MetricInfo
from .report import format_value, html_page, metrics_html, metrics_table, png_img, rounded
from .runner import Reply
from .squad_metrics import SquadJudgement, shown_metrics
from .squad_run import ENGINE, SquadResult
from .squad_sweep import SquadSweep

# The sweep's columns: the JSON key, the SweepRow field holding it (named for calibration), the label shown.
SWEEP_COLUMNS = (
    ("hasans_containment", "answer_accuracy", "HasAns containment"),
    ("noans_abstention", "abstention_recall", "NoAns abstention"),
    ("false_abstention", "false_abstention", "false abstention"),
    ("overall", "overall", "overall"),
)


def title(result: SquadResult) -> str:
    squad = result.squad
    questions = squad.questions
    answerable = sum(q.answerable for q in questions)
    articles = f"{len(squad.articles)} article{'s' if len(squad.articles) != 1 else ''}"
    return (f"SQuAD evaluation on {squad.name} ({articles}, {result.paragraphs} paragraphs, "
            f"{answerable} answerable, {len(questions) - answerable} unanswerable)")


def _metrics(result: SquadResult) -> tuple[MetricInfo, ...]:
    return shown_metrics(result.summaries)


def systems_table(result: SquadResult) -> Table:
    return metrics_table(result.summaries, title(result), _metrics(result))


def articles_table(result: SquadResult) -> Table:
    """The engine's figures per article, articles as columns like systems are."""
    return metrics_table(result.articles, "Engine per article", _metrics(result))


def _marks(row: SweepRow, sweep: SquadSweep) -> str:
    return ", ".join(mark for mark, hit in (("in use", row == sweep.in_use), ("best", row == sweep.best)) if hit)


SWEEP_HEADER = ("threshold", *(label for _, _, label in SWEEP_COLUMNS), "row")


def _sweep_cells(row: SweepRow, sweep: SquadSweep) -> list[str]:
    """One printed row of the sweep, in SWEEP_HEADER's order."""
    values = [format_value(getattr(row, field), "share") for _, field, _ in SWEEP_COLUMNS]
    return [f"{row.threshold:.4f}", *values, _marks(row, sweep)]


def sweep_table(sweep: SquadSweep) -> Table:
    table = Table(title="HasAns / NoAns by abstention threshold (engine, replayed from one run with abstention off)")
    for name in SWEEP_HEADER:
        table.add_column(name, justify="right")
    for row in sweep.rows:
        marked = row in (sweep.in_use, sweep.best)
        table.add_row(*_sweep_cells(row, sweep), style="bold" if marked else None)
    return table


def fallback_line(result: SquadResult) -> str:
    return (f"{result.fallbacks} of {result.paragraphs} paragraphs changed by cleaning, matched by their text "
            "instead of their offsets (first_citation_in_gold_paragraph)")


def _sweep_record(row: SweepRow, sweep: SquadSweep) -> dict[str, Any]:
    return {"threshold": round(row.threshold, 6),
            **{key: rounded(getattr(row, field)) for key, field, _ in SWEEP_COLUMNS},
            "in_use": row == sweep.in_use, "best": row == sweep.best}


def _item(system: str, j: SquadJudgement, open_reply: Reply | None) -> dict[str, Any]:
    reply, q = j.run.reply, j.question
    record = {
        "id": q.id,
        "article": q.article,
        "paragraph": q.paragraph,
        "question": q.question,
        "system": system,
        "answerable": q.answerable,
        "gold_answers": list(q.answer_texts),
        "answer": reply.answer,
        "abstained": reply.abstained,
        "correct": j.correct,
        "contains": j.contains,
        "first_citation_in_gold_paragraph": j.first_in_paragraph,
        "answer_span_contains": j.span_contains,
        "citations": [{"n": c.n, "doc_id": c.doc_id, "quote": c.quote, "start": c.start, "end": c.end,
                       **({"answer_span": asdict(c.answer_span)} if c.answer_span else {})} for c in reply.citations],
        "confidence": reply.confidence,
        "latency_ms": round(j.run.latency_ms, 1),
    }
    if open_reply is not None:  # the engine: what the sweep replays
        record["abstains_at_every_threshold"] = open_reply.abstained
    return record


def json_report(result: SquadResult) -> dict[str, Any]:
    sweep = result.sweep
    names = {m.name for m in _metrics(result)}
    open_replies = {j.question.id: j.run.reply for j in result.open_judgements}
    return {
        "squad": result.squad.name,
        "articles": [a.title for a in result.squad.articles],
        "questions": len(result.squad.questions),
        "answerable": sum(q.answerable for q in result.squad.questions),
        "paragraphs": result.paragraphs,
        "paragraph_fallbacks": result.fallbacks,
        "threshold_in_use": result.threshold,
        "systems": {name: {k: v for k, v in s.items() if k in names} for name, s in result.summaries.items()},
        "by_article": {title: {k: v for k, v in s.items() if k in names} for title, s in result.articles.items()},
        "sweep": {"threshold_in_use": result.threshold, "best_threshold": round(sweep.best.threshold, 6),
                  "rows": [_sweep_record(r, sweep) for r in sweep.rows]},
        "items": [_item(name, j, open_replies[j.question.id] if name == ENGINE else None)
                  for name, js in result.judgements.items() for j in js],
    }


def sweep_chart(sweep: SquadSweep) -> bytes:
    curves = [(field, label) for _, field, label in SWEEP_COLUMNS]
    marks = [(sweep.in_use.threshold, f"in use {sweep.in_use.threshold:.4f}", "--"),
             (sweep.best.threshold, f"best overall {sweep.best.threshold:.4f}", ":")]
    return sweep_png(sweep.curve, curves, marks, "HasAns / NoAns by abstention threshold (engine)", "share of questions")


def _sweep_html(sweep: SquadSweep) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in SWEEP_HEADER)
    rows = "".join("<tr>" + "".join(f"<td class='num'>{e(cell)}</td>" for cell in _sweep_cells(row, sweep)) + "</tr>"
                   for row in sweep.rows)
    return f"<table><tr>{head}</tr>{rows}</table>"


def _question_row(j: SquadJudgement) -> str:
    e = html.escape
    reply, q = j.run.reply, j.question
    first = reply.citations[0] if reply.citations else None
    cited = (f"<b>{e(first.doc_id)}</b> {first.start}-{first.end} "
             f"({'in' if j.first_in_paragraph else 'not in'} its paragraph)") if first else ""
    expected = " / ".join(q.answer_texts) if q.answerable else "(abstain)"
    status = "pass" if j.correct else "fail"
    confidence = "" if reply.confidence is None else f"{reply.confidence:.3f}"
    return (
        f"<tr class='{status}'><td>{e(q.id)}</td><td>{e(q.article)}</td><td>{e(q.question)}</td>"
        f"<td>{'<i>abstained</i>: ' if reply.abstained else ''}{e(reply.answer)}</td><td>{cited}</td>"
        f"<td>{e(expected)}</td><td class='num'>{confidence}</td><td class='result'>{status.upper()}</td></tr>"
    )


def _system_section(name: str, judgements: Sequence[SquadJudgement]) -> str:
    ordered = sorted(judgements, key=lambda j: j.correct)  # stable: the file's order within failures and passes
    failed = sum(not j.correct for j in judgements)
    return (f"<h2>{html.escape(name)}: {failed} of {len(judgements)} questions failed</h2>"
            "<table><tr><th>id</th><th>article</th><th>question</th><th>answer</th><th>first citation</th>"
            "<th>gold answers</th><th>confidence</th><th>result</th></tr>"
            + "".join(_question_row(j) for j in ordered) + "</table>")


def render_html(result: SquadResult, chart: bytes) -> str:
    """The page: the systems' table, per-article figures, the sweep (table and plot), then per system
    one row per question, failures first (answerable: no gold answer in the answer; unanswerable: answered)."""
    metrics = _metrics(result)
    parts = [metrics_html(result.summaries, metrics), f"<p>{html.escape(fallback_line(result))}</p>"]
    if len(result.articles) > 1:
        parts += ["<h2>Engine per article</h2>", metrics_html(result.articles, metrics)]
    parts += ["<h2>HasAns / NoAns by abstention threshold</h2>", png_img(chart, "threshold sweep"), _sweep_html(result.sweep)]
    parts += [_system_section(name, js) for name, js in result.judgements.items()]
    return html_page(title(result), "".join(parts))

