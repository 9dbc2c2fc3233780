"""The system under test: bench databases, gunicorn in the Production config, one RQ worker.

Every process is started in its own session and remembered, so that ``stop_all`` (run
from ``finally``, ``atexit`` and the SIGTERM/SIGINT handlers) kills each whole process
group even when the harness fails half-way: CI must never be left with a stray server.
"""

from __future__ import annotations

import atexit
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.sql

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/8"  # the bench's own Redis database, flushed per run

_started: list[subprocess.Popen] = []


def _kill_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after ``grace`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


def stop_all() -> None:
    """Stop every process the harness started, newest first."""
    while _started:
        _kill_group(_started.pop())


def _on_signal(signum: int, _frame: object) -> None:
    stop_all()
    sys.exit(128 + signum)


def install_cleanup() -> None:
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``cmd`` in a new session (its own process group), output to ``log``."""
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own binaries, argument lists
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    _started.append(process)
    return process


def run(cmd: list[str], env: dict[str, str], log: Path, timeout: float = 1800) -> None:
    """Run ``cmd`` to completion (a seed, a migration); raise with the log's tail on failure."""
    process = spawn(cmd, env, log)
    try:
        code = process.wait(timeout=timeout)
    finally:
        _kill_group(process)
        _started.remove(process)
    if code:
        tail = [line[:300] for line in log.read_text(errors="replace").splitlines()[-30:]]
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}):\n" + "\n".join(tail))


@dataclass(frozen=True)
class Secrets:
    """Fresh per run: the Production config refuses short or default secrets."""

    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    jwt_secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def base_env(database: str, keys: Secrets, **extra: str) -> dict[str, str]:
    """The environment every Sokoni process of the run shares."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=f"{PG}/{database}",
        REDIS_URL=REDIS_URL,
        SECRET_KEY=keys.secret_key,
        JWT_SECRET_KEY=keys.jwt_secret_key,
        JWT_ACCESS_MINUTES="240",  # shoppers' tokens must outlive the whole run
        SANDBOX_WEBHOOK_SECRET=keys.webhook_secret,
        PAYMENTS_ENABLED_GATEWAYS="sandbox,pay_on_pickup",
        # One IP and 32 accounts paying hundreds of orders a minute, with late failures:
        # exactly what the fraud rules' velocity and failure counts stop. The bench
        # measures the payment path, not those rules, so they are set out of its reach.
        PAYMENTS_FRAUD_VELOCITY_LIMIT="1000000000",
        PAYMENTS_FRAUD_MAX_FAILURES="1000000000",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def query(database: str, statement: str | psycopg2.sql.Composable, params: tuple = ()) -> list[tuple]:
    """One parametrised statement on its own autocommit connection: the harness's own books,
    read and written independently of the app under test."""
    conn = psycopg2.connect(f"{PG}/{database}")
    try:
        conn.autocommit = True  # VACUUM and CREATE DATABASE refuse to run in a transaction
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def scalar(database: str, statement: str, params: tuple = ()) -> int:
    return int(query(database, statement, params)[0][0])


def ensure_database(name: str, products: int, orders: int, keys: Secrets, logdir: Path) -> None:
    """Create ``name`` if missing, migrate it, grow it to the wanted size and analyse it.

    ``flask seed`` is idempotent: on a database that already has the data it only checks
    counts, so a second run reuses the seeded data in seconds.
    """
    if not query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (name,)):
        query("postgres", psycopg2.sql.SQL("CREATE DATABASE {}").format(psycopg2.sql.Identifier(name)))
    env = base_env(name, keys, SOKONI_CONFIG="development")
    log = logdir / f"seed-{name}.log"
    run([str(BIN / "flask"), "db", "upgrade"], env, log)
    run([str(BIN / "flask"), "seed", "--products", str(products), "--orders", str(orders)], env, log)
    # Bulk inserts leave the planner's statistics at "empty table": without this, list pages
    # sort the whole catalog (95 ms) instead of walking the created_at index (2 ms) until
    # autovacuum happens to run. A deployed shop's tables are analysed; the bench's must be.
    query(name, "VACUUM ANALYZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running gunicorn (Production config) plus its RQ worker."""

    url: str
    master: subprocess.Popen
    worker: subprocess.Popen
    worker_class: str
    peak_rss_mb: float = 0.0

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def sample_rss(self) -> float:
        """Peak resident set (VmHWM) of the largest gunicorn worker so far, in MB."""
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_mb = max(self.peak_rss_mb, int(line.split()[1]) / 1024)
        return self.peak_rss_mb


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{url}/api/health/", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy within {timeout}s; see {log}")


@contextmanager
def serving(
    database: str, keys: Secrets, logdir: Path, worker_class: str, cache: bool = True
) -> Iterator[Server]:
    """gunicorn with the Production config (workers and threads from gunicorn.conf.py) and one worker."""
    port = free_port()
    threads = int(os.environ.get("GUNICORN_THREADS", "4"))
    env = base_env(
        database,
        keys,
        SOKONI_CONFIG="production",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKER_CLASS=worker_class,
        GUNICORN_ACCESSLOG="/dev/null",  # formatted (as in production) but not written to a terminal
        CATALOG_CACHE_ENABLED="true" if cache else "false",
        # One connection per thread, plus slack: 5 workers stay well inside max_connections.
        DB_POOL_SIZE=str(threads if worker_class == "gthread" else 1),
        DB_MAX_OVERFLOW="2",
    )
    log = logdir / f"gunicorn-{worker_class}-{port}.log"
    master = spawn([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], env, log)
    worker = spawn([str(BIN / "flask"), "worker"], env, logdir / f"worker-{port}.log")
    server = Server(f"http://127.0.0.1:{port}", master, worker, worker_class)
    try:
        _wait_healthy(server.url, master, log)
        yield server
    finally:
        server.sample_rss()
        for process in (worker, master):
            _kill_group(process)
            if process in _started:
                _started.remove(process)
