"""
The production server under load (``make bench``): gunicorn with 2 workers and
DEBUG off, on PostgreSQL with Redis, loaded by wrk over loopback.

Every figure is a ratio to a hello-world view (``/health/``) on the same server,
measured in alternation with it, so it means the same on any machine. Runs at
1,000 and 100,000 exchanges and writes ``bench/results.md``.

    make bench                       # both sizes, about 10 minutes
    BENCH_SIZES=1000 BENCH_SECONDS=2 .venv/bin/python bench/serve.py   # a quick look
"""

import datetime
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exchanges_bench"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
CONNECTIONS = 4


def environment(**extra):
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG",)}
    env.update(
        DATABASE_URL=DATABASE,
        REDIS_URL=REDIS,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        HTTPS="0",
        PUBLIC_RATE="",  # wrk is one address: no per-address limit while measuring
        API_RATE="100000000/hour",
        STATIC_ROOT=str(ROOT / "staticfiles"),
        CACHE_KEY_PREFIX="bench",
    )
    env.update(extra)
    return env


def manage(*args, **extra):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=environment(**extra),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def psql(sql):
    admin = DATABASE.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-q", "-c", sql], check=True, capture_output=True)


def prepare(size, out):
    """A fresh database with the seed and ``size`` exchanges in all, and half as many quotes."""
    name = DATABASE.rsplit("/", 1)[1]
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=True, capture_output=True)
    manage("migrate", "--no-input")
    manage("load_seed")
    seeded = int(
        manage(
            "shell", "-c", "from exchanges.models import Exchange; print(Exchange.objects.count())"
        )
    )
    manage(
        "seed_synthetic",
        "--exchanges",
        str(max(size - seeded, 0)),
        "--quotes",
        str(size // 2),
        "--seed",
        "1",
        "--batch",
        "5000",
    )
    key = manage("create_api_key", "Benchmark")
    manage("bake_embeds", "--out", str(out), "--kinds", "totals,timeline,agreement")
    return key


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server stopped: {url}") from None
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {url}")


class Server:
    """gunicorn, as ``make serve`` runs it, with 2 workers."""

    def __init__(self, **extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "newsroom.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment(**extra),
            start_new_session=True,
        )
        wait_for(self.base + "/health/", self.process)

    def rss_mb(self):
        """The largest worker's resident memory, in MB."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                found = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
                sizes.append(int(found.group(1)) / 1024 if found else 0)
        return max(sizes, default=0)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


class Nginx:
    """nginx serving the baked embeds: the static-file limit."""

    def __init__(self, root):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        (self.dir / "logs").mkdir()
        config = self.dir / "nginx.conf"
        config.write_text(
            f"""
worker_processes 1;
daemon off;
error_log {self.dir}/logs/error.log;
pid {self.dir}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
    }}
}}
"""
        )
        self.process = subprocess.Popen(
            ["nginx", "-c", str(config), "-p", str(self.dir)], start_new_session=True
        )
        wait_for(self.base + "/embed/totals/en/live/", self.process)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


# Each request asks a new address for the same records (an ``updated_since``
# before all of them): the answer is never kept, each record's JSON is, as
# for the first partner to ask after a change.
COLD_ANSWER = """
math.randomseed(os.time())
request = function()
  local since = string.format("2000-01-01T00:00:00.%06d", math.random(0, 999999))
  return wrk.format(nil, wrk.path .. "&updated_since=" .. since)
end
"""


def wrk(url, headers=(), script=None):
    """(requests/s, p50 ms, p99 ms, non-2xx) of one wrk run."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if script:
        path = Path(tempfile.mkstemp(suffix=".lua")[1])
        path.write_text(script)
        command[1:1] = ["-s", str(path)]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(name):
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, percentile("50"), percentile("99"), int(errors.group(1)) if errors else 0


def measure(server, url, headers=(), baseline_server=None, script=None):
    """The door against /health/ on the same server, alternating, ROUNDS times."""
    baseline_server = baseline_server or server
    with urllib.request.urlopen(
        urllib.request.Request(url, headers=dict(header.split(": ", 1) for header in headers))
    ) as response:
        assert response.status == 200, url  # and warm: the first answer fills the cache
    rounds = []
    for _round in range(ROUNDS):
        base = wrk(baseline_server.base + "/health/")
        door = wrk(url, headers, script)
        rounds.append((base, door))
    ratio = statistics.mean(door[0] / base[0] for base, door in rounds)
    rate = statistics.mean(door[0] for _base, door in rounds)
    base_rate = statistics.mean(base[0] for base, _door in rounds)
    p50 = statistics.mean(door[1] for _base, door in rounds)
    p99 = statistics.mean(door[2] for _base, door in rounds)
    errors = sum(door[3] for _base, door in rounds)
    return {
        "rate": rate,
        "base": base_rate,
        "ratio": ratio,
        "p50": p50,
        "p99": p99,
        "errors": errors,
    }


def run(size):
    baked = Path(tempfile.mkdtemp(prefix="bench-baked-"))
    baked.chmod(0o755)  # nginx's workers read it as nobody
    key = prepare(size, baked)
    auth = (f"Authorization: Api-Key {key}",)
    servers = []
    try:
        servers.append(cached := Server())
        servers.append(uncached := Server(EXCHANGES_CACHE="none"))
        servers.append(nginx := Nginx(baked))
        return measure_all(size, key, auth, cached, uncached, nginx)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(baked, ignore_errors=True)


def measure_all(size, key, auth, cached, uncached, nginx):
    exchange = manage(
        "shell",
        "-c",
        "from exchanges.models import Exchange; print(Exchange.objects.public().first().uuid)",
    )
    article = manage(
        "shell", "-c", "from newsroom.articles import ARTICLES; print(next(iter(ARTICLES)))"
    )
    embed = "/embed/totals/?lang=en"
    doors = [
        ("hello-world (`/health/`)", cached, "/health/", ()),
        ("totals embed, cached", cached, embed, ()),
        ("totals embed, uncached", uncached, embed, ()),
        ("oEmbed, cached", cached, "/oembed/?url=" + quote(cached.base + embed, safe=""), ()),
        ("`summary/`, cached", cached, "/api/v1/summary/", ()),
        ("API list of 50, cached", cached, "/api/v1/exchanges/?page_size=50", auth),
        ("API list of 50, uncached", uncached, "/api/v1/exchanges/?page_size=50", auth),
        (
            "API list of 50, answer new, records kept",
            cached,
            "/api/v1/exchanges/?page_size=50",
            auth,
            COLD_ANSWER,
        ),
        ("API list of 200, cached", cached, "/api/v1/exchanges/?page_size=200", auth),
        ("API list of 200, uncached", uncached, "/api/v1/exchanges/?page_size=200", auth),
        ("API detail, cached", cached, f"/api/v1/exchanges/{exchange}/", auth),
        ("ninjs list of 50, cached", cached, "/api/v1/exchanges/?page_size=50&format=ninjs", auth),
        (
            "ninjs list of 50, uncached",
            uncached,
            "/api/v1/exchanges/?page_size=50&format=ninjs",
            auth,
        ),
        ("`changes/`, 50", cached, "/api/v1/changes/?page_size=50", auth),
        ("`changes/`, 50, uncached", uncached, "/api/v1/changes/?page_size=50", auth),
        ("Atom feed, cached", cached, "/feeds/exchanges.atom", auth),
        ("demo article, cached", cached, f"/articles/{article}/", ()),
    ]
    results, rss = {}, 0.0
    for name, server, path, headers, *script in doors:
        results[name] = measure(
            server, server.base + path, headers, script=next(iter(script), None)
        )
        rss = max(rss, cached.rss_mb(), uncached.rss_mb())
        print(f"{size:>7} {name:<32} {results[name]['ratio']:6.3f}", flush=True)
    results["baked embed, nginx"] = measure(
        nginx, nginx.base + "/embed/totals/en/live/", baseline_server=cached
    )
    print(f"{size:>7} baked embed, nginx {results['baked embed, nginx']['ratio']:6.3f}")
    return results, rss


def version(command):
    try:
        return (
            subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        )
    except (OSError, IndexError):
        return "unknown"


def report(all_results, started, took):
    sizes = list(all_results)
    lines = [
        "# Benchmark: the production server under load",
        "",
        f"Made by `make bench` (`bench/serve.py`) on {started:%Y-%m-%d %H:%M} UTC "
        f"in {took / 60:.0f} min:",
        f"gunicorn, 2 sync workers, DEBUG off, on {version(['psql', '--version'])} and "
        f"{version(['redis-server', '--version'])[:30]}, loaded by wrk ({CONNECTIONS} connections, "
        f"{SECONDS} s per run) over loopback on {os.cpu_count()} cores ({platform.machine()}).",
        "",
        f"Each ratio is the door's requests/s divided by a hello-world view's (`/health/`) on the "
        f"same server, measured in alternation with it, mean of {ROUNDS} rounds. *Uncached* is a "
        "second server with `EXCHANGES_CACHE=none`: every request does all the work. The seed "
        "plus synthetic data (`seed_synthetic`, quotes half the exchanges).",
        "",
    ]
    header = "| request | " + " | ".join(
        f"{size:,} exchanges: ratio | req/s | p50 ms | p99 ms" for size in sizes
    )
    if len(sizes) == 2:
        header += " | large ÷ small"
    lines += [header + " |", "|---|" + "---|" * (4 * len(sizes) + (1 if len(sizes) == 2 else 0))]
    for name in all_results[sizes[0]][0]:
        row = [name]
        for size in sizes:
            figures = all_results[size][0][name]
            row += [
                f"{figures['ratio']:.3f}",
                f"{figures['rate']:,.0f}",
                f"{figures['p50']:.1f}",
                f"{figures['p99']:.1f}",
            ]
        if len(sizes) == 2:
            small, large = (all_results[size][0][name]["ratio"] for size in sizes)
            row.append(f"{large / small:.2f}")
        lines.append("| " + " | ".join(row) + " |")
    lines += [""]
    for size in sizes:
        lines.append(f"Largest worker RSS at {size:,} exchanges: {all_results[size][1]:.0f} MB.")
    errors = {
        (size, name): figures["errors"]
        for size in sizes
        for name, figures in all_results[size][0].items()
        if figures["errors"]
    }
    lines += ["", f"Non-2xx answers during the runs: {errors or 'none'}.", ""]
    return "\n".join(lines)


def main():
    for tool in ("wrk", "nginx", "psql", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"bench needs {tool}: apt-get install wrk nginx-light (see Makefile: bench)")
    started, clock = datetime.datetime.now(datetime.UTC), time.monotonic()
    manage("collectstatic", "--no-input", "-v", "0")
    results = {size: run(size) for size in SIZES}
    text = report(results, started, time.monotonic() - clock)
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results.md"))
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
