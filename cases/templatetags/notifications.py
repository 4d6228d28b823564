"""``{% unread_notifications %}``: the signed-in user's unread inbox count, from the cache."""

from django import template

from cases.notifications.dispatch import cached_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return cached_unread_count(user)
