"""Small template helpers for the NL Design System form markup."""

import hashlib

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.core.cache import caches
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def describedby(field) -> str:
    """The ids that describe a field: its hint and its error message, if any."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.filter
def is_choice_group(field) -> bool:
    """Radio buttons and multiple checkboxes are a group: a fieldset with a legend."""
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def is_single_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def error_anchor(field) -> str:
    """Where the error summary links to: the input, or the fieldset of a group."""
    if is_choice_group(field):
        return f"div_{field.auto_id}"
    return field.id_for_label or field.auto_id


#: How long a rendered form stays in the cache. Its key holds everything the HTML depends
#: on, so this only bounds the memory it takes.
FORM_HTML_TTL = 3600


def _as_text(value):
    if isinstance(value, list | tuple):
        return [_as_text(item) for item in value]
    if isinstance(value, dict):
        return sorted((str(key), _as_text(item)) for key, item in value.items())
    return str(value)


def form_html_key(form) -> str:
    """Everything a form's HTML depends on: its class, prefix, language, and per field the
    label, hint, widget attributes, value and choices (and the errors, if bound)."""
    fields = []
    for name, field in form.fields.items():
        choices = getattr(field.widget, "choices", None)
        if isinstance(choices, ModelChoiceIterator):
            # A model choice field queries at every iteration (with a server-side cursor):
            # one plain query here, for the key and the rendering both.
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            choices = empty + [choices.choice(obj) for obj in choices.queryset]
            field.widget.choices = choices
        elif choices is not None and not isinstance(choices, list):
            choices = field.widget.choices = list(iter(choices))
        fields.append(
            (name, field.label, field.help_text, field.required, field.disabled,
             field.widget.attrs, form[name].value(), choices)
        )
    errors = form.errors.get_json_data() if form.is_bound else None
    text = repr(_as_text([type(form).__module__, type(form).__qualname__, form.prefix,
                          form.auto_id, get_language(), fields, errors]))
    return "form-html:" + hashlib.sha256(text.encode()).hexdigest()


@register.filter
def crispy_cached(form):
    """``|crispy``, from the cache: for the forms that are on every view of a busy page.

    Only unbound forms, and bound forms that say so (``cache_html_when_bound``, e.g. a GET
    filter form: its values are in the URL anyway). A form bound to a POST is never cached:
    what a person typed stays out of the cache, and so does an unbound form whose fields in
    ``never_cache_filled`` hold a value (a search term kept in the session, maybe a BSN).
    """
    if form.is_bound and not getattr(form, "cache_html_when_bound", False):
        return as_crispy_form(form)
    if any(form[name].value() for name in getattr(form, "never_cache_filled", ())):
        return as_crispy_form(form)
    key = form_html_key(form)
    cache = caches["forms"]
    html = cache.get(key)
    if html is None:
        html = str(as_crispy_form(form))
        cache.set(key, html, FORM_HTML_TTL)
    return mark_safe(html)  # noqa: S308 - our own rendering of the form, as |crispy gives it
