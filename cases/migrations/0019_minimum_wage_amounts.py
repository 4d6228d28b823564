"""The statutory minimum wage per hour for people of 21 and older (DOMAIN §6.1), as the
Minister of Social Affairs published it (Wet minimumloon en minimumvakantiebijslag, art. 8
and 14: an amount per hour since 1 January 2024, changed each 1 January and 1 July).
Operators add the next amounts in the admin (Minimum wages)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

SOURCE = "Minister van SZW, bedragen minimumloon"
AMOUNTS = [
    (date(2024, 1, 1), Decimal("13.27")),
    (date(2024, 7, 1), Decimal("13.68")),
    (date(2025, 1, 1), Decimal("14.06")),
    (date(2025, 7, 1), Decimal("14.40")),
    (date(2026, 1, 1), Decimal("14.71")),
]


def load(apps, schema_editor):
    MinimumWage = apps.get_model("cases", "MinimumWage")
    for in_force_from, hourly in AMOUNTS:
        MinimumWage.objects.update_or_create(
            in_force_from=in_force_from, defaults={"hourly": hourly, "source": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_wage_and_minimum_wage")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
