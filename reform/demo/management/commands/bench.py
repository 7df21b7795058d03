"""`make bench`: seed scale 1 and scale 10 in throwaway PostgreSQL databases and print how
fast the pages are at each, what gunicorn with two workers sustains under wrk, and what the
ledger export of every report costs. The output is Markdown, to be quoted.

1. For each scale: a new database ``bench_scale<N>_<pid>`` (dropped at the end unless
   ``--keep``), ``migrate``, ``seed_demo --scale N`` (timed), ``VACUUM ANALYZE``.
2. ``collectstatic`` into a temporary folder (DEBUG is off, as in production).
3. For each scale, in a child process: every page of ``reform.demo.bench.PAGES`` with the
   Django test client — its SQL queries and the median and 95th percentile server time.
4. For each scale: ``gunicorn config.wsgi -w 2`` on a free local port, and wrk against the
   provincial office's dashboard (signed in: a session cookie) and ``/healthz``, one after
   the other.
5. At the largest scale: the ledger of every report, .xlsx and .csv, measured by the
   dashboard's own ``bench_export``.
6. The report, with each target met or MISSED (by how much, and why).

Everything except the report goes to stderr.
"""

import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from reform.demo import bench

WRK_SCRIPT = """
-- Counts the answers other than 200 (a redirect to the sign-in page would otherwise pass
-- as success) and prints the summary as one JSON line.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0 end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non200") end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"non200": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    bad, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Command(BaseCommand):
    help = (
        "Benchmark the pages at scale 1 and 10 in throwaway bench_ databases, gunicorn under "
        "wrk, and the ledger export; print a Markdown report (what `make bench` runs)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,10", help="two scales, small,large")
        parser.add_argument(
            "--reps", type=int, default=100, help="timed requests per page and scale, at most"
        )
        parser.add_argument(
            "--min-reps", type=int, default=20, help="timed requests per page, at least"
        )
        parser.add_argument(
            "--page-seconds",
            type=float,
            default=20,
            help="time per page and scale after which no more than --min-reps are made",
        )
        parser.add_argument(
            "--rounds", type=int, default=2, help="the page timings are split into rounds"
        )
        parser.add_argument("--wrk-seconds", type=int, default=30)
        parser.add_argument("--wrk-connections", type=int, default=4)
        parser.add_argument(
            "--postgres",
            default=os.environ.get(
                "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
            ),
            help="a database of the server where the bench_ databases are made",
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench_ databases")
        # Internal: the measurements that run inside one database (see reform/demo/bench.py).
        parser.add_argument("--worker", choices=("pages", "session", "export"), help="internal")
        parser.add_argument("--out", help="internal")
        parser.add_argument("--user", default="office", help="internal")

    def handle(self, *args, **options):
        if options["worker"]:
            return self._worker(options)
        scales = tuple(int(s) for s in options["scales"].split(","))
        if len(scales) != 2 or not 1 <= scales[0] < scales[1]:
            raise CommandError("--scales takes two scales, the smaller first: 1,10")
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is not installed: apt-get install -y wrk")
        Run(self, options, scales, wrk).run()

    # --- inside one database --------------------------------------------------------------

    def _worker(self, options):
        if options["worker"] == "pages":
            result = bench.measure_pages(
                reps=options["reps"],
                min_reps=options["min_reps"],
                seconds=options["page_seconds"],
            )
        elif options["worker"] == "export":
            result = bench.measure_export()
        else:
            result = bench.session_cookie(options["user"])
        Path(options["out"]).write_text(json.dumps(result))


class Run:
    def __init__(self, command, options, scales, wrk):
        self.command = command
        self.options = options
        self.scales = scales
        self.wrk = wrk
        self.base = Path(settings.BASE_DIR)
        self.tmp = Path(tempfile.mkdtemp(prefix="reform-bench-"))
        self.databases: dict[int, str] = {}
        self.healthz = ""
        admin = options["postgres"]
        self.admin_url = admin
        self.server_url = admin.rsplit("/", 1)[0]
        self.env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "reform.demo.bench_settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "BENCH_STATIC_ROOT": str(self.tmp / "static"),
            "PYTHONUNBUFFERED": "1",
        }

    # --- helpers -----------------------------------------------------------------------------

    def env_for(self, scale: int) -> dict:
        return self.env | {"DATABASE_URL": f"{self.server_url}/{self.databases[scale]}"}

    def manage(self, scale: int, *arguments: str) -> str:
        completed = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=self.base,
            env=self.env_for(scale),
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            say(completed.stdout[-3000:])
            say(completed.stderr[-3000:])
            raise CommandError(f"manage.py {' '.join(arguments)} failed at scale {scale}")
        return completed.stdout

    def worker(self, scale: int, kind: str, *extra: str):
        out = self.tmp / f"{kind}-{scale}.json"
        self.manage(scale, "bench", "--worker", kind, "--out", str(out), *extra)
        return json.loads(out.read_text())

    def admin(self, statement) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    # --- the run -----------------------------------------------------------------------------

    def run(self) -> None:
        started = time.perf_counter()
        self.load_before = os.getloadavg()[0]
        try:
            with psycopg.connect(self.admin_url, connect_timeout=5) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
                self.server_version = f"PostgreSQL {version.split()[0]}"
        except psycopg.OperationalError as error:
            raise CommandError(
                f"PostgreSQL does not answer at {self.admin_url} ({error}). Start it, or name "
                "another server with BENCH_POSTGRES_URL (a role that may create databases)."
            ) from None
        try:
            seeded = {scale: self.seed(scale) for scale in self.scales}
            say("collectstatic (DEBUG is off: the pages need the static files' manifest)")
            self.manage(self.scales[0], "collectstatic", "--noinput", "-v", "0")
            pages = self.time_pages()
            wrk = {scale: self.load(scale) for scale in self.scales}
            large = self.scales[1]
            say(f"scale {large}: the ledger export of every report")
            export = self.worker(large, "export")
        finally:
            self.cleanup()
        report = bench.BenchReport(
            title=(
                f"make bench — {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, "
                f"{self.server_version}; load average {self.load_before:.1f} before the run, "
                f"{os.getloadavg()[0]:.1f} after"
            ),
            scales=self.scales,
            seeded=seeded,
            pages=pages,
            wrk=wrk,
            wrk_command=(
                f"`wrk -t2 -c{self.options['wrk_connections']} "
                f"-d{self.options['wrk_seconds']}s` on the same machine, one address after "
                "the other"
            ),
            export=export,
            healthz=self.healthz,
        )
        self.command.stdout.write(report.render())
        say(f"make bench took {(time.perf_counter() - started) / 60:.1f} min")

    def time_pages(self) -> dict:
        """The pages of each scale, in rounds that alternate the order of the scales (1, 10,
        then 10, 1), so that a change of the machine's load does not favour one scale."""
        rounds = self.options["rounds"]
        pages: dict[int, dict] = {}
        for number in range(rounds):
            for scale in self.scales if number % 2 == 0 else self.scales[::-1]:
                say(f"scale {scale}: timing the pages in-process (round {number + 1}/{rounds})")
                found = self.worker(
                    scale,
                    "pages",
                    "--reps",
                    str(math.ceil(self.options["reps"] / rounds)),
                    "--min-reps",
                    str(math.ceil(self.options["min_reps"] / rounds)),
                    "--page-seconds",
                    str(self.options["page_seconds"] / rounds),
                )
                if scale not in pages:
                    pages[scale] = found
                    continue
                for key, page in found.items():
                    pages[scale][key]["times"] += page["times"]
        return pages

    def seed(self, scale: int) -> dict:
        name = f"bench_scale{scale}_{os.getpid()}"
        self.databases[scale] = name
        say(f"scale {scale}: creating database {name}, migrating, seeding")
        self.admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.manage(scale, "migrate", "--noinput", "-v", "0")
        before = time.perf_counter()
        out = self.manage(scale, "seed_demo", "--scale", str(scale))
        seconds = time.perf_counter() - before
        summary = next(line for line in out.splitlines() if line.startswith("Scale "))
        say(f"  {summary} ({seconds:.0f} s with the demo accounts)")
        with psycopg.connect(f"{self.server_url}/{name}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        return {"summary": summary.split(": ", 1)[1], "seconds": seconds}

    def load(self, scale: int) -> dict:
        """gunicorn with two workers; wrk on the dashboard, then on /healthz."""
        say(f"scale {scale}: gunicorn -w 2 and wrk")
        port = _free_port()
        log = open(self.tmp / f"gunicorn-{scale}.log", "w")
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=self.base,
            env=self.env_for(scale),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            root = f"http://127.0.0.1:{port}"
            self.healthz = _wait_for(f"{root}/healthz", server, self.tmp / f"gunicorn-{scale}.log")
            cookie = self.worker(scale, "session", "--user", "office")
            _check_page(f"{root}/dashboard/", cookie)
            script = self.tmp / "report.lua"
            script.write_text(WRK_SCRIPT)
            self.run_wrk(f"{root}/dashboard/", cookie, script, seconds=3)  # warm both workers
            return {
                "dashboard": self.run_wrk(f"{root}/dashboard/", cookie, script),
                "healthz": self.run_wrk(f"{root}/healthz", None, script),
            }
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # the group of the gunicorn started above
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            log.close()

    def run_wrk(self, url: str, cookie: str | None, script: Path, seconds: int = 0) -> dict:
        seconds = seconds or self.options["wrk_seconds"]
        command = [
            self.wrk,
            "-t2",
            f"-c{self.options['wrk_connections']}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        completed = subprocess.run([*command, url], capture_output=True, text=True)
        line = next(
            (x for x in completed.stdout.splitlines() if x.startswith("BENCH ")),
            None,
        )
        if completed.returncode != 0 or line is None:
            say(completed.stdout + completed.stderr)
            raise CommandError(f"wrk failed on {url}")
        result = json.loads(line.removeprefix("BENCH "))
        result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
        return result

    def cleanup(self) -> None:
        if self.options["keep"]:
            say("kept databases: " + ", ".join(self.databases.values()))
        else:
            for name in self.databases.values():
                self.admin(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        shutil.rmtree(self.tmp, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> str:
    """Wait until ``url`` answers 200; its body."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return response.read().decode()
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    say(log.read_text()[-3000:])
    raise CommandError(f"gunicorn did not answer {url}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _check_page(url: str, cookie: str) -> None:
    """The session works: the dashboard answers 200 (not a redirect to the sign-in page)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise CommandError(f"{url} answered {status} to the signed-in session, not 200")
