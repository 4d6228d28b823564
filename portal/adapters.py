import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .links import absolute_url, on_portal
from .models import Role
from .oidc import session as oidc_session

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is for citizens only: staff accounts are created by an administrator or operator.

    allauth's mails (and the staff invitation, sent through it) name the portal and, for
    staff, their municipality, never a host name; their links point at ``PORTAL_BASE_URL``;
    each has a plain-text and an HTML part.
    """

    def save_user(self, request, user, form, commit=True):
        user.role = Role.CITIZEN
        user.municipality = None
        user.is_staff = False
        user.is_superuser = False
        return super().save_user(request, user, form, commit=commit)

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with a TOTP step that a staff IdP's second factor may stand in
        for (``portal.oidc.session``)."""
        return [
            "portal.oidc.session.IdPAwareAuthenticateStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def get_logout_redirect_url(self, request) -> str:
        """After the portal's logout, the provider's logout when the sign-in came from one."""
        url = super().get_logout_redirect_url(request)
        return oidc_session.end_session_url(request, absolute_url(url)) or url

    def send_mail(self, template_prefix, email, context):
        """allauth's own mails (confirmation, password reset, account notices). A mail server
        that does not answer is not the person's error, and the page must not fail on it:
        they are told the mail could not be sent now and ask for it again (the confirmation
        and password pages offer that); the account, or whatever they changed, is kept."""
        try:
            self.deliver_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            logger.warning("mail %s could not be sent", template_prefix, exc_info=True)
            request = getattr(self, "request", None)
            if request is not None:
                messages.error(
                    request,
                    _(
                        "The e-mail to %(email)s could not be sent just now: the mail server "
                        "did not answer. Please ask for it again in a few minutes."
                    )
                    % {"email": email},
                )

    def deliver_mail(self, template_prefix, email, context):
        """Send one of the portal's account mails; raises when the mail server does not take
        it (``send_mail`` tells the person; the staff invitation tells the administrator)."""
        context = {
            key: on_portal(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        user = context.get("user")
        if "municipality" not in context and getattr(user, "municipality_id", None):
            context["municipality"] = user.municipality
        context.setdefault("portal_url", absolute_url("/"))
        with translation.override("nl"):
            super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """The text part as written; the HTML part the same text, with its links."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if not getattr(message, "alternatives", None) and message.content_subtype == "plain":
            html = render_to_string(
                "account/email/message.html",
                {**context, "subject": message.subject, "text": message.body},
            )
            message.attach_alternative(html, "text/html")
        return message
