"""Progressive delays after failed sign-ins, for passwords and second factors (issue 13, item 12).

allauth's "5 failures per account in 5 minutes" was a lock: five wrong passwords typed by
anyone, from anywhere, kept the account's owner out for five minutes (five wrong TOTP codes
did the same to an agent, answered 200). Here each failure makes the next attempt wait, and the
wait is counted on three keys, each with its own allowance and ceiling:

- this account from this address: 5 free failures, then 1 s, 2 s, 4 s… up to 15 minutes. It
  slows the one who guesses, and no one else;
- this account from anywhere: 20 free failures, then a wait that never exceeds 30 s. Guessing
  from many addresses is slowed, and the owner is never locked out;
- this address on any account (password spraying): 30 free failures, then up to 15 minutes.

A success clears its account-and-address key. Counts live in the cache (Redis, PostgreSQL while
Redis is away: gru/cache.py) and are forgotten after an hour without a failure. A refused
attempt is a 429 with `Retry-After` and the French page of templates/429.html.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from allauth.core.exceptions import ImmediateHttpResponse
from django.core.cache import cache
from django.shortcuts import render

from gru.ratelimit import client_ip

FORGET_AFTER_SECONDS = 60 * 60


@dataclass(frozen=True)
class Policy:
    name: str
    free: int  # failures before any wait
    ceiling: int  # seconds

    def wait_after(self, failures: int) -> int:
        """Seconds the next attempt waits after `failures` failures in a row."""
        if failures < self.free:
            return 0
        return min(2 ** (failures - self.free), self.ceiling)


PAIR = Policy("pair", free=5, ceiling=15 * 60)
ACCOUNT = Policy("account", free=20, ceiling=30)
ADDRESS = Policy("address", free=30, ceiling=15 * 60)


def _digest(text: str) -> str:
    return hashlib.sha256(text.lower().encode()).hexdigest()[:32]


def keys(request, *, step: str, account: str) -> dict[Policy, str]:
    """The three counters of an attempt at `step` ("password", "mfa") on `account`."""
    address = client_ip(request)
    who = _digest(account)
    return {
        PAIR: f"throttle:{step}:pair:{who}:{address}",
        ACCOUNT: f"throttle:{step}:account:{who}",
        ADDRESS: f"throttle:{step}:address:{address}",
    }


def seconds_to_wait(counters: dict[Policy, str], *, now: float | None = None) -> int:
    now = time.time() if now is None else now
    states = cache.get_many(list(counters.values()))
    wait = 0.0
    for policy, key in counters.items():
        failures, last = states.get(key, (0, 0.0))
        wait = max(wait, last + policy.wait_after(failures) - now)
    return math.ceil(wait)


def refuse_if_too_soon(request, counters: dict[Policy, str]) -> None:
    """Raise the 429 (allauth's middleware answers ImmediateHttpResponse) when a key waits."""
    wait = seconds_to_wait(counters)
    if wait > 0:
        response = render(request, "429.html", {"wait": in_words(wait)}, status=429)
        response["Retry-After"] = str(wait)
        raise ImmediateHttpResponse(response)


def in_words(seconds: int) -> str:
    """« 1 seconde », « 30 secondes », « 2 minutes » (rounded up)."""
    if seconds < 120:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def failed(counters: dict[Policy, str], *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    states = cache.get_many(list(counters.values()))
    cache.set_many(
        {key: (states.get(key, (0, 0.0))[0] + 1, now) for key in counters.values()},
        FORGET_AFTER_SECONDS,
    )


def succeeded(counters: dict[Policy, str]) -> None:
    cache.delete(counters[PAIR])
