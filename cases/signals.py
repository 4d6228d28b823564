"""Keep what is cached right: whatever the dashboard figures (``cases.figures``) count that
is saved or deleted moves its municipality's generation on; a saved or deleted filter makes
its owner's cached saved filters stale."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from municipalities.models import Verordening, YearlyQuota
from portal import cache as versions

from . import figures, selectors
from .models import Advice, Application, Case, Objection, Person, SavedFilter
from .placement.models import Employment
from .provisions.models import SupportProvision
from .terms.models import Term

#: Models with their own municipality.
OWN_MUNICIPALITY = (Case, Person, Employment, YearlyQuota, Verordening)
#: Models that belong to a case.
OF_A_CASE = (Application, Advice, Objection, Term, SupportProvision)
#: Columns the figures do not count: a save of only these (``update_fields``) leaves them
#: current, so that assigning a case or editing contact details costs no recount.
NOT_COUNTED = {
    Case: frozenset({"assignee", "reference"}),
    Person: frozenset({"account", "email", "phone", "in_jobs_register"}),
}


def _counted(sender, update_fields) -> bool:
    """Whether a save with ``update_fields`` (None: every column) may change the figures."""
    if update_fields is None:
        return True
    return not frozenset(update_fields) <= NOT_COUNTED.get(sender, frozenset())


def _own_municipality_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if _counted(sender, update_fields):
        figures.changed(instance.municipality_id)


def _parent_value(sender, instance, parent: str, model, column: str):
    """``instance.<parent>.<column>``: from the parent row if it is loaded, else one query."""
    if sender._meta.get_field(parent).is_cached(instance):
        return getattr(getattr(instance, parent), column)
    parent_id = getattr(instance, f"{parent}_id")
    return model.objects.filter(pk=parent_id).values_list(column, flat=True).first()


def _case_part_changed(sender, instance, **kwargs) -> None:
    figures.changed(_parent_value(sender, instance, "case", Case, "municipality_id"))


def _saved_filter_changed(sender, instance, **kwargs) -> None:
    """The owner's cached saved filters (``selectors.saved_filters_for``) are stale."""
    versions.changed(selectors.saved_filters_version_key(instance.owner_id))


def connect() -> None:
    post_save.connect(_saved_filter_changed, sender=SavedFilter, dispatch_uid="saved-filters")
    post_delete.connect(_saved_filter_changed, sender=SavedFilter, dispatch_uid="saved-del")
    for model in OWN_MUNICIPALITY:
        post_save.connect(_own_municipality_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(
            _own_municipality_changed, sender=model, dispatch_uid=f"figures-del-{model}"
        )
    for model in OF_A_CASE:
        post_save.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-del-{model}")
