"""Reports of one evaluation run: a terminal table, a JSON document and a single HTML file.

Pure functions from summaries and judgements to text, bytes or dicts; writing them to disk
or the terminal is the CLI's job. The HTML page is self-contained (inline CSS, the chart as
a base64 PNG) so it can be attached to an issue or opened offline, and every piece of text
in it is escaped: answers are quotes from documents, which may hold markup.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from .charts import pyplot, to_png
from .metrics import METRICS, Judgement, MetricInfo, Summary, by_category

JudgementsBySystem = Mapping[str, Sequence[Judgement]]
_UNITS = {m.name: m.unit for m in METRICS}


def rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ms":
        return f"{value:.1f}"
    if unit == "words":
        return f"{value:g}"
    return f"{value:.3f}"


TITLE = "Gold-set evaluation"


def metrics_table(summaries: Mapping[str, Summary], title: str = TITLE, metrics: Sequence[MetricInfo] = METRICS) -> Table:
    """Metrics as rows, systems side by side as columns."""
    table = Table(title=title)
    table.add_column("metric", overflow="fold")  # a long name wraps on a narrow terminal rather than losing its end
    for system in summaries:
        table.add_column(system, justify="right")
    for metric in metrics:
        table.add_row(metric.name, *(format_value(s.get(metric.name), metric.unit) for s in summaries.values()))
    return table


def category_table(judgements: JudgementsBySystem) -> Table:
    """Turns judged correct per item category (answerable: right answer; unanswerable: abstained)."""
    counts = {system: by_category(js) for system, js in judgements.items()}
    categories = sorted({c for per in counts.values() for c in per})
    table = Table(title="Turns correct by category")
    table.add_column("category")
    for system in counts:
        table.add_column(system, justify="right")
    for category in categories:
        cells = []
        for per in counts.values():
            hits, total = per.get(category, (0, 0))
            cells.append(f"{hits}/{total}")
        table.add_row(category, *cells)
    return table


def turn_record(j: Judgement) -> dict[str, Any]:
    """One turn of the JSON report."""
    run, reply = j.run, j.run.reply
    return {
        "id": run.item_id,
        "turn": run.turn_index,
        "question": run.gold.question,
        "system": run.system,
        "answer": reply.answer,
        "abstained": reply.abstained,
        "answerable": j.answerable,
        "correct": j.correct,
        "token_f1": None if j.token_f1 is None else round(j.token_f1, 4),
        "citations": [{"n": c.n, "doc_id": c.doc_id, "quote": c.quote} for c in reply.citations],
        "gold_docs": list(run.gold.docs),
        "passages": [p.key for p in reply.passages],
        "relevant_passage_ranks": list(j.relevant_ranks),
        "confidence": reply.confidence,
        "latency_ms": round(run.latency_ms, 1),
    }


def json_report(summaries: Mapping[str, Summary], judgements: JudgementsBySystem) -> dict[str, Any]:
    return {
        "systems": {system: dict(summary) for system, summary in summaries.items()},
        "items": [turn_record(j) for js in judgements.values() for j in js],
    }


def bar_chart_png(summaries: Mapping[str, Summary]) -> bytes:
    """A grouped bar chart of the share metrics (0..1), one colour per system, as PNG bytes."""
    import numpy as np

    plt = pyplot()
    names = [m.name for m in METRICS if m.unit == "share"]
    x = np.arange(len(names))
    width = 0.8 / max(1, len(summaries))
    fig, ax = plt.subplots(figsize=(11, 4), dpi=100)
    for k, (system, summary) in enumerate(summaries.items()):
        ax.bar(x + (k - (len(summaries) - 1) / 2) * width, [summary.get(n) or 0.0 for n in names], width, label=system)
    ax.set_xticks(x, names, rotation=25, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of turns (false_abstention: lower is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return to_png(fig)


STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
td.num{text-align:right}
tr.fail td.result{background:#fdd;font-weight:bold}
tr.pass td.result{background:#dfd}
.quote{color:#555}
"""


def _expected(j: Judgement) -> str:
    groups = j.run.gold.answer_groups
    return " AND ".join(" / ".join(group) for group in groups) if groups else "(abstain)"


def _row(j: Judgement) -> str:
    e = html.escape
    reply = j.run.reply
    citations = "".join(
        f"<li>[{c.n}] <b>{e(c.doc_id)}</b> <span class='quote'>{e(c.quote)}</span></li>" for c in reply.citations
    )
    status = "pass" if j.correct else "fail"
    return (
        f"<tr class='{status}'><td>{e(j.query_id)}</td><td>{e(j.run.gold.question)}</td>"
        f"<td>{'<i>abstained</i>: ' if reply.abstained else ''}{e(reply.answer)}</td>"
        f"<td><ul>{citations}</ul></td><td>{e(_expected(j))}<br><small>{e(', '.join(j.run.gold.docs))}</small></td>"
        f"<td class='result'>{status.upper()}</td></tr>"
    )


def metrics_html(summaries: Mapping[str, Summary], metrics: Sequence[MetricInfo] = METRICS, label: str = "metric") -> str:
    """An HTML table of metrics as rows and `summaries` (systems, or articles) as columns."""
    e = html.escape
    head = "".join(f"<th>{e(name)}</th>" for name in summaries)
    rows = "".join(
        f"<tr><td>{e(m.name)}</td>"
        + "".join(f"<td class='num'>{e(format_value(s.get(m.name), m.unit))}</td>" for s in summaries.values())
        + "</tr>"
        for m in metrics
    )
    return f"<table><tr><th>{e(label)}</th>{head}</tr>{rows}</table>"


def png_img(png: bytes, alt: str) -> str:
    """An <img> holding `png` inline, so the page needs no other file."""
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>"


def html_page(title: str, body: str) -> str:
    """A self-contained page: inline styles, no script, `title` as its heading."""
    e = html.escape
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>{body}</body></html>")


def render_html(
    summaries: Mapping[str, Summary], judgements: JudgementsBySystem, chart_png: bytes, title: str = TITLE
) -> str:
    """The whole report as one HTML document; per system, failed turns come before passed ones."""
    e = html.escape
    sections = []
    for system, js in judgements.items():
        ordered = sorted(js, key=lambda j: j.correct)  # stable: gold order within failures and passes
        failed = sum(not j.correct for j in js)
        sections.append(
            f"<h2>{e(system)}: {failed} of {len(js)} turns failed</h2>"
            "<table><tr><th>turn</th><th>question</th><th>answer</th><th>citations</th>"
            "<th>expected</th><th>result</th></tr>" + "".join(_row(j) for j in ordered) + "</table>"
        )
    return html_page(title, png_img(chart_png, "metrics per system") + metrics_html(summaries) + "".join(sections))
