"""gunicorn settings, each overridable from the environment (see .env.example)."""

import gc
import os

# The loaded app and its libraries are ~230k objects the garbage collector would walk on
# every full collection (~125 ms here, a pause every request in flight waits out), and
# walking them writes to their pages, unsharing them between the forked workers. So the
# master collects nothing while loading, and freezes what it loaded before forking
# (gc.freeze's documented use); workers then collect only what they allocate themselves.
gc.disable()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str((os.cpu_count() or 1) * 2 + 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = 5
# Long filter URLs (percent-encoded non-Latin search terms) must reach the app, which
# answers in the JSON envelope, instead of gunicorn's bare HTML 414.
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Create the app once in the master, then fork: smaller workers, faster start-up.
preload_app = True


def when_ready(_server: object) -> None:
    """In the master, after the app is loaded and before the first worker is forked."""
    gc.freeze()
    gc.enable()
