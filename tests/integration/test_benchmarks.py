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
        "bench_worklist", cases=1_400, municipalities=4, users=0, allow_sqlite=True, stdout=out
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
        "admin changelist",
    }
    assert small == large
    for page, counts in small.items():
        assert counts.count("(200)") == 2, (page, counts)
    dashboard = int(small["dashboard"].split()[0])
    assert dashboard < int(small["dashboard, figures counted"].split()[0])
    assert "one user in-process" in output


def test_the_deep_page_and_the_pages_in_turn_are_other_pages_of_the_work_list():
    """Each measured page of the work list shows the cases it is named for (a cursor the
    list cannot read would give its first page again)."""
    from cases.management.commands.bench_worklist import MANY_PAGES_PAGE, Command

    call_command(
        "bench_worklist",
        cases=400,
        municipalities=1,
        users=0,
        allow_sqlite=True,
        stdout=io.StringIO(),
    )
    command = Command(stdout=io.StringIO())
    consultant, _small, _operator, urls, _small_urls = command.setup()
    client = command.client(consultant)

    def cases_on(path) -> list[str]:
        response = client.get(path)
        assert response.status_code == 200
        return re.findall(r'<td><a href="/werk/zaken/(\d+)/">', response.content.decode())

    first = cases_on(urls["work list, first page"])
    deep = cases_on(urls["work list, deep page"])
    assert len(first) == len(deep) == 25
    assert not set(first) & set(deep)
    in_turn = command.path_lists[MANY_PAGES_PAGE]
    assert len(in_turn) == len(set(in_turn)) > 10
    seen = [cases_on(path) for path in in_turn[1:4]]
    assert all(len(rows) == 25 for rows in seen)
    assert len({pk for rows in seen for pk in rows}) == 75
