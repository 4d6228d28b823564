"""Keep what is cached right: whatever the dashboard figures (``cases.figures``) count that
is saved or deleted moves its municipality's generation on; a saved or deleted user makes
the cached lists of colleagues (``selectors.colleague_choices``) stale, a saved or deleted
filter its owner's cached saved filters; a saved or deleted row of a case's lists makes its
kept case page (``cases.pages``) stale."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from municipalities.models import Verordening, YearlyQuota
from portal import cache as versions
from portal.models import User

from . import figures, pages, selectors
from .models import (
    Advice,
    Application,
    AvailabilityPeriod,
    Case,
    CaseEvent,
    Document,
    Employment,
    Objection,
    Person,
    SavedFilter,
    Term,
    TermEvent,
)

#: Models with their own municipality.
OWN_MUNICIPALITY = (Case, Person, Employment, YearlyQuota, Verordening)
#: Models that belong to a case.
OF_A_CASE = (Application, Advice, Objection, Term)
#: The lists of the case page (``cases.pages``; the rows it shows besides them it fetches
#: fresh on every request).
CASE_PAGE_LISTS = (Term, Objection, Employment, AvailabilityPeriod, Document, CaseEvent)


def _own_municipality_changed(sender, instance, **kwargs) -> None:
    figures.changed(instance.municipality_id)


def _parent_value(sender, instance, parent: str, model, column: str):
    """``instance.<parent>.<column>``: from the parent row if it is loaded, else one query."""
    if sender._meta.get_field(parent).is_cached(instance):
        return getattr(getattr(instance, parent), column)
    parent_id = getattr(instance, f"{parent}_id")
    return model.objects.filter(pk=parent_id).values_list(column, flat=True).first()


def _case_part_changed(sender, instance, **kwargs) -> None:
    figures.changed(_parent_value(sender, instance, "case", Case, "municipality_id"))


def _case_list_changed(sender, instance, **kwargs) -> None:
    pages.changed(instance.case_id)


def _term_event_changed(sender, instance, **kwargs) -> None:
    pages.changed(_parent_value(sender, instance, "term", Term, "case_id"))


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
    for model in CASE_PAGE_LISTS:
        post_save.connect(_case_list_changed, sender=model, dispatch_uid=f"page-{model}")
        post_delete.connect(_case_list_changed, sender=model, dispatch_uid=f"page-del-{model}")
    post_save.connect(_term_event_changed, sender=TermEvent, dispatch_uid="page-term-event")
    post_delete.connect(_term_event_changed, sender=TermEvent, dispatch_uid="page-term-event-del")
    for model in OF_A_CASE:
        post_save.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-{model}")
        post_delete.connect(_case_part_changed, sender=model, dispatch_uid=f"figures-del-{model}")
