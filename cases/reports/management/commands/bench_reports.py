"""Load on the public report pages of a running portal: open-loop (requests start at a fixed
rate, whatever the answers do), each a random municipality's ``/cijfers/<code>/``; prints
p50/p95/p99. See docs/benchmarks.md, "The report pages"."""

import random
import statistics
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand, CommandError

from municipalities.models import Municipality


class Command(BaseCommand):
    help = "Measure the public report pages (/cijfers/<code>/) of a running portal under load."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running portal")
        parser.add_argument("--rate", type=float, default=50, help="requests per second")
        parser.add_argument("--seconds", type=int, default=60, help="seconds measured")
        parser.add_argument("--threads", type=int, default=64)

    def handle(self, *args, **options):
        codes = list(Municipality.objects.values_list("cbs_code", flat=True))
        if not codes:
            raise CommandError("No municipalities: seed the data first (bench_worklist).")
        base, rate = options["url"].rstrip("/"), options["rate"]
        timings: list[float] = []
        errors = [0]
        lock = threading.Lock()

        def fetch(path: str) -> None:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            with lock:
                if ok:
                    timings.append(time.perf_counter() - started)
                else:
                    errors[0] += 1

        total = int(rate * options["seconds"])
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=options["threads"]) as pool:
            for i in range(total):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(fetch, f"/cijfers/{random.choice(codes)}/")  # noqa: S311
        if len(timings) < 2:
            raise CommandError(f"Too few answers ({len(timings)}, {errors[0]} errors).")
        cuts = statistics.quantiles(timings, n=100)
        self.stdout.write(
            f"{len(timings)} pages at {rate:g}/s, {errors[0]} errors: "
            f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, "
            f"p99 {cuts[98] * 1000:.0f} ms"
        )
