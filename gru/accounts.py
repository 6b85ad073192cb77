"""Local accounts (django-allauth): who is an agent, the adapter, the login form, and the
verified email address an administrator gives an agent."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from allauth.mfa.base.forms import AuthenticateForm as AllauthMFAAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthMFAReauthenticateForm
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gru import throttle
from gru.forms import validate_email_address
from gru.mail import email_send_later
from gru.models import Membership, User
from gru.ratelimit import client_ip


def is_agent(user) -> bool:
    """An agent works for the authority: staff (Django admin) or member of a team."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or Membership.objects.filter(user=user).exists()


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def email_address_verify_for_agent(*, user: User) -> EmailAddress:
    """Make the user's email a verified, primary allauth address.

    An administrator creates agents in the Django admin, and allauth (mandatory verification)
    refuses a login whose address is not verified: the administrator vouches for it. Other
    addresses of the user stop being primary; the previous login address stays, unverified
    addresses are left as they are."""
    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            address = EmailAddress(user=user, email=user.email.lower())
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
            primary=False
        )
        address.verified = True
        address.primary = True
        address.save()
    return address


def _password_counters(request, credentials: dict) -> dict:
    account = credentials.get("email") or credentials.get("username") or ""
    return throttle.keys(request, step="password", account=account)


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """Sign-up and a new address of the profile: no control characters (issue 13)."""
        validate_email_address(email)
        return super().clean_email(email)

    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count: the same as ours (gru.ratelimit)."""
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth renders then calls `send()`: the message it gets goes through the worker."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        message.send = lambda fail_silently=False: email_send_later(message)
        return message

    def pre_authenticate(self, request, **credentials):
        # Failed passwords make the next attempt wait, per account and address (gru.throttle):
        # a 429 with Retry-After. allauth's other limits answer "too many failed logins" with a
        # form error (200): a 429 says it to the browser and to the monitoring too.
        throttle.refuse_if_too_soon(request, _password_counters(request, credentials))
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if getattr(error, "code", None) == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from error
            raise

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            throttle.succeeded(_password_counters(request, credentials))
        return user

    def authentication_failed(self, request, **credentials) -> None:
        throttle.failed(_password_counters(request, credentials))

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """allauth asks for the password again before any MFA change, even a minute after the
        login. An agent sent to the TOTP setup straight from the login would type it twice, and
        a ProConnect agent, with no password, could not at all. So the first TOTP activation
        (and only it: not disabling it, not the recovery codes) counts a sign-in of this
        session within ACCOUNT_REAUTHENTICATION_TIMEOUT as recent."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = self.request
        if (
            required
            and app == "allauth.mfa"
            and request is not None
            and request.path_info == reverse("mfa_activate_totp")
            and not Authenticator.objects.filter(user=request.user).exists()
        ):
            records = get_authentication_records(request, request.user)
            if (
                records
                and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return required

    def send_password_reset_mail(self, user, email: str, context: dict) -> None:
        """The email FranceConnect gave is no proof of ownership (LEGAL.md §3): an account
        without a password gets a reset link only at an address it verified. Otherwise the
        reader of that mailbox could set a password on a certified account."""
        if (
            not user.has_usable_password()
            and not EmailAddress.objects.filter(
                user=user, email__iexact=email, verified=True
            ).exists()
        ):
            return
        super().send_password_reset_mail(user, email, context)

    def get_login_redirect_url(self, request) -> str:
        # Agents start in the back office, on their work; citizens in their space.
        if is_agent(request.user):
            return reverse("backoffice:home")
        return super().get_login_redirect_url(request)


class LoginForm(AllauthLoginForm):
    """allauth's login form, French labels, no placeholder repeating the label, no help text
    (the page links to the password reset itself)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Adresse électronique")
        self.fields["password"].label = _("Mot de passe")
        self.fields["password"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class _ThrottledCode:
    """A second factor's code makes the next attempt wait after failures, per agent and
    address (gru.throttle), instead of allauth's lock of the agent after five."""

    def clean_code(self) -> str:
        request = context.request
        counters = throttle.keys(request, step="mfa", account=f"user:{self.user.pk}")
        throttle.refuse_if_too_soon(request, counters)
        try:
            code = super().clean_code()
        except ValidationError:
            throttle.failed(counters)
            raise
        throttle.succeeded(counters)
        return code


class MFAAuthenticateForm(_ThrottledCode, AllauthMFAAuthenticateForm):
    pass


class MFAReauthenticateForm(_ThrottledCode, AllauthMFAReauthenticateForm):
    pass
