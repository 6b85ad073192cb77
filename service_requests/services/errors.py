"""The services' refusals (service_requests.errors), importable beside them."""

from service_requests.errors import StaleRequest, TransitionRefused

__all__ = ["StaleRequest", "TransitionRefused"]
