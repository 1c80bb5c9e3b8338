"""
Two clocks: a box pinned to a date shows what had been stated by that date.

The scenario an editor met: official tallies of 2022 to 2026 back-filled today
through the admin must show in boxes pinned to their own dates.
"""

import datetime

import pytest

from exchanges.figures import Precision
from exchanges.models import Organisation, Person, Status, Tally

from .test_admin import form_data, post_confirmed, url, warnings_shown
from .test_boxes import render, visible

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def enter_and_publish(client, **fields):
    """Fill in the tally form as an editor does, press Publish and confirm the warnings."""
    address = url(Tally, "add")
    data = form_data(client.get(address))
    data.update(scope=Tally.Scope.SCHEDULED, _transition="publish", **fields)
    first = client.post(address, data)
    warnings = warnings_shown(first)
    assert not Tally.objects.filter(as_of=fields["as_of"]).exists()  # nothing saved yet
    response = post_confirmed(client, address, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tally = Tally.objects.get(as_of=fields["as_of"])
    assert tally.status == Status.PUBLISHED
    return tally, warnings


def figure(value, precision=Precision.EXACT, upper=""):
    return {"": str(value), "_precision": precision, "_upper": str(upper)}


def figures(exchanges, returned):
    data = {}
    for name, parts in (("exchanges", exchanges), ("returned", returned)):
        data.update({f"{name}{suffix}": value for suffix, value in parts.items()})
    return data


def box(as_of=None, lang="en"):
    when = f' as_of="{as_of.isoformat()}"' if as_of else ""
    return visible(render(f'{{% factbox "totals"{when} lang="{lang}" %}}'))


def test_tallies_back_filled_today_show_in_boxes_pinned_to_their_own_dates(admin_client, seed):
    headquarters = Organisation.objects.get(slug="coordination-headquarters")
    yusov = Person.objects.get(slug="andrii-yusov")
    seed_tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    statements = [
        # as of, stated by, figures, source (text only), then what boxes must say.
        (
            datetime.date(2022, 10, 2),
            {"stated_by_organisation": str(headquarters.pk)},
            figures(figure(20), figure(1047)),
            {"source_name_en": "Babel, 2 October 2022", "source_name_uk": "Бабель, 2 жовтня 2022"},
            "Ukraine has brought back 1,047 people in 20 exchanges.",
            "Україна повернула 1 047 осіб за 20 обмінів.",
            "Source: Coordination Headquarters for the Treatment of Prisoners of War, "
            "2 October 2022 · Babel, 2 October 2022",
            "Джерело: Координаційний штаб з питань поводження з військовополоненими, "
            "2 жовтня 2022 р. · Бабель, 2 жовтня 2022",
        ),
        (
            datetime.date(2023, 12, 31),
            {"stated_by": str(yusov.pk)},
            figures(figure(48), figure(2500, Precision.OVER)),
            {"source_name_en": "Suspilne, 31 December 2023"},
            "Ukraine has brought back over 2,500 people in 48 exchanges.",
            "Україна повернула понад 2 500 осіб за 48 обмінів.",
            "Source: Major Andrii Yusov, 31 December 2023 · Suspilne, 31 December 2023",
            # No Ukrainian source name: the English one, marked as English.
            "Джерело: Майор Андрій Юсов, 31 грудня 2023 р. · Suspilne, 31 December 2023",
        ),
        (
            datetime.date(2025, 5, 6),
            {"stated_by": str(yusov.pk), "context_en": "on national television"},
            figures(figure(63, Precision.AT_LEAST), figure(4552, Precision.AT_LEAST)),
            {"source_name_en": "UNN, 6 May 2025", "source_name_uk": "УНН, 6 травня 2025"},
            "Ukraine has brought back at least 4,552 people in at least 63 exchanges.",
            "Україна повернула щонайменше 4 552 особи щонайменше за 63 обміни.",
            "Source: Major Andrii Yusov, on national television, 6 May 2025 · UNN, 6 May 2025",
            "Джерело: Майор Андрій Юсов, on national television, 6 травня 2025 р. · УНН, "
            "6 травня 2025",
        ),
        (
            datetime.date(2026, 2, 5),
            {"stated_by_organisation": str(headquarters.pk)},
            figures(figure(70, Precision.AT_LEAST), figure(7000, Precision.BETWEEN, 7200)),
            {"source_name_en": "Ukrinform, 5 February 2026", "source_name_uk": "Укрінформ"},
            "Ukraine has brought back 7,000 to 7,200 people in at least 70 exchanges.",
            "Україна повернула від 7 000 до 7 200 осіб щонайменше за 70 обмінів.",
            "Source: Coordination Headquarters for the Treatment of Prisoners of War, "
            "5 February 2026 · Ukrinform, 5 February 2026",
            "Джерело: Координаційний штаб з питань поводження з військовополоненими, "
            "5 лютого 2026 р. · Укрінформ",
        ),
    ]
    entered, told = [], []
    for as_of, speaker, numbers, source, *_words in statements:
        tally, warnings = enter_and_publish(
            admin_client,
            as_of=as_of.isoformat(),
            counted_since="2022-02-24",
            **speaker,
            **numbers,
            **source,
        )
        entered.append(tally)
        told.append(" ".join(warnings))
    # Before anything was saved, the editor was told which pinned boxes change.
    assert "fact boxes pinned to 2 October 2022 to 27 July 2025 show." in told[0]
    assert "fact boxes pinned to 31 December 2023 to 27 July 2025 show." in told[1]
    assert "fact boxes pinned to 6 May 2025 to 27 July 2025 show." in told[2]
    assert "fact boxes pinned to 5 February 2026 or later show, and live boxes." in told[3]
    assert "The Ukrainian version is empty for: source." in told[1]

    # The figures as stated, qualifier words included: exchanges, then people returned.
    worded = {
        datetime.date(2022, 10, 2): ("20", "1,047", "20", "1 047"),
        datetime.date(2023, 12, 31): ("48", "over 2,500", "48", "понад 2 500"),
        datetime.date(2025, 5, 6): (
            "at least 63",
            "at least 4,552",
            "щонайменше 63",
            "щонайменше 4 552",
        ),
        datetime.date(2026, 2, 5): (
            "at least 70",
            "7,000 to 7,200",
            "щонайменше 70",
            "від 7 000 до 7 200",
        ),
    }
    # Each pinned date shows its own statement; the day before shows the one before it.
    previous = None
    for (as_of, _who, _figures, _source, en, uk, source_en, source_uk), tally in zip(
        statements, entered, strict=True
    ):
        pinned_en, pinned_uk = box(as_of, "en"), box(as_of, "uk")
        assert en in pinned_en and uk in pinned_uk
        exchanges_en, returned_en, exchanges_uk, returned_uk = worded[as_of]
        assert (
            f"Exchanges since 24 February 2022 {exchanges_en} People returned {returned_en} "
            f"Official tally as of {as_of.day} " in pinned_en
        )
        assert (
            f"Обмінів від 24 лютого 2022 р. {exchanges_uk} Повернуто людей {returned_uk} "
            f"Офіційний підсумок станом на {as_of.day} " in pinned_uk
        )
        assert source_en in pinned_en and source_uk in pinned_uk
        before = box(as_of - DAY, "en")
        if previous is None:
            assert "No official figure had been published by 1 October 2022." in before
            assert "Станом на 1 жовтня 2022 р. офіційних цифр ще не оприлюднювали." in box(
                as_of - DAY, "uk"
            )
        else:
            assert previous in before and en not in before
        previous = (
            "Ukraine has brought back 5,857 people in 66 exchanges."
            if tally == entered[2]  # the seed's 28 July 2025 tally stands between
            else en
        )
    assert "Ukraine has brought back 5,857 people in 66 exchanges." in box(
        datetime.date(2026, 2, 4)
    )
    assert "Ukraine has brought back 4,552" not in box(seed_tally.as_of)
    live = box()
    assert "Ukraine has brought back 7,000 to 7,200 people in at least 70 exchanges." in live
    assert "at least 70" in live and "7,000 to 7,200" in live
    assert "Live: shows the latest published figures." in live


def enter_warnings_again(client, tally):
    """The warnings the admin gives when the tally's date is moved back by a day."""
    address = url(Tally, "change", tally.pk)
    data = form_data(client.get(address))
    data.update(
        as_of=(tally.as_of - DAY).isoformat(),
        correction_note="The statement was made a day earlier.",
    )
    warnings = warnings_shown(client.post(address, data))
    tally.refresh_from_db()
    return " ".join(warnings)


def test_the_ukrainian_box_marks_english_editor_text_as_english(seed):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    tally.source_name_uk = ""
    tally.save()
    html = render('{% factbox "totals" lang="uk" %}')
    assert '<bdi lang="en">Ukrainska Pravda, 28 July 2025, 17:46</bdi>' in html
    assert '<aside class="xb xb--totals" lang="uk"' in html


def test_editor_text_cannot_reverse_the_box_around_it(seed):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    tally.context_en = "in a comment\u202e to Ukrainska Pravda"
    tally.save()
    html = render('{% factbox "totals" lang="en" %}')
    assert '<bdi lang="en">in a comment\u202e to Ukrainska Pravda</bdi>' in html
    # Plain text (JSON) isolates it too: between FIRST STRONG ISOLATE and POP.
    from exchanges.kinds import build_box as build

    line = build("totals", lang="en")["source"]["line"]
    assert "\u2068in a comment\u202e to Ukrainska Pravda\u2069" in line


def test_moving_a_published_date_warns_before_it_saves(admin_client, seed):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    warnings = enter_warnings_again(admin_client, tally)
    assert "This changes what fact boxes pinned to 27 July 2025 or later show" in warnings
    assert tally.as_of == datetime.date(2025, 7, 28)  # nothing saved before confirming


def test_publishing_without_ukrainian_text_warns_first(admin_client, seed):
    address = url(Tally, "add")
    data = form_data(admin_client.get(address))
    data.update(
        as_of="2024-05-31",
        scope=Tally.Scope.SCHEDULED,
        exchanges="52",
        exchanges_precision=Precision.EXACT,
        returned="3135",
        returned_precision=Precision.EXACT,
        context_en="at a briefing",
        stated_by=str(Person.objects.get().pk),
        source_name_en="Ukrinform, 31 May 2024",
        _transition="publish",
    )
    response = admin_client.post(address, data)
    warnings = " ".join(warnings_shown(response))
    assert "The Ukrainian version is empty for: source, context." in warnings
    # A question, shown as a warning above the form, not as an error to correct.
    assert "Please correct the error" not in response.text
    assert 'class="warning"' in response.text and "save again to confirm" in response.text
    assert not Tally.objects.filter(as_of="2024-05-31").exists()


@pytest.mark.parametrize("kind", ["tally", "exchange", "quote"])
def test_publishing_without_a_source_is_refused_on_the_field(admin_client, seed, kind):
    from exchanges.models import Exchange, Quote

    from .factories import ExchangeFactory, QuoteFactory, TallyFactory

    factory = {"tally": TallyFactory, "exchange": ExchangeFactory, "quote": QuoteFactory}[kind]
    extra = {"speaker": Person.objects.get()} if kind == "quote" else {}
    if kind == "tally":
        extra["as_of"] = datetime.date(2024, 5, 31)
    record = factory(status=Status.DRAFT, source_name_en="", source_url="", **extra)
    model = {"tally": Tally, "exchange": Exchange, "quote": Quote}[kind]
    address = url(model, "change", record.pk)
    data = form_data(admin_client.get(address))
    data["_transition"] = "publish"
    response = admin_client.post(address, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Give the source before publishing" in errors["source_name_en"][0]
    record.refresh_from_db()
    assert record.status == Status.DRAFT
    # The bulk action holds to the same rule.
    listing = url(model, "changelist")
    admin_client.post(listing, {"action": "publish", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert record.status == Status.DRAFT


def test_bulk_publishing_a_back_dated_record_asks_first(admin_client, seed):
    from .factories import TallyFactory

    draft = TallyFactory(
        as_of=datetime.date(2023, 12, 31),
        stated_by=Person.objects.get(),
        status=Status.DRAFT,
    )
    listing = url(Tally, "changelist")
    data = {"action": "publish", "_selected_action": [draft.pk]}
    page = admin_client.post(listing, data)
    assert page.status_code == 200
    assert "fact boxes pinned to 31\xa0December\xa02023 to 27\xa0July\xa02025" in page.text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert admin_client.post(listing, {**data, "confirmed": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert "Ukraine has brought back 5,857 people" in box(datetime.date(2025, 7, 28))
    assert "Test Agency, 2023-12-31" in box(datetime.date(2024, 1, 1))


def test_withdrawing_a_published_statement_asks_first(admin_client, seed):
    from .test_workflow import act

    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    address = url(Tally, "change", tally.pk)
    data = form_data(admin_client.get(address))
    data["_transition"] = "unpublish"
    warnings = " ".join(warnings_shown(admin_client.post(address, data)))
    assert "fact boxes pinned to 28 July 2025 or later show, and live boxes" in warnings
    tally.refresh_from_db()
    assert tally.status == Status.PUBLISHED
    listing = url(Tally, "changelist")
    page = admin_client.post(listing, {"action": "unpublish", "_selected_action": [tally.pk]})
    assert "check the pinned fact boxes first" in page.text
    act(admin_client, tally, "unpublish")  # confirms, as an editor who read it
    tally.refresh_from_db()
    assert tally.status == Status.UNPUBLISHED
    assert "No official figure had been published by 28 July 2025." in box(tally.as_of)
