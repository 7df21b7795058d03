from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reform.demo.scale import seed_scale
from reform.demo.services import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo accounts and data (idempotent) and print the accounts. With --scale N, "
        "also the cities' own units and (N - 1) x 14 counties, each with the plan's division of "
        "work and a report history for every period (scale 1: about 5 000 reports; 10: 55 000)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=None,
            metavar="N",
            help="1 = the 14 shipped jurisdictions with their own units; N adds (N-1)x14 counties",
        )

    def handle(self, *args, scale=None, **options):
        if scale is not None and scale < 1:
            raise CommandError("--scale is a whole number from 1.")
        today = timezone.localdate()
        accounts = seed_demo(password=settings.DEMO_PASSWORD, today=today)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {settings.DEMO_PASSWORD})"))
        width = max(len(a.username) for a in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.username.ljust(width)}  {account.full_name}  ({account.description})"
            )
        if scale is not None:
            result = seed_scale(scale=scale, today=today)
            self.stdout.write(f"Scale {scale}: {result.summary()}")
