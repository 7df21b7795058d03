from django.core.management.base import BaseCommand

from reform.outbox.services import send_due


class Command(BaseCommand):
    help = "Send the outgoing emails that are due, once (what the every-minute job does)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="at most this many rows")

    def handle(self, *args, limit, **options):
        counts = send_due(limit=limit)
        self.stdout.write(", ".join(f"{name}: {number}" for name, number in counts.items()))
