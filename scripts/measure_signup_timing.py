#!/usr/bin/env python
"""Time the sign-up page for an address that has an account and for a new one (issue #18).

With ``ACCOUNT_PREVENT_ENUMERATION`` both answer with the same page; their times must not tell
the two apart either. The script creates a test database of its own (``test_`` + the name in
``DATABASE_URL``), posts the sign-up form alternately for an existing and a new address with
the production password hasher, and prints the median and spread of each:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python \\
        scripts/measure_signup_timing.py --requests 20
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests of each kind")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    from portal.models import User

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        from allauth.account.models import EmailAddress
        from django.test import Client

        existing = User.objects.create_user("bestaat@example.nl", "Een-lang-wachtwoord-9")
        EmailAddress.objects.create(
            user=existing, email=existing.email, verified=True, primary=True
        )
        times = {"existing": [], "new": []}
        for n in range(args.requests + 1):  # the first round warms up and is not counted
            for kind in ("existing", "new"):
                email = existing.email if kind == "existing" else f"nieuw{n}@example.nl"
                client = Client(REMOTE_ADDR=f"10.0.{n // 200}.{n % 200 + 1}")
                started = time.perf_counter()
                response = client.post(
                    "/account/signup/",
                    {
                        "email": email,
                        "password1": "Een-ander-wachtwoord-7",
                        "password2": "Een-ander-wachtwoord-7",
                    },
                )
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 302, (kind, response.status_code)
                if n:
                    times[kind].append(elapsed)
        for kind, values in times.items():
            print(
                f"{kind:>8} address: median {statistics.median(values):6.1f} ms, "
                f"min {min(values):6.1f}, max {max(values):6.1f} ({len(values)} requests)"
            )
        ratio = statistics.median(times["new"]) / statistics.median(times["existing"])
        print(f"new / existing: {ratio:.2f}")
    finally:
        runner.teardown_databases(databases)


if __name__ == "__main__":
    main()
