"""The reference data: every fact of the 28 July 2025 article, loaded once."""

import datetime

import pytest
from django.core.management import call_command

from exchanges.figures import Figure, Precision
from exchanges.models import (
    Agreement,
    Category,
    Exchange,
    Organisation,
    Person,
    Quote,
    Role,
    Status,
    Tally,
)

pytestmark = pytest.mark.django_db
ARTICLE_DATE = datetime.date(2025, 7, 28)


def test_the_official_tally_of_the_article(seed):
    tally = Tally.objects.public(as_of=ARTICLE_DATE).get(scope=Tally.Scope.SCHEDULED)
    assert tally.exchanges_figure == Figure(66)
    assert tally.returned_figure == Figure(5857)
    assert tally.as_of == ARTICLE_DATE
    assert tally.counted_since == datetime.date(2022, 2, 24)
    assert tally.stated_by.full_name == "Major Andrii Yusov"
    assert tally.context == "in a comment to Ukrainska Pravda"
    assert tally.outlet.name == "Ukrainska Pravda"
    assert {role.title for role in tally.stated_by_roles.all()} == {
        "Deputy Head of the Coordination Headquarters for the Treatment of Prisoners of War",
        "spokesperson for Defence Intelligence of Ukraine",
    }


def test_over_a_thousand_under_istanbul_is_a_separate_case(seed):
    istanbul = Agreement.objects.get(slug="istanbul-2")
    tally = Tally.objects.get(scope=Tally.Scope.AGREEMENT)
    assert tally.agreement == istanbul
    assert tally.returned_figure == Figure(1000, Precision.OVER)
    assert tally.returned_figure.words("en") == "over 1,000"
    assert tally.exchanges_figure == Figure.unknown()
    assert istanbul.counts_toward_tally is False
    assert istanbul.implementation == Agreement.Implementation.BEING_IMPLEMENTED
    assert istanbul.round_number == 2
    assert istanbul.concluded_on == datetime.date(2025, 6, 2)
    assert {c.name for c in istanbul.categories.all()} == {
        "seriously ill and severely wounded",
        "under 25",
    }
    # None of its numbered stages counts toward the scheduled tally.
    assert not istanbul.exchanges.filter(stage__isnull=False, counts_toward_tally=True).exists()


def test_the_third_round_is_agreed_without_figures(seed):
    third = Agreement.objects.get(slug="istanbul-3")
    assert third.implementation == Agreement.Implementation.AGREED
    assert third.concluded_on == datetime.date(2025, 7, 23)
    assert third.counts_toward_tally is None
    assert not third.tallies.exists()


def test_yusov_holds_two_roles_at_once(seed):
    yusov = Person.objects.get(slug="andrii-yusov")
    assert yusov.rank == "Major"
    assert yusov.roles.held_on(ARTICLE_DATE).count() == 2
    assert yusov.photo_credit.name == (
        "Coordination Headquarters for the Treatment of Prisoners of War"
    )


def test_the_quote(seed):
    quote = Quote.objects.public().get()
    assert quote.text.startswith("Given the scale and complexity")
    assert "Over a thousand citizens have already been returned" in quote.text
    assert quote.speaker.name == "Andrii Yusov"
    assert quote.roles.count() == 2
    assert quote.context == "in a comment to Ukrainska Pravda"
    assert quote.said_on == ARTICLE_DATE
    assert quote.agreement.slug == "istanbul-2"


def test_the_exchanges_of_the_csv(seed):
    assert Exchange.objects.public().count() == 22
    first = Exchange.objects.get(date=datetime.date(2025, 5, 23))
    assert first.agreement.slug == "istanbul-1"
    assert first.stage == 1
    assert first.returned_figure == Figure(390)
    assert first.handed_over_figure == Figure(390)
    assert {c.name for c in first.categories.all()} == {"military", "civilians"}
    undisclosed = Exchange.objects.get(date=datetime.date(2025, 6, 9))
    assert undisclosed.returned_figure.words("en") == "not disclosed"
    assert undisclosed.counts_toward_tally is False
    russian_figure = Exchange.objects.get(date=datetime.date(2025, 7, 23))
    assert russian_figure.returned_figure.words("en") == "about 250"
    medvedchuk = Exchange.objects.get(date=datetime.date(2022, 9, 21))
    assert {m.name for m in medvedchuk.mediators.all()} == {"Türkiye", "Saudi Arabia"}
    assert Exchange.objects.get(official_number=67).date == datetime.date(2025, 8, 14)


def test_seed_records_are_published_with_ukrainian_names(seed):
    assert not Agreement.objects.exclude(status=Status.PUBLISHED).exists()
    assert Organisation.objects.get(slug="ukrainska-pravda").name_uk == "Українська правда"
    assert Category.objects.get(slug="under-25").name_uk == "молодші за 25 років"
    assert Tally.objects.get(scope=Tally.Scope.SCHEDULED).context_uk == (
        "у коментарі «Українській правді»"
    )


def snapshot():
    models = [Agreement, Category, Exchange, Organisation, Person, Quote, Role, Tally]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_load_seed_twice_changes_nothing(db, capsys):
    call_command("load_seed")
    first = snapshot()
    assert "43 records created" in capsys.readouterr().out
    call_command("load_seed")
    assert "0 records created, 43 already present" in capsys.readouterr().out
    assert snapshot() == first


def test_load_seed_keeps_an_editors_correction(seed):
    Exchange.objects.filter(date=datetime.date(2025, 5, 24)).update(returned=306)
    call_command("load_seed")
    assert Exchange.objects.get(date=datetime.date(2025, 5, 24)).returned == 306
