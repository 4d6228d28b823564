"""The steps of the application and what each step needs. Answers live in
``ApplicationDraft.answers`` per step: the fields that passed the step's form, as strings the
form reads again (``storable``). A step is complete when its form validates on the stored
answers. Answers an older version stored as typed (lists, control characters) are read
leniently (``readable``), so every draft can be opened and what is wrong is asked again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import rules, selectors
from cases.choices import ApplicantKind
from cases.models import Person

from . import forms


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type | None
    #: The title when someone applies for another, with the placeholder %(name)s.
    title_about_person: str = ""


STEPS = [
    Step("applicant", _("Who applies"), forms.ApplicantForm),
    Step("person", _("Personal details"), forms.PersonForm),
    Step(
        "situation",
        _("Your situation now"),
        forms.SituationForm,
        _("The situation of %(name)s now"),
    ),
    Step("wsw", _("Wsw indication"), forms.WswForm),
    Step("previous", _("Previous advice"), forms.PreviousAdviceForm),
    Step("support", _("Help you need"), forms.SupportForm, _("Help %(name)s needs")),
    Step("documents", _("Documents"), None),
    Step("review", _("Check and send"), None),
]
BY_SLUG = {step.slug: step for step in STEPS}


class Wizard:
    """The wizard for one draft and its owner (computes the applicable steps once)."""

    def __init__(self, draft, user):
        self.draft = draft
        self.user = user
        self.today = timezone.localdate()
        self._person_checked = False
        self._person = None

    # -- answers -------------------------------------------------------------------------
    def raw(self, slug: str) -> dict:
        answers = self.draft.answers if isinstance(self.draft.answers, dict) else {}
        return readable(answers.get(slug))

    def is_representative(self) -> bool:
        return self.raw("applicant").get("applicant_kind") == ApplicantKind.REPRESENTATIVE

    def person_name(self) -> str:
        """Whom the steps speak about when someone applies for another: the person's first
        name (or "the person" before it is known); empty when the person applies."""
        if not self.is_representative():
            return ""
        name = str(self.raw("person").get("first_name", "")).strip()
        return name or str(_("the person"))

    def known_person(self) -> Person | None:
        """The person already on file under the typed BSN, if it belongs to this account."""
        if not self._person_checked:
            self._person_checked = True
            bsn = "".join(ch for ch in str(self.raw("person").get("bsn", "")) if ch.isdigit())
            if bsn:
                self._person = Person.objects.filter(bsn=bsn, account=self.user).first()
        return self._person

    def last_advice_on(self):
        person = self.known_person()
        return selectors.last_advice_date(person) if person else None

    def needs_previous_step(self) -> bool:
        """§1.2: only a person who had an advice in the last 12 months is asked about changes."""
        return rules.within_twelve_months(self.today, self.last_advice_on())

    def no_change_warning(self) -> str:
        """§1.2: the warning for an application within 12 months that says nothing changed
        (UWV will give a negative advice); empty otherwise."""
        if not self.needs_previous_step():
            return ""
        form = self.stored_form("previous")
        if not form.is_valid() or form.cleaned_data["changed"] != "no":
            return ""
        return form.no_change_warning()

    def steps(self) -> list[Step]:
        """The steps that apply, titled about the person when someone applies for another."""
        name = self.person_name()
        return [
            replace(s, title=s.title_about_person % {"name": name})
            if name and s.title_about_person
            else s
            for s in STEPS
            if s.slug != "previous" or self.needs_previous_step()
        ]

    def step(self, slug: str) -> Step:
        return next(s for s in self.steps() if s.slug == slug)

    def neighbours(self, slug: str) -> tuple[Step | None, Step | None]:
        steps = self.steps()
        slugs = [s.slug for s in steps]
        index = slugs.index(slug)
        previous = steps[index - 1] if index > 0 else None
        following = steps[index + 1] if index + 1 < len(steps) else None
        return previous, following

    # -- forms ---------------------------------------------------------------------------
    def form_kwargs(self, slug: str) -> dict:
        if slug == "person":
            return {"representative": self.is_representative()}
        kwargs = {"person": self.person_name()}
        if slug == "previous":
            last = self.last_advice_on()
            kwargs["can_apply_again_on"] = rules.add_months(last, 12) if last else None
        return kwargs

    def initial(self, slug: str) -> dict:
        stored = self.raw(slug)
        if stored:
            return stored
        if slug == "applicant":
            return {"representative_name": self.user.get_full_name()}
        if slug == "person":
            person = selectors.person_for_account(self.user)
            if person is not None and not self.is_representative():
                return {
                    "bsn": person.bsn,
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "birth_date": person.birth_date.strftime("%d-%m-%Y"),
                    "municipality": person.municipality_id,
                    "email": person.email,
                    "phone": person.phone,
                }
            initial = {"email": self.user.email, "phone": self.user.phone}
            if not self.is_representative():
                initial.update(first_name=self.user.first_name, last_name=self.user.last_name)
            return initial
        return {}

    def form(self, slug: str, data=None):
        step = BY_SLUG[slug]
        kwargs = self.form_kwargs(slug)
        if data is not None:
            return step.form_class(data=data, prefix=None, **kwargs)
        return step.form_class(initial=self.initial(slug), **kwargs)

    def stored_form(self, slug: str):
        """The step's form bound to the stored answers (to check completeness)."""
        return self.form(slug, data=self.raw(slug))

    def check(self, slug: str, form) -> None:
        """Eligibility checks that belong to a step (DOMAIN §1), as field errors."""
        if slug != "person" or not form.is_valid():
            return
        data = form.cleaned_data
        if data["birth_date"] > self.today:
            form.add_error("birth_date", _("The date of birth cannot be in the future."))
            return
        age = rules.age_check(data["birth_date"], self.today, selectors.aow_ages())
        if age.blocking:
            what_now = _(
                "Do you have questions? Please contact your municipality: they can "
                "tell you what is possible for you."
            )
            notice = age.notice_about_person if self.is_representative() else age.notice
            form.add_error("birth_date", f"{notice} {what_now}")
        # No look-up of the BSN among other people's files here: the step answers the same
        # for every valid BSN (issue #18). A BSN on file elsewhere is settled after sending.

    def age_notice(self):
        """The non-blocking notice for applicants under 18, if it applies."""
        form = self.stored_form("person")
        if not form.is_valid():
            return None
        age = rules.age_check(form.cleaned_data["birth_date"], self.today, selectors.aow_ages())
        if age.blocking:
            return None
        return age.notice_about_person if self.is_representative() else age.notice

    def first_incomplete(self) -> Step | None:
        for step in self.steps():
            if step.form_class is None:
                continue
            form = self.stored_form(step.slug)
            valid = form.is_valid()
            if valid:
                self.check(step.slug, form)
            if not valid or form.errors:
                return step
        return None

    def cleaned(self) -> dict[str, dict]:
        result = {}
        for step in self.steps():
            if step.form_class is not None:
                form = self.stored_form(step.slug)
                form.is_valid()
                result[step.slug] = form.cleaned_data
        return result

    def submission(self) -> tuple[dict, dict]:
        """(person_data, application_data) for ``services.submit_draft``."""
        c = self.cleaned()
        applicant, person, situation = c["applicant"], c["person"], c["situation"]
        wsw, support = c["wsw"], c["support"]
        representative = applicant["applicant_kind"] == ApplicantKind.REPRESENTATIVE
        has_wsw = wsw["has_wsw"] == "yes"
        person_data = {
            "bsn": person["bsn"],
            "first_name": person["first_name"].strip(),
            "last_name": person["last_name"].strip(),
            "birth_date": person["birth_date"],
            "municipality": person["municipality"],
            "benefit_kind": situation["benefit_kind"],
            "wsw_indication_end": wsw["wsw_end"] if has_wsw else None,
            "wsw_supported_employment": has_wsw and wsw["wsw_supported"] == "yes",
            "email": person["email"],
            "phone": person["phone"].strip(),
        }
        application_data = {
            "applicant_kind": applicant["applicant_kind"],
            "representative_name": applicant["representative_name"].strip()
            if representative
            else "",
            "representative_relationship": applicant["representative_relationship"]
            if representative
            else "",
            "source": forms.SituationForm.SOURCE[situation["situation"]],
            "support_needed": support["support_needed"].strip(),
            "needs_adaptations": support["needs_adaptations"],
            "needs_supervision": support["needs_supervision"],
            "changed_circumstances": (c.get("previous") or {})
            .get("changed_circumstances", "")
            .strip(),
            "letter_street": person.get("letter_street", "").strip(),
            "letter_postcode": person.get("letter_postcode", ""),
            "letter_city": person.get("letter_city", "").strip(),
        }
        return person_data, application_data


def storable(form) -> dict:
    """The answers of a bound, validated step form worth keeping: the fields that passed, as
    JSON-safe values the form reads again (a date as day-month-year, a choice of a row as its
    key, a tick box as a boolean). A field that failed is left out, so it is asked again."""
    stored = {}
    for name in form.fields:
        if name not in form.cleaned_data:
            continue
        value = form.cleaned_data[name]
        if isinstance(value, bool):
            stored[name] = value
        elif value is None:
            stored[name] = ""
        elif isinstance(value, date):
            stored[name] = value.strftime(forms.DATE_FORMATS[0])
        elif isinstance(value, models.Model):
            stored[name] = str(value.pk)
        else:
            stored[name] = str(value)
    return stored


def readable(stored) -> dict:
    """A step's stored answers as a form can read them, whatever an older version stored:
    one value per field (the last, as a form takes it from a query string), only strings and
    booleans, nothing with a NUL character (which no field accepts)."""
    if not isinstance(stored, dict):
        return {}
    result = {}
    for name, value in stored.items():
        if isinstance(value, list):
            value = value[-1] if value else None
        if isinstance(value, bool):
            result[name] = value
        elif isinstance(value, int | float):
            result[name] = str(value)
        elif isinstance(value, str) and "\x00" not in value:
            result[name] = value
    return result
