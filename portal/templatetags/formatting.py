"""``|long_date``: ``|date:"j F Y"`` at a fraction of the cost (see ``portal.display``)."""

from django import template

from portal import display

register = template.Library()


@register.filter(expects_localtime=True)
def long_date(value) -> str:
    return display.long_date(value)
