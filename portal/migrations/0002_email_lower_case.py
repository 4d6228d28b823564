"""E-mail addresses in lower case (issue #18).

allauth looks addresses up in lower case, so a staff member invited as "Jan.De.Vries@Gemeente.NL"
could not sign in, and allauth added a second, unverified address record for the lower-case
form. This migration lower-cases every user's address and every allauth address record, and
merges the records of one user that differ only in case (verified or primary if any of them
was). Two *different* users whose addresses differ only in case cannot be merged automatically:
the migration then stops and names them, so an operator can decide which account stays.
"""

from collections import defaultdict

import django.db.models.functions.text
from django.db import migrations, models


def lower_case_addresses(apps, schema_editor):
    User = apps.get_model("portal", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")

    by_address = defaultdict(list)
    for pk, email in User.objects.values_list("pk", "email"):
        by_address[email.strip().lower()].append(pk)
    clashes = {email: pks for email, pks in by_address.items() if len(pks) > 1}
    if clashes:
        raise RuntimeError(
            "Several users have the same e-mail address apart from upper and lower case; "
            f"merge or change them first (address: user ids): {clashes}"
        )
    for email, (pk,) in by_address.items():
        User.objects.filter(pk=pk).exclude(email=email).update(email=email)

    records = defaultdict(list)
    for record in EmailAddress.objects.order_by("pk"):
        records[(record.user_id, record.email.strip().lower())].append(record)
    for (_user_id, email), group in records.items():
        keep = sorted(group, key=lambda r: (not r.verified, not r.primary, r.pk))[0]
        verified = any(r.verified for r in group)
        primary = any(r.primary for r in group)
        EmailAddress.objects.filter(pk__in=[r.pk for r in group if r.pk != keep.pk]).delete()
        if (keep.email, keep.verified, keep.primary) != (email, verified, primary):
            keep.email, keep.verified, keep.primary = email, verified, primary
            keep.save(update_fields=["email", "verified", "primary"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(lower_case_addresses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="There is already an account with this e-mail address.",
            ),
        ),
    ]
