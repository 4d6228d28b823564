import time

from django.core.management.base import BaseCommand

from cases.reports import build


class Command(BaseCommand):
    help = "Count the figures of the benchmark (/cijfers/) again for every year and municipality."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="only this year (repeat)")

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = build.rebuild(options["year"])
        seconds = time.monotonic() - started
        self.stdout.write(f"Recomputed {rows} municipality-year rows in {seconds:.1f} s.")
