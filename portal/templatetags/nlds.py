"""Small template helpers for the NL Design System form markup."""

from django import forms, template

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


@register.filter
def control_class(field) -> str:
    """The Utrecht component classes of a field's control: a select, a textarea or a
    textbox (every other input), marked invalid when the field has errors."""
    widget = field.field.widget
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        name, html = "utrecht-select", "utrecht-select--html-select"
    elif isinstance(widget, forms.Textarea):
        name, html = "utrecht-textarea", "utrecht-textarea--html-textarea"
    else:
        name, html = "utrecht-textbox", "utrecht-textbox--html-input"
    return f"{name} {html} {name}--invalid" if field.errors else f"{name} {html}"
