"""Keep what is cached right: whatever the dashboard figures (``cases.figures``) count that
is saved or deleted moves its municipality's generation on; a saved or deleted user makes
the cached lists of colleagues (``selectors.colleague_choices``) stale, a saved or deleted
filter its owner's cached saved filters."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from municipalities.models import Verordening, YearlyQuota
from portal import cache as versions
from portal.models import User

from . import figures, selectors
from .models import Advice, Application, Case, Employment, Objection, Person, SavedFilter, Term

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


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """Names, roles, activity or municipality may have changed: the cached lists of
    colleagues (``selectors.colleague_choices``) are stale. A sign-in, which saves only
    ``last_login``, changes none of that."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    versions.changed(selectors.STAFF_VERSION_KEY)


def _saved_filter_changed(sender, instance, **kwargs) -> None:
    """The owner's cached saved filters (``selectors.saved_filters_for``) are stale."""
    versions.changed(selectors.saved_filters_version_key(instance.owner_id))


def connect() -> None:
    post_save.connect(_saved_filter_changed, sender=SavedFilter, dispatch_uid="saved-filters")
    post_delete.connect(_saved_filter_changed, sender=SavedFilter, dispatch_uid="saved-del")
    post_save.connect(_user_changed, sender=User, dispatch_uid="colleagues-user")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="colleagues-user-del")
    for model in OWN_MUNICIPALITY:
        post_save.connect(_own_municipality_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(
            _own_municipality_changed, sender=model, dispatch_uid=f"figures-del-{model}"
        )
    for model in OF_A_CASE:
        post_save.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-del-{model}")
