"""The load generator: N clients asking gold questions in a closed loop, in a process of its own.

`throughput` runs it as `python -m evaluate.bench.load URL --clients N --seconds S`; it
prints one JSON object with every request's latency and the errors by kind. It is a second
process so that the clients' own Python work is not done inside the measuring process, and
it only talks to loopback addresses.

Closed loop: each client sends its next question as soon as its previous answer arrives, so
N clients keep N requests in flight, and requests per second is what the service sustains
at that concurrency. Bounded: no request starts after S seconds, and each has a timeout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from evaluate.errors import EvaluationError
from evaluate.gold import load_gold
from evaluate.runner import ask_url

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class LoadRun:
    """One timed load: how many answers came back, how fast, and what failed."""

    clients: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    errors: dict[str, int]

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds


def _client(url: str, questions: Sequence[str], offset: int, deadline: float,
            latencies: list[float], errors: Counter) -> None:
    session = requests.Session()
    sent = 0
    while time.perf_counter() < deadline:
        question = questions[(offset + sent) % len(questions)]
        sent += 1
        started = time.perf_counter()
        try:
            response = session.post(url, json={"question": question}, timeout=REQUEST_TIMEOUT)
            kind = None if response.status_code == 200 else f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            kind = type(exc).__name__
        elapsed = (time.perf_counter() - started) * 1000
        if kind is None:
            latencies.append(elapsed)
        else:
            errors[kind] += 1
    session.close()


def generate(url: str, questions: Sequence[str], clients: int, seconds: float) -> LoadRun:
    """Run `clients` closed-loop clients against `url` (POST /api/ask) for `seconds`."""
    started = time.perf_counter()
    deadline = started + seconds
    step = max(1, len(questions) // clients)  # clients start at different questions
    results = [([], Counter()) for _ in range(clients)]  # each client writes only its own
    threads = [threading.Thread(target=_client, args=(url, questions, k * step, deadline, *results[k]))
               for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return LoadRun(clients, elapsed, [ms for latencies, _ in results for ms in latencies],
                   dict(sum((errors for _, errors in results), Counter())))


def run_load(url: str, clients: int, seconds: float, gold: Path) -> LoadRun:
    """`generate` in a child process (see the module docstring); EvaluationError when it fails."""
    command = [sys.executable, "-m", "evaluate.bench.load", url, "--clients", str(clients),
               "--seconds", str(seconds), "--gold", str(gold)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT + 60)
    if done.returncode != 0:
        raise EvaluationError(f"the load generator failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    data = json.loads(done.stdout)
    return LoadRun(data["clients"], data["seconds"], data["latencies_ms"], data["errors"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluate.bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the service, e.g. http://127.0.0.1:8000 (loopback only)")
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--gold", type=Path, required=True, help="gold set whose first questions are asked")
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        parser.error(f"only loopback addresses may be loaded, not {args.url}")
    if args.clients < 1 or not 0 < args.seconds <= 600:
        parser.error("--clients must be at least 1 and --seconds in (0, 600]")
    questions = [item.turns[0].question for item in load_gold(args.gold)]
    run = generate(ask_url(args.url), questions, args.clients, args.seconds)
    json.dump({"clients": run.clients, "seconds": run.seconds, "latencies_ms": run.latencies_ms, "errors": run.errors},
              sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
