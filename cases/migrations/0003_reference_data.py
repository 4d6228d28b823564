"""Reference data (DOMAIN §1.3, §4.1, §0). Operators extend it in the admin."""

from datetime import date

from django.db import migrations

# AOW age per year, set five years ahead by law: 67 in 2024-2027, 67 and 3 months 2028-2031
# (a copy, frozen with this migration, of the table in cases.rules.AOW_AGES).
AOW_AGES = [(year, 67, 0) for year in range(2024, 2028)] + [
    (year, 67, 3) for year in range(2028, 2032)
]
# National quota (places, cumulative at year end), seed 001 §2.
NATIONAL_QUOTA = {2025: 11_900, 2026: 12_800, 2027: 13_600, 2028: 14_400, 2029: 15_300,
                  2030: 16_200}
# Days equated with general holidays by royal decree: always the Friday after Ascension Day.
DECREE_DAYS = [
    (date(2025, 5, 30), "Vrijdag na Hemelvaartsdag 2025"),
    (date(2026, 5, 15), "Vrijdag na Hemelvaartsdag 2026"),
    (date(2027, 5, 7), "Vrijdag na Hemelvaartsdag 2027"),
]


def load(apps, schema_editor):
    AowAge = apps.get_model("cases", "AowAge")
    NationalQuota = apps.get_model("cases", "NationalQuota")
    DecreeHoliday = apps.get_model("cases", "DecreeHoliday")
    for year, years, months in AOW_AGES:
        AowAge.objects.update_or_create(year=year, defaults={"years": years, "months": months})
    for year, places in NATIONAL_QUOTA.items():
        NationalQuota.objects.update_or_create(year=year, defaults={"places": places})
    for day, description in DECREE_DAYS:
        DecreeHoliday.objects.update_or_create(day=day, defaults={"description": description})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
