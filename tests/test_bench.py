"""`python -m evaluate.bench --quick` end to end: real model, real gunicorn, real FAISS.

It checks what the benchmark writes (every part in the JSON, every table in the Markdown,
the plots), never how fast anything was: timings on a shared machine are not a test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from evaluate.bench.load import LoadRun
from evaluate.bench.load import main as load_main
from evaluate.bench.scaling import synthetic_passages
from evaluate.bench.server import ProcessMemory, ServerConfig
from evaluate.bench.stats import Percentiles, Spread
from evaluate.bench.throughput import LoadLevel, ServerRun, pick
from qa_service.config import PROJECT_ROOT

SECTIONS = ("## Targets", "## 1. Latency against the floor", "## 2. Throughput", "## 3. Cold start and memory",
            "## 4. Scaling to a million passages", "## 5. Cutting the floor", "## 6. A 10-page PDF, ingested",
            "## Method")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One quick benchmark into a temporary folder (the project's BENCHMARKS.md is left alone)."""
    root = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "QA_MODEL_CACHE_DIR": str(root / "models")}
    done = subprocess.run(
        [sys.executable, "-m", "evaluate.bench", "--quick", "--out", str(root / "out"),
         "--markdown", str(root / "BENCHMARKS.md")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return root


@pytest.mark.slow
def test_quick_benchmark_writes_every_part_to_json(quick_run: Path):
    data = json.loads((quick_run / "out" / "results.json").read_text(encoding="utf-8"))
    assert data["plan"]["quick"] is True and data["machine"]["cores"] >= 1
    for part in ("engine", "http"):
        assert set(data[part]["floor_ms"]) == set(data[part]["system_ms"]) == {"p50", "p95", "p99"}
        assert data[part]["system_ms"]["p50"]["repetitions"] == data["plan"]["repetitions"]
    assert data["cold_start_seconds"]["repetitions"] == 1
    [server] = data["servers"]
    assert server["config"] == data["procfile"] == data["chosen"]
    assert [level["clients"] for level in server["levels"]] == [1, 4, 16]
    assert all(level["errors"] == {} and level["answered"] > 0 for level in server["levels"])
    assert {m["role"] for m in server["memory"]} == {"master", "worker"}
    corpora = {corpus["passages"]: corpus for corpus in data["scaling"]}
    assert {2000, 10000} <= set(corpora) and [c["source"] for c in data["scaling"]].count("docs/") == 1
    for corpus in corpora.values():
        exact, approximate = ({i["kind"]: i for i in corpus["indexes"]}[kind] for kind in ("flat", "ivf-sq8"))
        assert exact["recall_at_10"] == 1.0 and exact["reconstruction_cosine_min"] > 0.9999
        assert 0 < approximate["recall_at_10"] <= 1 and approximate["memory_mib"] < exact["memory_mib"] + 0.1
    options = {o["option"]["name"]: o for o in data["options"]}
    assert len(options) == 5 and all(0 <= o["summary"]["answer_accuracy"] <= 1 for o in options.values())
    assert options["ONNX Runtime (exported here)"]["vector_cosine_min"] > 0.9999
    ingest = data["ingest"]
    assert ingest["pages"] == 10 and ingest["end_to_end_seconds"]["repetitions"] == 1
    assert ingest["sentences"] > 10 * 20 and ingest["passages"] > ingest["sentences"] / 5  # a full report, read
    parts = ("read_seconds", "build_seconds", "rest_seconds")
    assert abs(sum(ingest[part]["median"] for part in parts) - ingest["end_to_end_seconds"]["median"]) < 0.01
    assert 0 < ingest["embedded_seconds"]["median"] < ingest["build_seconds"]["median"]
    assert {t["name"].split(" at ")[0] for t in data["targets"]} >= {"engine p50 / floor p50", "HTTP p50 / floor p50",
                                                                    "errors under load", "recall@10",
                                                                    "10-page PDF, `python -m qa_service ingest` end to end"}
    assert all(isinstance(t["met"], bool) for t in data["targets"])


@pytest.mark.slow
def test_quick_benchmark_writes_the_report_with_its_tables_and_plots(quick_run: Path):
    text = (quick_run / "BENCHMARKS.md").read_text(encoding="utf-8")
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "| target | goal | measured | met |" in text and "**Quick run**" in text and " cores, " in text
    assert text.count("|---|") >= 8  # targets, latency, throughput, start, memory, scaling, options, ingest
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", text)
    assert len(images) == 3 and all((quick_run / image).is_file() for image in images)
    assert (quick_run / "out" / "results.json").is_file()


def _spread(value: float) -> Spread:
    return Spread.of([value])


def _run(workers: int, rps: float, p99: float, errors: int = 0, pss: float = 100.0) -> ServerRun:
    level = LoadLevel(16, _spread(rps), _spread(10), _spread(p99), 100, {"HTTP 500": errors} if errors else {})
    return ServerRun(ServerConfig(workers, 1), 1.0, [level], [ProcessMemory(1, "worker", pss, pss)])


def test_the_pick_prefers_no_errors_then_throughput_then_p99_within_a_tie():
    assert pick([_run(1, 100, 50, errors=1), _run(2, 60, 90)]).config.workers == 2
    assert pick([_run(1, 100, 50), _run(2, 60, 10)]).config.workers == 1
    assert pick([_run(1, 100, 50), _run(2, 97, 40)]).config.workers == 2  # within 5%: the lower p99


def test_spreads_and_percentiles_are_taken_per_repetition():
    assert Spread.of([3, 1, 2]) == Spread(2, 1, 3, 3)
    assert Spread.of([3, 1, 2]).text() == "2.0 (1.0-3.0)" and Spread.of([2]).text() == "2.0"
    p = Percentiles.over([[1, 2, 3], [10, 20, 30]])
    assert (p.p50.low, p.p50.high, p.p50.repetitions) == (2, 20, 2)
    with pytest.raises(ValueError):
        Spread.of([])
    assert LoadRun(4, 2.0, [1.0] * 10, {}).requests_per_second == 5


def test_synthetic_passages_are_distinct_unit_vectors_built_from_the_sentences():
    sentences = np.eye(8, 16, dtype=np.float32)
    passages = synthetic_passages(sentences, 500, seed=3)
    assert passages.shape == (500, 16) and np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-5)
    assert len(np.unique(passages.round(4), axis=0)) == 500
    assert np.abs(passages[:, 8:]).max() < np.abs(passages[:, :8]).max()  # mostly in the sentences' span
    assert np.array_equal(passages, synthetic_passages(sentences, 500, seed=3))


def test_the_load_generator_refuses_anything_but_loopback(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        load_main(["http://192.0.2.1:8000", "--clients", "1", "--seconds", "1", "--gold", "evaluate/gold.jsonl"])
    assert exit_info.value.code == 2 and "loopback" in capsys.readouterr().err
