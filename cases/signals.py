"""Keep the cached dashboard figures (``cases.figures``) right: whatever they count that is
saved or deleted moves its municipality's generation on."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from municipalities.models import Verordening, YearlyQuota

from . import figures
from .models import Advice, Application, Case, Employment, Objection, Person, Term

#: Models with their own municipality.
OWN_MUNICIPALITY = (Case, Person, Employment, YearlyQuota, Verordening)
#: Models that belong to a case.
OF_A_CASE = (Application, Advice, Objection, Term)


def _own_municipality_changed(sender, instance, **kwargs) -> None:
    figures.changed(instance.municipality_id)


def _case_part_changed(sender, instance, **kwargs) -> None:
    field = sender._meta.get_field("case")
    if field.is_cached(instance):
        municipality_id = instance.case.municipality_id
    else:
        cases = Case.objects.filter(pk=instance.case_id)
        municipality_id = cases.values_list("municipality_id", flat=True).first()
    figures.changed(municipality_id)


def connect() -> None:
    for model in OWN_MUNICIPALITY:
        post_save.connect(_own_municipality_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(
            _own_municipality_changed, sender=model, dispatch_uid=f"figures-del-{model}"
        )
    for model in OF_A_CASE:
        post_save.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-del-{model}")
