"""The benchmark commands run, and what they print holds: the professionals' pages cost the
same number of queries for a small and a large database (issue #5)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def query_tables(output: str) -> list[dict[str, str]]:
    """Each 'queries per page' table as {page: 'largest smallest'}."""
    tables = []
    for block in output.split("queries per page")[1:]:
        rows = {}
        for line in block.splitlines()[1:]:
            match = re.match(r"  (\S.*?)\s{2,}(\d+ \(\d+\))\s+(\d+ \(\d+\))$", line)
            if not match:
                break
            rows[match[1]] = f"{match[2]} {match[3]}"
        tables.append(rows)
    return tables


def test_bench_worklist_counts_the_same_queries_for_few_and_many_cases():
    out = io.StringIO()
    call_command(
        "bench_worklist", cases=1_400, municipalities=4, rate=0, allow_sqlite=True, stdout=out
    )
    output = out.getvalue()
    small, large = query_tables(output)
    assert "cases in the database: 1,000;" in output and "cases in the database: 1,400;" in output
    assert set(small) >= {
        "dashboard, figures counted",
        "dashboard",
        "work list, first page",
        "work list, deep page",
        "case page",
        "waiting list, first page",
        "waiting list, deep page",
        "UWV queue",
    }
    assert small == large
    for page, counts in small.items():
        assert counts.count("(200)") == 2, (page, counts)
    dashboard = int(small["dashboard"].split()[0])
    assert dashboard < int(small["dashboard, figures counted"].split()[0])


def test_the_deep_page_is_another_page_of_the_work_list():
    """The measured deep page shows the cases it is named for (a cursor the list cannot read
    would give its first page again)."""
    from cases.management.commands.bench_worklist import Command

    call_command(
        "bench_worklist",
        cases=400,
        municipalities=1,
        rate=0,
        allow_sqlite=True,
        stdout=io.StringIO(),
    )
    command = Command(stdout=io.StringIO())
    consultant, _small, _assessor, urls, _small_urls = command.setup()
    client = command.client(consultant)

    def cases_on(path) -> list[str]:
        response = client.get(path)
        assert response.status_code == 200
        return re.findall(r'<td[^>]*><a href="/werk/zaken/(\d+)/">', response.content.decode())

    first = cases_on(urls["work list, first page"])
    deep = cases_on(urls["work list, deep page"])
    assert len(first) == len(deep) == 25
    assert not set(first) & set(deep)


def test_the_load_accounts_can_sign_in_and_see_their_sample(tmp_path):
    """``prepare_load`` writes what bench/locustfile.py reads: accounts that sign in with the
    demo password and TOTP secret, and per municipality cases of that municipality."""
    import json

    from allauth.mfa.models import Authenticator

    from cases.management.commands.bench_worklist import LARGE_USERS, UWV_USERS, Command
    from cases.models import Case
    from portal.models import Role, User

    call_command(
        "bench_worklist",
        cases=300,
        municipalities=3,
        rate=0,
        allow_sqlite=True,
        stdout=io.StringIO(),
    )
    command = Command(stdout=io.StringIO())
    data = json.loads(command.prepare_load(tmp_path / "accounts.json").read_text())
    assert len(data["users"]) == LARGE_USERS + 6 + UWV_USERS
    for entry in data["users"]:
        user = User.objects.get(email=entry["email"])
        assert user.check_password(data["password"])
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if entry["kind"] == "uwv":
            assert user.role == Role.UWV_ASSESSOR and entry["town"] is None
        else:
            assert user.role == Role.CONSULTANT and user.municipality_id == entry["town"]
    for town_id, town in data["towns"].items():
        assert town["case_ids"] and town["names"]
        mine = Case.objects.filter(municipality_id=int(town_id))
        assert mine.filter(pk__in=town["case_ids"]).count() == len(town["case_ids"])
        assert not mine.filter(pk__in=town["open_case_ids"], state__in=["closed", "withdrawn"])
    # Idempotent: a second run keeps the accounts.
    command.prepare_load(tmp_path / "again.json")
    assert User.objects.filter(email__startswith="load-").count() == len(data["users"])
