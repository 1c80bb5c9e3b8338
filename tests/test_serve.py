"""
``make serve`` as an operator runs it: gunicorn with DEBUG off serves pages,
embeds and hashed, compressed static files (whitenoise), on a fresh database.
"""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Served(str):
    """The server's address, and where its output goes."""

    def __new__(cls, base, log):
        served = super().__new__(cls, base)
        served.log = log
        return served


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The site under ``make serve``, started once; its output (the access log) is ``.log``."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "DEBUG", "PYTEST_XDIST_WORKER")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        HOST=f"127.0.0.1:{port}",
    )
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        ["make", "-s", "serve", f"HOST=127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                fetch(base + "/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "serve.log").read_text()[-3000:])
                time.sleep(0.5)
        yield Served(base, tmp_path / "serve.log")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_make_serve_serves_pages_and_static_files_with_debug_off(served):
    status, headers, body = fetch(served + "/embed/totals/?lang=en")
    assert status == 200 and b"5,857" in body
    assert "public" in headers["Cache-Control"] and headers["Surrogate-Key"]
    # The stylesheet by its hashed name: cached for a year, compressed on request.
    stylesheet = re.search(rb'href="(/static/exchanges/factbox\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, body[:500]
    status, headers, css = fetch(
        served + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    # The admin is styled too.
    status, _headers, page = fetch(served + "/admin/login/")
    assert status == 200 and b"/static/admin/css/base." in page
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(served + "/no-such-page/")
    assert missing.value.code == 404 and b"Traceback" not in missing.value.read()


def test_the_access_log_keeps_no_query_strings(served):
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(served + "/feeds/exchanges.atom?key=s3cret-partner-key")
    assert refused.value.code in (401, 403)
    # The access log is written after the answer: wait for its line.
    deadline = time.monotonic() + 30
    while '"GET /feeds/exchanges.atom"' not in (log := served.log.read_text()):
        assert time.monotonic() < deadline, log[-3000:]
        time.sleep(0.1)
    assert '"GET /feeds/exchanges.atom"' in log
    assert "s3cret-partner-key" not in log
