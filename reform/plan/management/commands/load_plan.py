from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reform.plan.services import DEFAULT_PATH, PlanFixtureError, load_plan


class Command(BaseCommand):
    help = "Load or update the plan from fixtures/plan.yaml. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, default=None, help=f"the fixture to load (default: {DEFAULT_PATH})"
        )

    def handle(self, *args, path: Path | None = None, **options):
        try:
            result = load_plan(path=path, stdout=self.stdout)
        except (PlanFixtureError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        for line in result.summary_lines():
            self.stdout.write(line)
        if result.changed:
            totals = f"{result.created} created, {result.updated} updated"
            self.stdout.write(self.style.SUCCESS(f"Plan loaded: {totals}."))
        else:
            self.stdout.write("The database already matches the plan; nothing written.")
