from django.conf import settings
from django.core.management.base import BaseCommand

from reform.demo.services import seed_demo


class Command(BaseCommand):
    help = "Create the demo accounts and data (idempotent) and print the accounts."

    def handle(self, *args, **options):
        accounts = seed_demo(password=settings.DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {settings.DEMO_PASSWORD})"))
        width = max(len(a.username) for a in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.username.ljust(width)}  {account.full_name}  ({account.description})"
            )
