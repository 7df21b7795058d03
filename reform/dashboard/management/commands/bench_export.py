"""Measure the ledger exports on a large synthetic jurisdiction.

    createdb -h 127.0.0.1 -U postgres bench_exports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports \\
        python manage.py bench_export --reports 100000
    dropdb -h 127.0.0.1 -U postgres bench_exports

It WRITES to the database it runs against: a synthetic city with counties, units,
assignments and a synthetic period (2099 H2) full of reports. Run it against a throwaway
database only; it refuses unless the database's name starts with "bench" or "test", or
``--yes`` is given. Running it again tops the data up to ``--reports`` and measures again.

Each export is measured in a forked child process, so that the peak resident memory
(getrusage maxrss) of one measurement is not hidden by an earlier, larger one: once for
time and maxrss, once more under tracemalloc (which slows Python down) for the peak of
Python allocations.
"""

import datetime as dt
import gc
import json
import math
import os
import resource
import tempfile
import time
import traceback
import tracemalloc
import zoneinfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction

from reform.dashboard import exports
from reform.dashboard.filters import Filters
from reform.org.models import Jurisdiction, Origin, Unit, UnitName
from reform.plan.models import Assignment, Period, Task
from reform.reports.models import Report

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UNITS_PER_COUNTY = 40
BENCH_CITY = "bench-city"
PROGRESS = (
    "按照实施方案要求，围绕“{title}”细化工作措施，明确责任分工和时间节点，建立周调度、月通报工作机制，"
    "本期已完成阶段性目标，累计开展专题培训{n}场次，整体进度达到{percent}%。"
)
PROBLEMS = "部分市县数据归集标准不统一，共享时效有待提升；基层人员力量不足，业务培训覆盖面不够。"
NEXT_STEPS = "下一步将继续推进“{title}”，加强督促检查，确保按期完成。"


class Command(BaseCommand):
    help = (
        "Create synthetic reports (throwaway database only!) and time the ledger exports, "
        "with their peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=100_000)
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Write to this database even though its name does not start with bench/test.",
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Measure in this process instead of forked children (maxrss then only grows).",
        )

    def handle(self, *args, reports: int, yes: bool, in_process: bool, **options):
        name = str(connection.settings_dict["NAME"])
        if not yes and not os.path.basename(name).startswith(("bench", "test")):
            raise CommandError(
                f"bench_export writes synthetic data into the database {name!r}. Run it against "
                "a throwaway database whose name starts with 'bench' (or pass --yes)."
            )
        if not Task.objects.filter(jurisdiction__isnull=True).exists():
            raise CommandError("No plan in this database: run `manage.py load_plan` first.")
        started = time.perf_counter()
        city, period, created = self._ensure_reports(reports)
        self.stdout.write(
            f"database {name}: {created} reports created in {time.perf_counter() - started:.1f} s"
        )
        filters = Filters(period=period, periods=(period,), jurisdiction=city)
        for kind in ("xlsx", "csv"):
            timed = self._measure(filters, kind, traced=False, in_process=in_process)
            traced = self._measure(filters, kind, traced=True, in_process=in_process)
            self.stdout.write(
                f"{kind:>4}: {timed['rows']} rows in {timed['seconds']:.2f} s "
                f"({timed['rows'] / timed['seconds']:.0f} rows/s), "
                f"{timed['bytes'] / 1e6:.1f} MB written; "
                f"maxrss +{timed['maxrss_delta_kb'] / 1024:.1f} MiB "
                f"(from {timed['maxrss_before_kb'] / 1024:.1f} MiB); "
                f"tracemalloc peak {traced['tracemalloc_peak'] / 2**20:.1f} MiB "
                f"({traced['seconds']:.2f} s under tracemalloc)"
            )

    # --- measuring -----------------------------------------------------------------------

    def _measure(self, filters: Filters, kind: str, *, traced: bool, in_process: bool) -> dict:
        if in_process or not hasattr(os, "fork"):
            return _export(filters, kind, traced=traced)
        # The child must not share the parent's database socket: close it before forking.
        connections.close_all()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            try:
                os.close(read)
                result = _export(filters, kind, traced=traced)
                os.write(write, json.dumps(result).encode())
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        if not data:
            raise CommandError(f"The {kind} export failed in the child process.")
        return json.loads(data)

    # --- the synthetic data -------------------------------------------------------------------

    def _ensure_reports(self, wanted: int) -> tuple[Jurisdiction, Period, int]:
        province = Jurisdiction.objects.filter(level=Jurisdiction.Level.PROVINCE).first()
        if province is None:
            raise CommandError("No province in this database: run `manage.py load_plan` first.")
        city = Jurisdiction.objects.filter(code=BENCH_CITY).first()
        if city is None:
            city = Jurisdiction(
                code=BENCH_CITY,
                name="基准测试市",
                level=Jurisdiction.Level.CITY,
                parent=province,
                origin=Origin.OFFICE,
                order=999,
            )
            city.save()
        opens_on, due_on = Period.dates_for(2099, 2)
        period, _ = Period.objects.get_or_create(
            year=2099,
            half=2,
            defaults={
                "opens_on": opens_on,
                "due_on": due_on,
                "cooperating_due_on": due_on - dt.timedelta(days=7),
                "origin": Origin.OFFICE,
            },
        )
        tasks = list(Task.objects.filter(jurisdiction__isnull=True).order_by("number"))
        have = Report.objects.filter(period=period, unit__jurisdiction__parent=city).count()
        units_have = Unit.objects.filter(jurisdiction__parent=city).count()
        units_wanted = math.ceil(max(wanted - have, 0) / len(tasks)) + units_have
        created = 0
        county_number = units_have // UNITS_PER_COUNTY
        while units_have < units_wanted:
            count = min(UNITS_PER_COUNTY - units_have % UNITS_PER_COUNTY, units_wanted - units_have)
            created += self._fill_county(city, county_number, units_have, count, tasks, period)
            units_have += count
            if units_have % UNITS_PER_COUNTY == 0:
                county_number += 1
        return city, period, created

    @transaction.atomic
    def _fill_county(self, city, number, first_unit, count, tasks, period) -> int:
        county, _ = Jurisdiction.objects.get_or_create(
            code=f"bench-county-{number}",
            defaults={
                "name": f"基准测试县{number}",
                "level": Jurisdiction.Level.COUNTY,
                "parent": city,
                "origin": Origin.OFFICE,
                "order": number,
            },
        )
        units = Unit.objects.bulk_create(
            Unit(
                jurisdiction=county,
                code=f"bench-unit-{first_unit + n}",
                name=f"基准测试县{number}第{first_unit + n}责任单位",
                origin=Origin.OFFICE,
                order=first_unit + n,
            )
            for n in range(count)
        )
        # Every other unit was renamed in 2023, so the ledger looks names up by date.
        UnitName.objects.bulk_create(
            UnitName(
                unit=unit,
                kind=UnitName.Kind.OFFICIAL,
                name=f"{unit.name}（原）",
                valid_from=dt.date(2021, 7, 8),
                valid_to=dt.date(2023, 8, 17),
            )
            for unit in units[::2]
        )
        has_lead = Assignment.objects.filter(jurisdiction=county, role="lead").exists()
        assignments = Assignment.objects.bulk_create(
            Assignment(
                task=task,
                unit=unit,
                jurisdiction=county,  # bulk_create skips Assignment.save, which copies it
                role=Assignment.Role.LEAD
                if n == 0 and not has_lead
                else Assignment.Role.COOPERATING,
                justification="基准测试",
                origin=Origin.OFFICE,
            )
            for n, unit in enumerate(units)
            for task in tasks
        )
        Report.objects.bulk_create(
            (_report(a, period, i) for i, a in enumerate(assignments)), batch_size=2000
        )
        return len(assignments)


def _report(assignment: Assignment, period: Period, i: int) -> Report:
    """A report in a believable state: most accepted, some late, returned or missing."""
    due_on = period.due_on_for(assignment.role)
    report = Report(
        assignment=assignment,
        period=period,
        unit_id=assignment.unit_id,
        task_id=assignment.task_id,
        role=assignment.role,
        due_on=due_on,
    )
    roll = i % 20
    if roll == 0:
        return report  # never submitted
    title = assignment.task.short_title
    percent = 100 if roll in (1, 2) else 40 + (i * 7) % 55
    report.status = Report.Status.COMPLETED if percent == 100 else Report.Status.ON_TRACK
    report.percent = percent
    report.progress = PROGRESS.format(title=title, n=i % 9 + 1, percent=percent)
    report.problems = PROBLEMS if roll % 3 == 0 else ""
    report.next_steps = "" if percent == 100 else NEXT_STEPS.format(title=title)
    late = roll == 3
    day = due_on + dt.timedelta(days=4 if late else -(i % 10) - 1)
    report.submitted_at = report.first_submitted_at = dt.datetime.combine(
        day, dt.time(16, 30), tzinfo=SHANGHAI
    )
    report.is_late = late
    report.state = (
        Report.State.RETURNED
        if roll == 4
        else Report.State.SUBMITTED
        if roll == 5
        else Report.State.ACCEPTED
    )
    return report


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _export(filters: Filters, kind: str, *, traced: bool) -> dict:
    """Write one ledger of the filters' reports (the city and the counties below it) to a
    temporary file and measure it."""
    gc.collect()
    before = _maxrss_kb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    rows = exports.ledger_rows(filters.reports(below=True))
    with tempfile.TemporaryFile() as stream:
        if kind == "xlsx":
            count = exports.write_ledger_xlsx(rows, stream, title="bench")
        else:
            count = exports.write_ledger_csv(rows, stream)
        size = stream.tell()
    seconds = time.perf_counter() - started
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "rows": count,
        "seconds": seconds,
        "bytes": size,
        "maxrss_before_kb": before,
        "maxrss_delta_kb": _maxrss_kb() - before,
        "tracemalloc_peak": peak,
    }
