"""
The API keeps its contract: schemathesis generates requests from our OpenAPI
schema (every operation; data that fits it and data that does not) and runs
all its checks against the app in process, with a bounded number of examples.
Zero failures.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

pytestmark = pytest.mark.django_db

# Bounded: enough to find a 500 or an undocumented answer, quick enough for make test.
EXAMPLES = 25


# A stale change-log cursor is answered 410 Gone, as documented: an opaque token
# the schema cannot describe otherwise.
CONFIG = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "401", "403", "404", "410", "429"]
        }
    }
}


def operations():
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/",
        get_wsgi_application(),
        config=schemathesis.config.SchemathesisConfig.from_dict(CONFIG),
    )
    return [result.ok() for result in schema.get_all_operations()]


def possible(case):
    """
    A date after today is a 400 by design (nothing is known of it yet), and an
    OpenAPI schema cannot say “not after today”: valid cases stay in the past.
    """
    today = timezone.localdate().isoformat()
    return not any(
        isinstance(value, str) and len(value) == 10 and value > today
        for value in (case.query or {}).values()
    )


def failures_of(operation, mode, headers):
    """Every distinct failure schemathesis finds in one operation, as text."""
    found = []
    details = []

    strategy = operation.as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:
        strategy = strategy.filter(possible)

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        try:
            case.call_and_validate(headers=headers)
        except (AssertionError, FailureGroup) as error:
            failures = getattr(error, "exceptions", [error])
            for failure in failures:
                title = str(failure).splitlines()[0]
                message = f"{operation.label} [{mode}]: {title}"
                if message not in found:
                    found.append(message)
                    details.append(f"{message}\n{str(error)[:1500]}")

    check()
    for detail in details:
        print(detail)
    return found


@pytest.fixture
def same_connection():
    """
    Requests go through the WSGI app in this thread, on the test's connection and
    transaction; as Django's own test client does, keep it open between requests.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_the_schema(seed, partner_key, settings, same_connection, mode):
    settings.EXCHANGES_API_RATE = "100000/hour"
    headers = {"Authorization": f"Api-Key {partner_key}"}
    found = []
    checked = 0
    for operation in operations():
        found += failures_of(operation, mode, headers)
        checked += 1
    assert checked >= 14
    assert not found, "\n\n".join(found)
