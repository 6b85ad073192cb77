"""What the deadline engine's tests share: requests under a silence rule, Paris moments. The
fixtures are in conftest.py."""

import datetime
from zoneinfo import ZoneInfo

from tests.factories import FormVersionFactory, ServiceRequestFactory

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment in the authority's time zone, for time_machine.travel."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def filed_request(
    rule: str = "acceptance", delay: str = "P2M", *, procedure: dict | None = None, **fields
):
    """A request filed under a version with that silence rule and delay; `procedure` holds
    other fields of its démarche."""
    procedure = {f"procedure__{name}": value for name, value in (procedure or {}).items()}
    version = FormVersionFactory(
        procedure__silence_rule=rule,
        procedure__silence_delay="" if rule == "none" else delay,
        **procedure,
    )
    return ServiceRequestFactory(form_version=version, **fields)
