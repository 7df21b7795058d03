import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reform.reminders.services import send_reminders
from reform.wording import join_list


class Command(BaseCommand):
    help = (
        "Write today's deadline reminders and office digests to the outbox: the daily job, "
        "run by hand. Safe to repeat: a reminder already sent is not sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Run as if it were this day (default: today in Asia/Shanghai).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print which unit would get which reminder; write nothing.",
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        if today:
            try:
                today = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: {today!r} is not a date (YYYY-MM-DD).") from None
        result = send_reminders(today=today, dry_run=dry_run)
        plan = result.plan
        if not plan.is_workday:
            self.stdout.write(f"{plan.today}: not a working day, no reminders.")
            return
        for reminder in plan.reminders:
            tasks = join_list(r.task.label for r in reminder.reports)
            self.stdout.write(
                f"{reminder.step:>5}  {reminder.period.code} {reminder.date_kind:<11} "
                f"due {reminder.due_on}  {reminder.unit.name} [{reminder.unit.pk}]  "
                f"tasks {tasks}  → {', '.join(reminder.to) or '(no address)'}"
            )
        for digest in plan.digests:
            self.stdout.write(
                f"digest  {digest.jurisdiction.name}: {len(digest.late)} late  "
                f"→ {', '.join(digest.to)}"
            )
        counts = result.as_dict()
        if dry_run:
            self.stdout.write(
                f"{plan.today}: {counts['planned']} would be written (dry run, nothing written)."
            )
            return
        self.stdout.write(
            f"{plan.today}: {counts['sent']} written to the outbox, "
            f"{counts['no_address']} without an address, {counts['skipped']} already sent, "
            f"{counts['errors']} failed."
        )
        if result.errors:
            raise CommandError(f"{result.errors} reminders could not be written; see the log.")
