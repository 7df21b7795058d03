"""`make bench`: how fast the tracker is at a real province's data (scale 1) and at ten times
it (scale 10). See ``management/commands/bench.py`` for the order of the run.

The in-process measurements (``measure_pages``, ``measure_export``, ``session_cookie``) run
in a child ``manage.py bench --worker …`` process pointed at one throwaway database; the
orchestration (databases, gunicorn, wrk, the report) runs in the parent.
"""

import math
import os
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reform.org.models import Jurisdiction, Unit
from reform.plan.models import Assignment, Task
from reform.plan.selectors import current_period
from reform.reports.models import Report

WARMUP = 2
WORKERS = 2  # gunicorn's -w
TASK = 21  # the task with the most cooperating units: the fullest report form and task page


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    username: str


PAGES = (
    Page("unit", "unit page (省税务局, `tax-staff`)", "tax-staff"),
    Page("report", f"report form (省税务局, task {TASK}, current period)", "tax-staff"),
    Page("task", f"task page (task {TASK})", "office"),
    Page("office", "office dashboard (哈尔滨市 office)", "harbin-office"),
    Page("rollup", "provincial roll-up (provincial office's dashboard)", "office"),
    Page("ledger", "ledger export .xlsx (province, as the dashboard links it)", "office"),
    Page("ledger_below", "ledger export .xlsx, province and below (`below=1`)", "office"),
)
DASHBOARDS = ("office", "rollup")


def _targets() -> dict[str, tuple[str, str]]:
    """For each page: its address and the amount of data behind it, in words."""
    period = current_period().period
    province = Jurisdiction.objects.get(level=Jurisdiction.Level.PROVINCE)
    harbin = Jurisdiction.objects.get(code="harbin")
    tax = Unit.objects.get(code="hlj-tax")
    task = Task.objects.get(number=TASK, jurisdiction__isnull=True)
    report = Report.objects.get(unit=tax, task=task, period=period)
    cooperating = Report.objects.filter(
        task=task, period=period, role=Assignment.Role.COOPERATING, unit__jurisdiction=province
    ).count()
    below = Report.objects.filter(unit__jurisdiction__path__startswith=province.path)
    return {
        "unit": (
            f"/units/{tax.pk}/",
            f"{Report.objects.filter(unit=tax, period=period).count()} reports",
        ),
        "report": (f"/reports/{report.pk}/", f"{cooperating} cooperating reports"),
        "task": (
            f"/plan/tasks/{task.pk}/",
            f"{Assignment.objects.filter(task=task, is_active=True).count()} assignments",
        ),
        "office": (
            "/dashboard/",
            f"{Report.objects.filter(unit__jurisdiction__path__startswith=harbin.path).count()}"
            " reports",
        ),
        "rollup": ("/dashboard/", f"{below.count()} reports"),
        "ledger": (
            "/dashboard/export/ledger.xlsx",
            f"{below.filter(period=period, unit__jurisdiction=province).count()} rows",
        ),
        "ledger_below": (
            "/dashboard/export/ledger.xlsx?below=1",
            f"{below.filter(period=period).count()} rows",
        ),
    }


def _get(client: Client, address: str) -> int:
    """GET ``address``, read the whole answer, and return its size in bytes."""
    response = client.get(address)
    if response.status_code != 200:
        raise RuntimeError(f"GET {address} answered {response.status_code}")
    # Exports stream: the work (and, for .csv, the queries) happens while the body is read;
    # the test client closes the response (and keeps the database connection) at its end.
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _shape(sql: str) -> str:
    """A query without its values, to tell which queries one scale runs and the other not."""
    return re.sub(r"\b\d+\b|'[^']*'", "?", sql)[:160]


def measure_pages(*, reps: int, min_reps: int, seconds: float) -> dict:
    """Each page: its queries (one request under CaptureQueriesContext) and the server time
    of ``reps`` requests (fewer, but at least ``min_reps``, when a page takes longer than
    ``seconds`` in all), after ``WARMUP`` requests."""
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    targets = _targets()
    results = {}
    for page in PAGES:
        address, data = targets[page.key]
        client = Client(HTTP_HOST="127.0.0.1")  # DJANGO_ALLOWED_HOSTS=127.0.0.1
        client.force_login(users[page.username])
        for _ in range(WARMUP):
            _get(client, address)
        with CaptureQueriesContext(connection) as queries:
            size = _get(client, address)
        # Read now: the next request clears the connection's log (django.db.reset_queries).
        shapes = [_shape(query["sql"]) for query in queries.captured_queries]
        sql_seconds = sum(float(query["time"]) for query in queries.captured_queries)
        times = []
        started = time.perf_counter()
        while len(times) < reps and (
            len(times) < min_reps or time.perf_counter() - started < seconds
        ):
            before = time.perf_counter()
            _get(client, address)
            times.append(time.perf_counter() - before)
        results[page.key] = {
            "address": address,
            "data": data,
            "queries": len(shapes),
            "shapes": shapes,
            "sql_seconds": sql_seconds,  # of the one request under CaptureQueriesContext
            "bytes": size,
            "times": times,
        }
    return results


def session_cookie(username: str) -> str:
    """A signed-in session of ``username`` in this database, for wrk's Cookie header."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class _EveryReport:
    """Stands in for dashboard ``Filters`` in ``bench_export``: every report of every period."""

    def reports(self, *, below: bool = False):
        return Report.objects.all()


def measure_export() -> dict:
    """The ledger of every report, .xlsx and .csv, each written in a forked child process by
    the dashboard's own export benchmark (``manage.py bench_export``): rows, time, memory."""
    from reform.dashboard.management.commands.bench_export import Command as ExportBench

    exporter = ExportBench()
    return {
        kind: exporter._measure(_EveryReport(), kind, traced=False, in_process=False)
        for kind in ("xlsx", "csv")
    }


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with ``pct`` % of the values at or below."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _mb(kib: float) -> float:
    return kib * 1024 / 1e6


def _peak_mb(run: dict) -> float:
    """The exporting process's peak resident memory (ru_maxrss), MB."""
    return _mb(run["maxrss_before_kb"] + run["maxrss_delta_kb"])


@dataclass
class Target:
    text: str
    met: bool
    why: str = ""  # for a missed target: by how much, and why

    def line(self) -> str:
        return f"- met: {self.text}" if self.met else f"- MISSED: {self.text} — {self.why}"


@dataclass
class BenchReport:
    title: str
    scales: tuple[int, int]
    seeded: dict  # scale -> {"summary": str, "seconds": float}
    pages: dict  # scale -> measure_pages()
    wrk: dict  # scale -> {"dashboard": wrk summary, "healthz": wrk summary}
    wrk_command: str
    export: dict  # format -> bench_export's measurement
    healthz: str = ""  # what /healthz answered under gunicorn

    def render(self) -> str:
        small, large = self.scales
        out = [
            f"## {self.title}",
            "",
            "Seeded (`seed_demo --scale N`, each in a new `bench_` database):",
            "",
        ]
        for scale in self.scales:
            seeded = self.seeded[scale]
            out.append(
                f"- scale {scale}: {seeded['summary']} (the command: {seeded['seconds']:.0f} s)"
            )
        counts = [len(p["times"]) for scale in self.scales for p in self.pages[scale].values()]
        out += [
            "",
            f"### Pages: server time in-process (Django test client, signed in, DEBUG off; "
            f"{WARMUP} warm-up requests, then {min(counts)}–{max(counts)} timed requests each)",
            "",
            f"| page | data behind it, scale {small} → {large} | queries ×{small} "
            f"| queries ×{large} | median ×{small} (ms) | p95 ×{small} (ms) "
            f"| median ×{large} (ms) | p95 ×{large} (ms) | median ×{large}/×{small} "
            f"| p95 ×{large}/×{small} |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for page in PAGES:
            a, b = self.pages[small][page.key], self.pages[large][page.key]
            med_a, med_b = statistics.median(a["times"]), statistics.median(b["times"])
            p95_a, p95_b = percentile(a["times"], 95), percentile(b["times"], 95)
            out.append(
                f"| {page.label} | {a['data']} → {b['data']} | {a['queries']} | {b['queries']} "
                f"| {_ms(med_a)} | {_ms(p95_a)} | {_ms(med_b)} | {_ms(p95_b)} "
                f"| {med_b / med_a:.2f} | {p95_b / p95_a:.2f} |"
            )
        out += [
            "",
            f"### Under gunicorn (`gunicorn config.wsgi -w 2`, DEBUG off) and {self.wrk_command}",
            "",
            "| scale | address | requests/s | p95 latency (ms) | median latency (ms) | not 200 |",
            "|--:|---|--:|--:|--:|--:|",
        ]
        for scale in self.scales:
            for name, address in (("dashboard", "/dashboard/ (`office`)"), ("healthz", "/healthz")):
                run = self.wrk[scale][name]
                out.append(
                    f"| {scale} | {address} | {run['rps']:.1f} | {run['p95_us'] / 1000:.1f} "
                    f"| {run['p50_us'] / 1000:.1f} | {run['non200'] + run['socket_errors']} |"
                )
        out += ["", f"/healthz answered `{self.healthz}`.", ""]
        for scale in self.scales:
            share = self.wrk[scale]["dashboard"]["rps"] / self.wrk[scale]["healthz"]["rps"]
            out.append(
                f"Scale {scale}: dashboard / healthz requests per second = {share:.3f} "
                f"(1/{1 / share:.0f})  "
            )
        out += [
            "",
            f"### Ledger export of every report at scale {large} "
            "(`bench_export`'s measurement, each in a forked process)",
            "",
            "| format | rows | seconds | rows/s | peak memory (MB) | growth (MB) | file (MB) |",
            "|---|--:|--:|--:|--:|--:|--:|",
        ]
        for kind, run in self.export.items():
            out.append(
                f"| .{kind} | {run['rows']} | {run['seconds']:.1f} "
                f"| {run['rows'] / run['seconds']:.0f} | {_peak_mb(run):.0f} "
                f"| {_mb(run['maxrss_delta_kb']):.0f} | {run['bytes'] / 1e6:.1f} |"
            )
        out += ["", "### Targets", ""]
        out += [target.line() for target in self.targets()]
        notes = self.notes()
        if notes:
            out += [
                "",
                "### Pages whose time grows with the data (no target; queries constant)",
                "",
            ]
            out += notes
        return "\n".join(out) + "\n"

    def targets(self) -> list[Target]:
        small, large = self.scales
        found = []
        for page in PAGES:
            a, b = self.pages[small][page.key], self.pages[large][page.key]
            text = (
                f"{page.label}: {a['queries']} queries at scale {small}, {b['queries']} at {large}"
            )
            found.append(
                Target(text, a["queries"] == b["queries"], _query_difference(a, b, self.scales))
            )
        for key in DASHBOARDS:
            a, b = self.pages[small][key], self.pages[large][key]
            label = next(p.label for p in PAGES if p.key == key)
            ratio = statistics.median(b["times"]) / statistics.median(a["times"])
            found.append(
                Target(
                    f"{label}: median at scale {large} is {ratio:.2f}× scale {small}'s "
                    "(at most 1.5×)",
                    ratio <= 1.5,
                    f"{ratio / 1.5:.2f}× the limit; the page aggregates every report of the "
                    f"jurisdiction and below, {a['data']} at scale {small} and {b['data']} at "
                    f"scale {large}",
                )
            )
        dash, health = self.wrk[large]["dashboard"], self.wrk[large]["healthz"]
        share = dash["rps"] / health["rps"]
        rollup = self.pages[large]["rollup"]
        median = statistics.median(rollup["times"])
        # With every worker busy, one request holds a worker for workers / throughput.
        busy_dash, busy_health = WORKERS / dash["rps"], WORKERS / health["rps"]
        found.append(
            Target(
                f"dashboard throughput at scale {large} is {share:.3f} of /healthz's "
                f"({dash['rps']:.1f} against {health['rps']:.1f} requests/s; at least 1/3)",
                share >= 1 / 3,
                f"{1 / 3 / share:.0f}× short of a third. Under load a dashboard request holds a "
                f"worker for {busy_dash * 1000:.0f} ms, /healthz for {busy_health * 1000:.1f} ms "
                f"(a database and a broker check, {len(self.healthz)} bytes of JSON): "
                f"{busy_dash / busy_health:.0f}× the work. The dashboard is "
                f"{rollup['queries']} queries aggregating "
                f"{rollup['data']} ({rollup['sql_seconds'] * 1000:.0f} ms of SQL) and "
                f"{rollup['bytes'] / 1000:.0f} KB of HTML built in Python "
                f"({(median - rollup['sql_seconds']) * 1000:.0f} of its {median * 1000:.0f} ms "
                f"in-process). On {os.cpu_count()} cores shared by the workers, PostgreSQL and "
                "wrk, a page that aggregates the whole province cannot come within 3× of a "
                "health check unless the page (or its aggregates) is cached",
            )
        )
        for kind, run in self.export.items():
            peak = _peak_mb(run)
            found.append(
                Target(
                    f"ledger export of every report (.{kind}, {run['rows']} rows): peak memory "
                    f"{peak:.0f} MB (under 150 MB)",
                    peak < 150,
                    f"{peak - 150:.0f} MB over; {_mb(run['maxrss_delta_kb']):.0f} MB of it grew "
                    f"while exporting (from {_mb(run['maxrss_before_kb']):.0f} MB)",
                )
            )
        return found

    def notes(self) -> list[str]:
        small, large = self.scales
        found = []
        for page in PAGES:
            if page.key in DASHBOARDS:
                continue
            a, b = self.pages[small][page.key], self.pages[large][page.key]
            ratio = statistics.median(b["times"]) / statistics.median(a["times"])
            if ratio > 1.5:
                found.append(
                    f"- {page.label}: median ×{ratio:.1f} at scale {large}. It shows "
                    f"{a['data']} → {b['data']} ({a['bytes'] / 1000:.0f} → "
                    f"{b['bytes'] / 1000:.0f} KB); SQL {a['sql_seconds'] * 1000:.0f} → "
                    f"{b['sql_seconds'] * 1000:.0f} ms of it: the time follows the rows shown."
                )
        return found


def _query_difference(a: dict, b: dict, scales: tuple[int, int]) -> str:
    """Which queries only one scale runs (for a missed "same queries" target)."""
    parts = [f"{b['queries'] - a['queries']:+d} queries"]
    for only, here, there in ((scales[1], b, a), (scales[0], a, b)):
        extra = Counter(here["shapes"]) - Counter(there["shapes"])
        if extra:
            parts.append(
                f"only at scale {only}: "
                + "; ".join(f"{n}× `{shape[:100]}…`" for shape, n in extra.most_common(3))
            )
    return "; ".join(parts)
