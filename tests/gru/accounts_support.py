"""Helpers of the accounts tests: verified accounts, TOTP codes as an authenticator app makes
them, the cache (rate limits, used TOTP codes) emptied between tests."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.cache import cache

from tests.factories import MembershipFactory, UserFactory

PASSWORD = "mot-de-passe-de-test"  # UserFactory's
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _empty_cache():
    """allauth keeps its rate-limit counts and used TOTP codes in the cache (Redis)."""
    cache.clear()
    yield
    cache.clear()


def verified_user(**fields):
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def agent(*, totp: bool, staff: bool = False):
    """A team member (staff too when `staff`), with a TOTP authenticator when `totp`."""
    user = verified_user(is_staff=staff)
    MembershipFactory(user=user)
    if totp:
        TOTP.activate(user, SECRET)
    return user


def totp_code(secret: str = SECRET, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset: periods later)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))
