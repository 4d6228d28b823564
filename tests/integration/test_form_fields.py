"""The house form fields (templates/nlds/field.html, through crispy-forms): a field in error
says so to assistive technology, whatever its kind."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template


class Confirm(forms.Form):
    agreed = forms.BooleanField(label="Ik heb de identiteit gecontroleerd")
    name = forms.CharField(label="Naam")


def rendered(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def test_a_checkbox_or_a_text_field_in_error_is_marked_invalid_and_linked_to_its_error():
    html = rendered(Confirm(data={}))

    for name in ("agreed", "name"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
        assert 'aria-invalid="true"' in tag, tag
        assert f'aria-describedby="id_{name}_error"' in tag, tag
        assert f'id="id_{name}_error"' in html


def test_a_valid_checkbox_is_not_marked_invalid():
    html = rendered(Confirm(data={"agreed": "on", "name": "Sam"}))

    assert "aria-invalid" not in html
