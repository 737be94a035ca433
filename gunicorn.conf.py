"""Gunicorn settings shared by the Procfile, `make run` and the end-to-end tests.

Only the bind address differs between them and is given on the command line
(`--bind 0.0.0.0:$PORT` on a platform, `--bind $(HOST):$(PORT)` locally).
"""

import os

# One torch thread per process: requests run in parallel across workers and threads, and on
# this 2-core machine torch's default of one thread per core made each question's encoding
# ~30x slower (about 500 ms instead of 16 ms). Set before the app (and torch) is imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")

# Load the model and index once in the master, before forking: workers share those pages
# and start answering at once. Each worker then watches index/current on its own.
preload_app = True  # also spelled out as --preload in the Procfile and Makefile

# Defaults fit a 2-core machine: 2 processes, each with 4 threads so a slow client or a
# document download does not hold up questions (torch releases the GIL while it computes).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread"

# A question takes well under a second; a worker stuck for a minute is restarted.
timeout = 60
graceful_timeout = 20

# The app writes one JSON access line per request itself (qa_service.logs); gunicorn's own
# access log would be a second, differently formatted line.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# gunicorn's runtime control socket is not used; without it two servers on one machine
# (`make run` beside the test suite's) do not fight over ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
