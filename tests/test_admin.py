"""The editors' door: every model created, changed and listed through the Django admin."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from exchanges.figures import Precision
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

from .factories import ExchangeFactory, OrganisationFactory, PersonFactory, RoleFactory

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:exchanges_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """The POST body a browser would send for the admin form as rendered, inlines included."""
    data = {}
    forms_on_page = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms_on_page.extend(inline.formset.forms)
    for form in forms_on_page:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field.widget, forms.MultiWidget):
                values = value if isinstance(value, list) else field.widget.decompress(value)
                for index, part in enumerate(values):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
            elif isinstance(field, forms.NullBooleanField):
                data[key] = {True: "true", False: "false"}.get(value, "unknown")
            elif isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(item) for item in value]
            elif value is not None:
                data[key] = str(value)
    return data


def post_form(client, address, **changes):
    page = client.get(address)
    assert page.status_code == 200
    data = form_data(page)
    data.update(changes)
    return post_confirmed(client, address, data)


def warnings_shown(response):
    """The warnings the admin asked the editor to confirm, or []."""
    if response.status_code != 200 or "adminform" not in (response.context or {}):
        return []
    errors = response.context["adminform"].form.non_field_errors().as_data()
    return [
        str(error.message % error.params).replace("\xa0", " ")
        for error in errors
        if error.code == "confirm"
    ]


def post_confirmed(client, address, data):
    """Post a form; if the admin asks to confirm warnings, read them and save again."""
    response = client.post(address, data)
    if warnings_shown(response):
        again = form_data(response)
        again.update({key: value for key, value in data.items() if key.startswith("_")})
        response = client.post(address, again)
    return response


def field_errors(response, field):
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


# Listing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (Exchange, ["2025-05-23", "390", "not disclosed", "about 250", "Istanbul talks"]),
        (Tally, ["5,857", "over 1,000", "Andrii Yusov"]),
        (Agreement, ["Istanbul talks, second round", "all for all", "being implemented"]),
        (Quote, ["Andrii Yusov", "in a comment to Ukrainska Pravda"]),
        (Person, ["Andrii Yusov", "spokesperson for Defence Intelligence of Ukraine"]),
        (Organisation, ["Coordination Headquarters for the Treatment of Prisoners of War"]),
        (Role, ["Deputy Head of the Coordination Headquarters"]),
        (Category, ["seriously ill and severely wounded", "under 25"]),
    ],
)
def test_changelist_shows_what_editors_need(admin_client, seed, model, expected):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    for text in expected:
        assert text in response.text


def test_changelists_search_filter_and_drill_down_by_date(admin_client, seed):
    found = admin_client.get(url(Exchange, "changelist"), {"q": "Medvedchuk"})
    assert found.context["cl"].result_count == 1
    outside = admin_client.get(url(Exchange, "changelist"), {"counts_toward_tally__exact": "0"})
    assert outside.context["cl"].result_count == 6
    in_2024 = admin_client.get(url(Exchange, "changelist"), {"date__year": "2024"})
    assert in_2024.context["cl"].result_count == 4


def test_changelist_queries_do_not_grow_with_exchanges(
    admin_client, seed, django_assert_max_num_queries
):
    admin_client.get(url(Exchange, "changelist"))  # warm the session and content types
    # 15: 12, and the session saved with its new idle expiry (with its savepoints).
    with django_assert_max_num_queries(15) as few:
        admin_client.get(url(Exchange, "changelist"))
    ExchangeFactory.create_batch(30, agreement=Agreement.objects.get(slug="istanbul-1"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url(Exchange, "changelist"))


def test_autocomplete_finds_people_organisations_and_agreements(admin_client, seed):
    for model, term, expected in [
        (Person, "Yusov", "Andrii Yusov"),
        (Organisation, "Coordination", "Coordination Headquarters"),
        (Agreement, "second", "Istanbul talks, second round"),
    ]:
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "term": term,
                "app_label": "exchanges",
                "model_name": "quote",
                "field_name": {Person: "speaker", Organisation: "outlet", Agreement: "agreement"}[
                    model
                ],
            },
        )
        assert response.status_code == 200
        assert expected in response.json()["results"][0]["text"]


# Creating -----------------------------------------------------------------


def test_create_category(admin_client):
    response = post_form(
        admin_client,
        url(Category, "add"),
        name_en="wounded",
        name_uk="поранені",
        slug="wounded",
    )
    assert response.status_code == 302
    assert Category.objects.get(slug="wounded").name_uk == "поранені"


def test_create_organisation_as_draft(admin_client):
    response = post_form(
        admin_client,
        url(Organisation, "add"),
        name_en="Ombudsman of Ukraine",
        name_uk="Уповноважений Верховної Ради з прав людини",
        slug="ombudsman",
        kind=Organisation.Kind.GOVERNMENT,
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(slug="ombudsman")
    assert organisation.status == Status.DRAFT
    assert organisation.uuid


def test_create_person_with_two_roles_inline(admin_client):
    first, second = OrganisationFactory(), OrganisationFactory()
    response = post_form(
        admin_client,
        url(Person, "add"),
        name_en="Dmytro Lubinets",
        slug="dmytro-lubinets",
        **{
            "roles-TOTAL_FORMS": "2",
            "roles-0-title_en": "Ombudsman",
            "roles-0-organisation": str(first.pk),
            "roles-0-started_on": "2022-07-01",
            "roles-1-title_en": "member of the Coordination Headquarters",
            "roles-1-organisation": str(second.pk),
        },
    )
    assert response.status_code == 302, response.context["errors"]
    person = Person.objects.get(slug="dmytro-lubinets")
    assert person.roles.count() == 2


def test_create_role(admin_client):
    person, organisation = PersonFactory(), OrganisationFactory()
    response = post_form(
        admin_client,
        url(Role, "add"),
        person=str(person.pk),
        organisation=str(organisation.pk),
        title_en="spokesperson",
        title_uk="речник",
    )
    assert response.status_code == 302
    assert person.roles.get().title_uk == "речник"


def test_create_agreement(admin_client, seed):
    ukraine = Organisation.objects.get(slug="ukraine")
    response = post_form(
        admin_client,
        url(Agreement, "add"),
        title_en="Istanbul talks, fourth round",
        slug="istanbul-4",
        round_number="4",
        concluded_on="2025-09-01",
        terms_en="1,000 for 1,000",
        implementation=Agreement.Implementation.AGREED,
        counts_toward_tally="true",
        parties=[str(ukraine.pk)],
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(slug="istanbul-4")
    assert agreement.counts_toward_tally is True
    assert list(agreement.parties.all()) == [ukraine]


def test_create_exchange_with_figures(admin_client, seed):
    istanbul = Agreement.objects.get(slug="istanbul-2")
    response = post_form(
        admin_client,
        url(Exchange, "add"),
        date="2025-06-20",
        agreement=str(istanbul.pk),
        stage="6",
        returned="1000",
        returned_precision=Precision.OVER,
        handed_over="",
        handed_over_precision=Precision.UNKNOWN,
        counts_toward_tally="",
        status=Status.PUBLISHED,
    )
    assert response.status_code == 302
    exchange = istanbul.exchanges.get(stage=6)
    assert exchange.returned_figure.words("en") == "over 1,000"
    assert exchange.counts_toward_tally is False


def test_create_tally(admin_client, seed):
    yusov = Person.objects.get(slug="andrii-yusov")
    response = post_form(
        admin_client,
        url(Tally, "add"),
        as_of="2025-08-14",
        scope=Tally.Scope.SCHEDULED,
        exchanges="67",
        exchanges_precision=Precision.EXACT,
        returned="5941",
        returned_precision=Precision.EXACT,
        stated_by=str(yusov.pk),
        stated_by_roles=[str(role.pk) for role in yusov.roles.all()],
    )
    assert response.status_code == 302
    assert Tally.objects.get(as_of="2025-08-14").returned_figure.words("uk") == "5\xa0941"


def test_create_quote_with_translation(admin_client, seed):
    yusov = Person.objects.get(slug="andrii-yusov")
    response = post_form(
        admin_client,
        url(Quote, "add"),
        text="Обмін триватиме.",
        language="uk",
        speaker=str(yusov.pk),
        said_on="2025-07-28",
        roles=[str(yusov.roles.first().pk)],
        **{
            "translations-TOTAL_FORMS": "1",
            "translations-0-language": "en",
            "translations-0-text": "The exchange will continue.",
        },
    )
    assert response.status_code == 302
    quote = Quote.objects.get(text="Обмін триватиме.")
    assert quote.translations.get().text == "The exchange will continue."


# Changing -----------------------------------------------------------------


def test_change_exchange_figure(admin_client, seed):
    exchange = Exchange.objects.get(date=datetime.date(2025, 6, 9))
    response = post_form(
        admin_client,
        url(Exchange, "change", exchange.pk),
        returned="1200",
        returned_precision=Precision.ABOUT,
        correction_note="The number was later estimated at about 1,200.",
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.returned_figure.words("en") == "about 1,200"


def test_change_agreement_status_and_a_stage_inline(admin_client, seed):
    agreement = Agreement.objects.get(slug="istanbul-2")
    page = admin_client.get(url(Agreement, "change", agreement.pk))
    data = form_data(page)
    stage_one = next(
        key[: -len("-stage")]
        for key, value in data.items()
        if key.startswith("exchanges-") and key.endswith("-stage") and value == "1"
    )
    data["implementation"] = Agreement.Implementation.COMPLETED
    response = admin_client.post(url(Agreement, "change", agreement.pk), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.implementation == Agreement.Implementation.COMPLETED
    # Counting a published stage toward the tally changes published totals: a correction.
    data = form_data(admin_client.get(url(Agreement, "change", agreement.pk)))
    data[f"{stage_one}-counts_toward_tally"] = "on"
    refused = admin_client.post(url(Agreement, "change", agreement.pk), data)
    assert refused.status_code == 200
    assert "change counts toward the official tally on its own page" in refused.text
    stage = agreement.exchanges.get(stage=1)
    assert stage.counts_toward_tally is False
    response = post_form(
        admin_client,
        url(Exchange, "change", stage.pk),
        counts_toward_tally="on",
        correction_note="This stage counts toward the official tally.",
    )
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.counts_toward_tally is True
    assert stage.corrections.get().fields == ["counts_toward_tally"]
    # A published stage's figure is corrected on its own page, with a public note.
    data = form_data(admin_client.get(url(Agreement, "change", agreement.pk)))
    data[f"{stage_one}-returned"] = "300"
    data[f"{stage_one}-returned_precision"] = Precision.EXACT
    refused = admin_client.post(url(Agreement, "change", agreement.pk), data)
    assert refused.status_code == 200
    assert "change people returned, qualifier on its own page" in refused.content.decode()
    assert agreement.exchanges.get(stage=1).returned is None


def test_change_tally_shows_recorded_totals_beside_the_official_ones(admin_client, seed):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    page = admin_client.get(url(Tally, "change", tally.pk))
    assert "13 published exchanges recorded in this scope up to this date" in page.text
    assert "returning 2,687 people" in page.text
    assert (
        "Official minus recorded: exchanges: 53 more than recorded; people: 3,170 more than "
        "recorded." in page.text
    )
    response = post_form(admin_client, url(Tally, "change", tally.pk), context_uk="у коментарі УП")
    assert response.status_code == 302
    tally.refresh_from_db()
    assert tally.context_uk == "у коментарі УП"
    assert tally.returned == 5857


@pytest.mark.parametrize(
    ("model", "lookup", "field", "value"),
    [
        (Category, {"slug": "under-25"}, "name_uk", "віком до 25 років"),
        (Organisation, {"slug": "ukrainska-pravda"}, "url", "https://www.pravda.com.ua/eng/"),
        (Role, {"title_en__startswith": "spokesperson"}, "title_uk", "речник ГУР"),
        (Person, {"slug": "andrii-yusov"}, "rank_en", "Maj."),
    ],
)
def test_change_names_and_roles(admin_client, seed, model, lookup, field, value):
    instance = model.objects.get(**lookup)
    response = post_form(admin_client, url(model, "change", instance.pk), **{field: value})
    assert response.status_code == 302
    instance.refresh_from_db()
    assert getattr(instance, field) == value


def test_change_quote(admin_client, seed):
    quote = Quote.objects.get()
    response = post_form(admin_client, url(Quote, "change", quote.pk), context_en="to UP")
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.context_en == "to UP"
    assert quote.roles.count() == 2


# Refusing bad input, losing nothing --------------------------------------


def vars_of(instance):
    return type(instance).objects.filter(pk=instance.pk).values().get()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "date",
            "This date is in the future; record events once they have happened.",
        ),
        (
            {"agreement": "", "stage": "2"},
            "stage",
            "Choose the agreement this stage belongs to, or leave the stage empty.",
        ),
        ({"stage": "0"}, "stage", "Stages are numbered from 1."),
        ({"returned": "-5"}, "returned", "Ensure this value is greater than or equal to 0."),
        (
            {"returned": "250", "returned_precision": Precision.UNKNOWN},
            "returned",
            "Leave the number empty when its qualifier is “unknown”, "
            "or choose the qualifier the source gave.",
        ),
        (
            {"handed_over": "", "handed_over_precision": Precision.EXACT},
            "handed_over",
            "Enter the number the source gave, or set the qualifier to “unknown” "
            "if it was not disclosed.",
        ),
        (
            {"official_number": "69"},
            "official_number",
            "Exchange with this Official number already exists.",
        ),
    ],
    ids=[
        "future date",
        "stage without agreement",
        "stage zero",
        "negative count",
        "value with unknown",
        "exact without value",
        "duplicate official number",
    ],
)
def test_invalid_exchange_is_refused_and_nothing_changes(
    admin_client, seed, changes, field, message
):
    exchange = Exchange.objects.get(date=datetime.date(2025, 5, 24))
    before = vars_of(exchange)
    response = post_form(admin_client, url(Exchange, "change", exchange.pk), **changes)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert vars_of(exchange) == before


def test_invalid_new_exchange_is_not_created(admin_client, seed):
    count = Exchange.objects.count()
    response = post_form(
        admin_client, url(Exchange, "add"), date="2025-06-20", returned="-1", status="published"
    )
    assert field_errors(response, "returned") == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert Exchange.objects.count() == count


def test_role_ending_before_it_starts_is_refused_inline(admin_client, seed):
    person = Person.objects.get(slug="andrii-yusov")
    page = admin_client.get(url(Person, "change", person.pk))
    data = form_data(page)
    data["roles-0-started_on"] = "2024-05-01"
    data["roles-0-ended_on"] = "2024-04-01"
    data["name_en"] = "Someone Else"
    response = admin_client.post(url(Person, "change", person.pk), data)
    assert response.status_code == 200
    role_errors = response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert role_errors["ended_on"] == ["A role cannot end before it starts (2024-05-01)."]
    person.refresh_from_db()
    assert person.name_en == "Andrii Yusov"
    assert not person.roles.filter(ended_on__isnull=False).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"scope": Tally.Scope.AGREEMENT, "agreement": ""},
            "agreement",
            "Choose the agreement this tally is about.",
        ),
        (
            {"as_of": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "as_of",
            "This date is in the future; record events once they have happened.",
        ),
        ({"exchanges": "-66"}, "exchanges", "Ensure this value is greater than or equal to 0."),
        (
            {"returned": "", "returned_precision": Precision.AT_LEAST},
            "returned",
            "Enter the number the source gave, or set the qualifier to “unknown” "
            "if it was not disclosed.",
        ),
    ],
    ids=["agreement scope without agreement", "future", "negative", "at least without value"],
)
def test_invalid_tally_is_refused_and_nothing_changes(admin_client, seed, changes, field, message):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    before = vars_of(tally)
    response = post_form(admin_client, url(Tally, "change", tally.pk), **changes)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert vars_of(tally) == before


def test_scheduled_tally_with_an_agreement_is_refused(admin_client, seed):
    tally = Tally.objects.get(scope=Tally.Scope.AGREEMENT)
    response = post_form(admin_client, url(Tally, "change", tally.pk), scope="scheduled")
    assert field_errors(response, "agreement")[0].startswith(
        "A scheduled tally covers all scheduled exchanges"
    )
    tally.refresh_from_db()
    assert tally.scope == Tally.Scope.AGREEMENT


def test_quote_roles_must_be_the_speakers_and_held_that_day(admin_client, seed):
    quote = Quote.objects.get()
    someone_else = RoleFactory(title_en="press officer")
    former = RoleFactory(
        person=quote.speaker,
        title_en="former adviser",
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    response = post_form(
        admin_client,
        url(Quote, "change", quote.pk),
        roles=[str(someone_else.pk), str(former.pk)],
    )
    assert set(field_errors(response, "roles")) == {
        f"“press officer” is a role of {someone_else.person}, not of Andrii Yusov.",
        "Andrii Yusov did not hold the role “former adviser” on 2025-07-28.",
    }
    assert quote.roles.count() == 2
    assert not quote.roles.filter(pk__in=[someone_else.pk, former.pk]).exists()


def test_a_later_job_change_does_not_rewrite_the_quote(admin_client, seed):
    quote = Quote.objects.get()
    person = quote.speaker
    role = person.roles.get(title_en__startswith="spokesperson")
    role.ended_on = datetime.date(2025, 12, 31)
    role.save()
    RoleFactory(
        person=person, title_en="Head of something new", started_on=datetime.date(2026, 1, 1)
    )
    assert {r.title for r in quote.roles.all()} == {
        "Deputy Head of the Coordination Headquarters for the Treatment of Prisoners of War",
        "spokesperson for Defence Intelligence of Ukraine",
    }


# Languages ----------------------------------------------------------------


def test_admin_speaks_ukrainian(admin_client, seed):
    response = admin_client.get(url(Exchange, "changelist"), headers={"accept-language": "uk"})
    assert "Обміни полоненими" in response.text
    assert "не розголошено" in response.text
    assert "близько 250" in response.text
    form = admin_client.get(url(Exchange, "add"), headers={"accept-language": "uk"})
    assert "Повернуто людей" in form.text
    assert "Враховується в офіційному підсумку" in form.text


def test_help_texts_explain_the_counting_rules(admin_client):
    page = admin_client.get(url(Tally, "add"))
    assert "they are never added into the scheduled tally" in page.text
    assert "they are not recomputed from the exchanges recorded here" in page.text


def test_figures_are_entered_side_by_side(admin_client):
    page = admin_client.get(url(Exchange, "add"))
    row = page.text.split('class="form-row field-returned field-returned_precision')[1]
    assert 'name="returned"' in row.split("form-row")[0]
    assert 'name="returned_precision"' in row.split("form-row")[0]


# Partners and keys --------------------------------------------------------------


def test_a_new_key_is_shown_once_and_stored_hashed(admin_client):
    from exchanges.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="Kyiv Independent")
    response = admin_client.post(
        reverse("admin:exchanges_partnerapikey_add"),
        {
            "name": "sync server",
            "partner": str(partner.pk),
            "expiry_date_0": "",
            "expiry_date_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if "is: " in str(m)]
    assert len(shown) == 1 and "you will not be able to see it again" in shown[0]
    key = shown[0].split("is: ")[1].split(". Please")[0]
    stored = PartnerAPIKey.objects.get()
    assert stored.prefix == key.split(".")[0]
    assert key not in stored.hashed_key
    page = admin_client.get(reverse("admin:exchanges_partnerapikey_change", args=[stored.pk]))
    assert key not in page.text
    listing = admin_client.get(reverse("admin:exchanges_partnerapikey_changelist"))
    assert stored.prefix in listing.text and "Kyiv Independent" in listing.text


def test_keys_are_revoked_from_the_admin(admin_client):
    from exchanges.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="Partner")
    record, _key = PartnerAPIKey.objects.create_key(name="old", partner=partner)
    response = admin_client.post(
        reverse("admin:exchanges_partnerapikey_changelist"),
        {"action": "revoke", "_selected_action": [record.pk]},
        follow=True,
    )
    assert "1 keys revoked." in [str(m) for m in response.context["messages"]]
    record.refresh_from_db()
    assert record.revoked
    partner_page = admin_client.get(reverse("admin:exchanges_partner_change", args=[partner.pk]))
    assert record.prefix in partner_page.text


@pytest.mark.parametrize(
    ("exchanges", "returned", "expected"),
    [
        (("13", Precision.OVER), ("2687", Precision.OVER), "exchanges: more than recorded"),
        (("5", Precision.NEARLY), ("600", Precision.NEARLY), "exchanges: 9 to 13 fewer"),
        (("70", Precision.AT_LEAST), ("8000", Precision.AT_LEAST), "people: at least 5,313 more"),
        (("66", Precision.EXACT), ("2700", Precision.NEARLY), "people: cannot be told"),
    ],
)
def test_official_minus_recorded_keeps_honest_bounds(
    admin_client, seed, exchanges, returned, expected
):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    Tally.objects.filter(pk=tally.pk).update(
        exchanges=exchanges[0],
        exchanges_precision=exchanges[1],
        returned=returned[0],
        returned_precision=returned[1],
    )
    page = admin_client.get(url(Tally, "change", tally.pk))
    assert expected in page.text.replace("\xa0", " ")


def test_a_stage_dated_before_its_agreement_is_refused_on_its_field(admin_client, seed):
    stage = Agreement.objects.get(slug="istanbul-2").exchanges.get(stage=1)
    before = stage.date
    response = post_form(
        admin_client,
        url(Exchange, "change", stage.pk),
        date="2025-05-30",
        correction_note="Moved.",
    )
    assert response.status_code == 200
    assert field_errors(response, "date") == [
        f"This is before {stage.agreement} was agreed (2025-06-02): check the date, or the "
        "agreement."
    ]
    stage.refresh_from_db()
    assert stage.date == before
