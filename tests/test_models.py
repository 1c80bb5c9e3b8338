"""The domain: database constraints, validation messages, the public gate and tallies."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from exchanges.figures import Figure, Precision
from exchanges.models import Exchange, Role, Status, Tally

from .factories import (
    AgreementFactory,
    ExchangeFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    TallyFactory,
)

pytestmark = pytest.mark.django_db


def assert_rejected_by_database(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"returned": -1},
        {"handed_over": -5, "handed_over_precision": Precision.EXACT},
    ],
    ids=["negative returned", "negative handed over"],
)
def test_database_rejects_negative_counts(fields):
    assert_rejected_by_database(ExchangeFactory, **fields)


def test_database_rejects_negative_tally_figures():
    assert_rejected_by_database(TallyFactory, exchanges=-66)
    assert_rejected_by_database(TallyFactory, returned=-1)


@pytest.mark.parametrize(
    "fields",
    [
        {"returned": 250, "returned_precision": Precision.UNKNOWN},
        {"returned": None, "returned_precision": Precision.EXACT},
        {"returned_precision": "roughly"},
    ],
    ids=["value with unknown", "exact without value", "no such precision"],
)
def test_database_rejects_figures_that_do_not_fit_their_precision(fields):
    assert_rejected_by_database(ExchangeFactory, **fields)


def test_database_rejects_unknown_tally_figure_with_value():
    assert_rejected_by_database(TallyFactory, returned=1000, returned_precision=Precision.UNKNOWN)


def test_database_rejects_stage_below_one():
    agreement = AgreementFactory()
    assert_rejected_by_database(ExchangeFactory, agreement=agreement, stage=0)


def test_database_rejects_stage_without_agreement():
    assert_rejected_by_database(ExchangeFactory, stage=2)


def test_database_rejects_duplicate_official_number():
    ExchangeFactory(official_number=67)
    assert_rejected_by_database(ExchangeFactory, official_number=67)


def test_many_exchanges_may_have_no_official_number():
    ExchangeFactory(official_number=None)
    ExchangeFactory(official_number=None)
    assert Exchange.objects.filter(official_number__isnull=True).count() == 2


def test_database_rejects_duplicate_stage_of_one_agreement():
    agreement = AgreementFactory()
    ExchangeFactory(agreement=agreement, stage=1)
    assert_rejected_by_database(ExchangeFactory, agreement=agreement, stage=1)


def test_database_rejects_role_ending_before_it_starts():
    assert_rejected_by_database(
        RoleFactory,
        started_on=datetime.date(2024, 5, 1),
        ended_on=datetime.date(2024, 4, 30),
    )


def test_database_rejects_tally_scope_without_its_agreement():
    assert_rejected_by_database(TallyFactory, scope=Tally.Scope.AGREEMENT, agreement=None)
    assert_rejected_by_database(
        TallyFactory, scope=Tally.Scope.SCHEDULED, agreement=AgreementFactory()
    )


def test_database_rejects_agreement_round_zero():
    assert_rejected_by_database(AgreementFactory, round_number=0)


def messages(error, field):
    return [str(message) for message in error.value.message_dict[field]]


def test_validation_rejects_an_exchange_dated_in_the_future():
    exchange = ExchangeFactory.build(date=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        exchange.full_clean()
    assert messages(error, "date") == [
        "This date is in the future; record events once they have happened."
    ]


def test_validation_rejects_a_stage_without_agreement():
    exchange = ExchangeFactory.build(stage=3)
    with pytest.raises(ValidationError) as error:
        exchange.full_clean()
    assert messages(error, "stage") == [
        "Choose the agreement this stage belongs to, or leave the stage empty."
    ]


def test_validation_explains_a_figure_that_does_not_fit_its_precision():
    exchange = ExchangeFactory.build(returned=250, returned_precision=Precision.UNKNOWN)
    with pytest.raises(ValidationError) as error:
        exchange.full_clean()
    assert messages(error, "returned") == [
        "Leave the number empty when its qualifier is “unknown”, "
        "or choose the qualifier the source gave."
    ]
    exchange = ExchangeFactory.build(returned=None, returned_precision=Precision.AT_LEAST)
    with pytest.raises(ValidationError) as error:
        exchange.full_clean()
    assert "Enter the number the source gave" in messages(error, "returned")[0]


def test_validation_names_the_duplicate_official_number():
    ExchangeFactory(official_number=67)
    with pytest.raises(ValidationError) as error:
        ExchangeFactory.build(official_number=67).full_clean()
    assert messages(error, "official_number") == [
        "Exchange with this Official number already exists."
    ]


def test_validation_rejects_role_ending_before_start():
    role = RoleFactory.build(
        person=PersonFactory(),
        organisation=OrganisationFactory(),
        started_on=datetime.date(2024, 5, 1),
        ended_on=datetime.date(2024, 4, 30),
    )
    with pytest.raises(ValidationError) as error:
        role.full_clean()
    assert messages(error, "ended_on") == ["A role cannot end before it starts (2024-05-01)."]


def test_roles_are_time_bound():
    role = RoleFactory(started_on=datetime.date(2023, 1, 1), ended_on=datetime.date(2024, 12, 31))
    assert role.held_on(datetime.date(2024, 6, 1))
    assert not role.held_on(datetime.date(2025, 7, 28))
    assert list(Role.objects.held_on(datetime.date(2024, 6, 1))) == [role]
    assert list(Role.objects.held_on(datetime.date(2025, 7, 28))) == []


def test_public_gate_shows_only_published_records_known_on_the_date():
    published = ExchangeFactory(date=datetime.date(2025, 5, 23))
    ExchangeFactory(date=datetime.date(2025, 5, 24), status=Status.DRAFT)
    later = ExchangeFactory(date=datetime.date(2025, 8, 14))
    assert set(Exchange.objects.public()) == {published, later}
    assert list(Exchange.objects.public(as_of=datetime.date(2025, 7, 28))) == [published]


def test_public_tallies_as_of_a_date_ignore_later_statements():
    july = TallyFactory(as_of=datetime.date(2025, 7, 28))
    TallyFactory(as_of=datetime.date(2025, 8, 14), exchanges=67, returned=5941)
    assert Tally.objects.public(as_of=datetime.date(2025, 7, 31)).latest() == july


def test_recorded_totals_sit_beside_the_tally_without_changing_it():
    istanbul = AgreementFactory(counts_toward_tally=False)
    ExchangeFactory(date=datetime.date(2025, 5, 23), returned=390)
    ExchangeFactory(date=datetime.date(2025, 5, 24), returned=307)
    ExchangeFactory(
        date=datetime.date(2025, 5, 25), returned=None, returned_precision=Precision.UNKNOWN
    )
    ExchangeFactory(date=datetime.date(2025, 6, 1), returned=999, status=Status.DRAFT)
    ExchangeFactory(date=datetime.date(2025, 8, 14), returned=84)
    ExchangeFactory(
        date=datetime.date(2025, 6, 9),
        agreement=istanbul,
        stage=1,
        returned=250,
        returned_precision=Precision.ABOUT,
        counts_toward_tally=False,
    )
    tally = TallyFactory(as_of=datetime.date(2025, 7, 28), exchanges=66, returned=5857)

    assert tally.recorded_totals() == (3, Figure(697, Precision.AT_LEAST))
    assert tally.returned_figure == Figure(5857)

    separate = TallyFactory(
        scope=Tally.Scope.AGREEMENT,
        agreement=istanbul,
        exchanges=None,
        exchanges_precision=Precision.UNKNOWN,
        returned=1000,
        returned_precision=Precision.AT_LEAST,
    )
    assert separate.recorded_totals() == (1, Figure(250, Precision.ABOUT))
