"""`python -m evaluate.bench`: how fast the service is, measured against the model's own floor.

Five parts, each a module: `latency` (the time to encode one question with the model alone,
and the engine's and HTTP's time around it), `throughput` with `server` and `load` (gunicorn
as the Procfile runs it, loaded from a second process on loopback; cold start and memory),
`scaling` (vector indexes from ten thousand to a million synthetic passages) and `options`
(ways to cut the encoding floor, each with its gold-set quality). `report` and `plots` turn
the results into BENCHMARKS.md, a JSON file and PNG plots; `cli` runs it all.

Benchmarks print figures; the test suite checks their structure and never a timing.
"""
