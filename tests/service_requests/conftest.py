"""Fixtures of the deadline engine's tests: an agent, Celery run in the test's own process."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def agent():
    return UserFactory(first_name="Inès", last_name="Da Silva", job_title="Instructrice")


@pytest.fixture
def side_effects(eager_celery, django_capture_on_commit_callbacks, caplog):
    """`with side_effects():` runs what the block enqueues on commit, tasks included, at once.
    On-commit enqueues are robust (an error is logged, not raised): the test fails on any error
    logged, so that a broken task does not pass unnoticed."""
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    errors = [record.getMessage() for record in caplog.records if record.levelno >= 40]
    assert not errors, errors
