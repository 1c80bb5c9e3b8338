"""The editorial workflow: roles, transitions, scheduling and what each state shows."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exchanges.models import Agreement, Change, Exchange, Quote, Status, Tally
from exchanges.seed import stable_uuid

from .factories import (
    ExchangeFactory,
    OrganisationFactory,
    PersonFactory,
    QuoteFactory,
    TallyFactory,
)
from .test_boxes import render, visible

pytestmark = pytest.mark.django_db


def staff(django_user_model, role):
    user = django_user_model.objects.create_user(role.lower().replace(" ", "-"), password="x")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def reporter(django_user_model):
    return staff(django_user_model, "Reporter")


@pytest.fixture
def editor(django_user_model):
    return staff(django_user_model, "Editor")


@pytest.fixture
def partner_manager(django_user_model):
    return staff(django_user_model, "Partner manager")


def change_url(record):
    return reverse(f"admin:exchanges_{record._meta.model_name}_change", args=[record.pk])


def press(client, record, transition, **changes):
    """Press a transition button on the record's change form."""
    from .test_admin import form_data, post_confirmed

    page = client.get(change_url(record))
    assert page.status_code == 200
    data = form_data(page)
    data.update(changes, _transition=transition)
    return post_confirmed(client, change_url(record), data)


def act(client, record, action):
    """Run a changelist action on one record, confirming when the admin asks to."""
    url = reverse(f"admin:exchanges_{record._meta.model_name}_changelist")
    data = {"action": action, "_selected_action": [record.pk]}
    response = client.post(url, data, follow=True)
    if "admin/exchanges/confirm_pinned.html" in [t.name for t in response.templates]:
        response = client.post(url, {**data, "confirmed": "yes"}, follow=True)
    return response


def schedule(client, record, later):
    """Publish with an embargo until ``later``, as an editor does on the change form."""
    later = timezone.localtime(later)
    return press(
        client,
        record,
        "publish",
        published_at_0=later.date().isoformat(),
        published_at_1=later.strftime("%H:%M:%S"),
    )


def draft_exchange():
    return ExchangeFactory(date=datetime.date(2025, 9, 1), returned=12, status=Status.DRAFT)


# Roles ---------------------------------------------------------------------------


def test_roles_come_from_a_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Reporter",
        "Editor",
        "Partner manager",
    }
    editor = Group.objects.get(name="Editor")
    assert editor.permissions.filter(codename="publish_exchange").exists()
    assert (
        not Group.objects.get(name="Reporter")
        .permissions.filter(codename__startswith="publish_")
        .exists()
    )
    assert set(
        Group.objects.get(name="Partner manager").permissions.values_list(
            "content_type__model", flat=True
        )
    ) == {"partner", "partnerapikey"}


def test_reporter_creates_a_draft_and_submits_it(seed, reporter):
    user, client = reporter
    from .test_admin import post_form

    response = post_form(
        client,
        reverse("admin:exchanges_exchange_add"),
        date="2025-09-01",
        returned="12",
        returned_precision="exact",
        handed_over_precision="unknown",
        _transition="submit",
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get(date=datetime.date(2025, 9, 1))
    assert exchange.status == Status.REVIEW
    assert exchange.status_changed_by == user
    assert exchange.published_at is None


def test_reporter_cannot_publish_by_button_action_or_forged_form(seed, reporter):
    user, client = reporter
    exchange = draft_exchange()
    assert press(client, exchange, "publish").status_code == 403
    exchange.refresh_from_db()
    assert exchange.status == Status.DRAFT
    act(client, exchange, "publish")
    exchange.refresh_from_db()
    assert exchange.status == Status.DRAFT
    page = client.get(change_url(exchange))
    assert 'value="submit"' in page.text and 'value="publish"' not in page.text
    # published_at is read-only for reporters: a forged value is ignored.
    press(client, exchange, "submit", published_at_0="2025-09-02", published_at_1="10:00")
    exchange.refresh_from_db()
    assert exchange.status == Status.REVIEW and exchange.published_at is None


def test_reporter_cannot_edit_or_delete_published_records(seed, reporter):
    _user, client = reporter
    exchange = Exchange.objects.get(official_number=67)
    assert client.get(change_url(exchange)).status_code == 200  # view only
    response = client.post(change_url(exchange), {"returned": "1"})
    assert response.status_code == 403
    delete = reverse("admin:exchanges_exchange_delete", args=[exchange.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    act(client, exchange, "unpublish")
    exchange.refresh_from_db()
    assert exchange.status == Status.PUBLISHED and exchange.returned == 84


def test_editor_reviews_publishes_unpublishes_and_returns_to_draft(seed, editor, reporter):
    user, client = editor
    exchange = draft_exchange()
    exchange.make("submit", reporter[0])
    exchange.save()
    response = press(client, exchange, "publish")
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == Status.PUBLISHED and exchange.is_public
    assert exchange.status_changed_by == user
    assert abs(exchange.published_at - timezone.now()) < datetime.timedelta(minutes=1)
    response = act(client, exchange, "unpublish")
    assert "Unpublish: 1 moved, 0 left as they were." in [
        str(m) for m in response.context["messages"]
    ]
    exchange.refresh_from_db()
    assert exchange.status == Status.UNPUBLISHED
    act(client, exchange, "return_to_draft")
    exchange.refresh_from_db()
    assert exchange.status == Status.DRAFT


def test_a_move_that_does_not_fit_the_state_is_refused_with_a_message(seed, editor):
    _user, client = editor
    exchange = Exchange.objects.get(official_number=67)
    response = act(client, exchange, "submit_for_review")
    assert "Submit for review: 0 moved, 1 left as they were." in [
        str(m) for m in response.context["messages"]
    ]
    exchange.refresh_from_db()
    assert exchange.status == Status.PUBLISHED


def test_only_superusers_really_delete(seed, editor, admin_client, settled):
    _user, client = editor
    exchange = Exchange.objects.get(official_number=67)
    delete = reverse("admin:exchanges_exchange_delete", args=[exchange.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Exchange.objects.filter(pk=exchange.pk).exists()
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Exchange.objects.filter(pk=exchange.pk).exists()
    tombstone = Change.objects.get(uuid=exchange.uuid)
    assert tombstone.action == Change.Action.DELETED


def test_partner_manager_manages_keys_only(seed, partner_manager):
    _user, client = partner_manager
    assert client.get(reverse("admin:exchanges_exchange_changelist")).status_code == 403
    assert client.get(reverse("admin:exchanges_tally_add")).status_code == 403
    assert client.get(reverse("admin:exchanges_partnerapikey_add")).status_code == 200
    assert client.get(reverse("admin:exchanges_partner_changelist")).status_code == 200


# Scheduling ----------------------------------------------------------------------


def test_a_scheduled_record_stays_hidden_until_its_time_with_no_job(seed, editor, api, settled):
    _user, client = editor
    exchange = draft_exchange()
    schedule(client, exchange, timezone.now() + datetime.timedelta(days=2))
    exchange.refresh_from_db()
    assert exchange.status == Status.PUBLISHED and exchange.is_scheduled
    assert api.get(f"/api/v1/exchanges/{exchange.uuid}/").status_code == 404
    listing = client.get(
        reverse("admin:exchanges_exchange_changelist"), {"publication": "scheduled"}
    )
    assert listing.context["cl"].result_count == 1
    assert "scheduled for" in listing.text
    # Time passes: nothing runs, the query simply lets it through.
    Exchange.objects.filter(pk=exchange.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    Change.objects.filter(uuid=exchange.uuid).update(
        at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert api.get(f"/api/v1/exchanges/{exchange.uuid}/").status_code == 200
    changes = api.get("/api/v1/changes/", {"page_size": 200}).json()["results"]
    assert [c["action"] for c in changes if c["uuid"] == str(exchange.uuid)] == ["created"]


# What each state shows -------------------------------------------------------------


def put_in_state(state):
    """An exchange, a tally and a quote, all in one workflow state."""
    istanbul = Agreement.objects.get(slug="istanbul-2")
    created_as = {
        "draft": {"status": Status.DRAFT},
        "review": {"status": Status.REVIEW},
        "scheduled": {"published_at": timezone.now() + datetime.timedelta(days=1)},
    }.get(state, {})
    records = [
        ExchangeFactory(
            date=datetime.date(2025, 9, 1),
            returned=4321,
            agreement=istanbul,
            stage=12,
            **created_as,
        ),
        TallyFactory(as_of=datetime.date(2025, 9, 2), exchanges=70, returned=6543, **created_as),
        QuoteFactory(
            text="Words in a given state.", speaker=Quote.objects.get().speaker, **created_as
        ),
    ]
    for record in records:
        # Withdrawn after partners could see them.
        if state == "unpublished":
            record.make("unpublish", None)
            record.save()
        elif state == "deleted":
            record.delete()
    return records


def outputs(client, api, exchange, quote):
    """What readers and partners get, as text, door by door."""
    embed = client.get(f"/embed/exchange/{exchange.uuid}/")
    oembed = client.get("/oembed/", {"url": f"http://testserver/embed/exchange/{exchange.uuid}/"})
    feeds = "".join(
        api.get(f"/feeds/{kind}.{fmt}").content.decode()
        for kind in ("exchanges", "tallies", "quotes")
        for fmt in ("atom", "rss", "json")
    )
    return {
        "totals box": visible(render('{% factbox "totals" lang="en" %}')),
        "agreement box": visible(render('{% factbox "agreement" "istanbul-2" lang="en" %}')),
        "exchange box": render("{% factbox 'exchange' key %}", key=str(exchange.uuid)),
        "quote box": render("{% factbox 'quote' key %}", key=str(quote.uuid)),
        "timeline box": visible(render('{% factbox "timeline" lang="en" %}')),
        "embed": embed.content.decode() if embed.status_code == 200 else "",
        "oembed": oembed.content.decode() if oembed.status_code == 200 else "",
        "api list": api.get("/api/v1/exchanges/", {"page_size": 200}).content.decode()
        + api.get("/api/v1/tallies/", {"page_size": 200}).content.decode()
        + api.get("/api/v1/quotes/", {"page_size": 200}).content.decode(),
        "api detail": api.get(f"/api/v1/exchanges/{exchange.uuid}/").content.decode(),
        "ninjs": api.get(
            "/api/v1/exchanges/", {"format": "ninjs", "page_size": 200}
        ).content.decode(),
        "feeds": feeds,
    }


SHOWN = {
    "totals box": "6,543",
    "agreement box": "1 September 2025",
    "exchange box": "4,321",
    "quote box": "Words in a given state.",
    "timeline box": "1 September 2025",
    "embed": "4,321",
    "oembed": "http://testserver/embed/exchange/",
    "api list": "Words in a given state.",
    "api detail": "4321",
    "ninjs": "?format=ninjs&lang=",
    "feeds": "Words in a given state.",
}


@pytest.mark.parametrize(
    "state", ["draft", "review", "scheduled", "published", "unpublished", "deleted"]
)
def test_each_state_shows_in_every_door_only_when_published(seed, client, api, settled, state):
    exchange, tally, quote = put_in_state(state)
    seen = outputs(client, api, exchange, quote)
    for door, marker in SHOWN.items():
        text = seen[door]
        shown = marker in text and (door != "ninjs" or f"/exchanges/{exchange.uuid}/" in text)
        assert shown == (state == "published"), (state, door)
    changes = api.get("/api/v1/changes/", {"page_size": 200}).json()["results"]
    ours = {c["uuid"]: c["action"] for c in changes}
    # Partners hear of a record once it was public, and of its withdrawal; never of drafts.
    expected = {"published": "created", "unpublished": "unpublished", "deleted": "deleted"}
    for record in (exchange, tally, quote):
        assert ours.get(str(record.uuid)) == expected.get(state), (state, record)


@pytest.mark.parametrize("state", ["unpublished", "deleted"])
def test_withdrawing_a_published_record_leaves_a_tombstone(seed, api, settled, state):
    exchange = ExchangeFactory(date=datetime.date(2025, 9, 1), returned=4321)
    if state == "unpublished":
        exchange.make("unpublish", None)
        exchange.save()
    else:
        exchange.delete()
    changes = api.get("/api/v1/changes/", {"page_size": 200}).json()["results"]
    tombstone = next(c for c in changes if c["uuid"] == str(exchange.uuid))
    assert tombstone["action"] == state
    assert "data" not in tombstone
    assert api.get(f"/api/v1/exchanges/{exchange.uuid}/").status_code == 404


def test_seed_is_published_on_its_own_dates(seed):
    tally = Tally.objects.get(uuid=stable_uuid("tally", "2025-07-28-scheduled"))
    assert timezone.localtime(tally.published_at).strftime("%Y-%m-%d %H:%M") == "2025-07-28 17:46"
    assert Exchange.objects.public(as_of=datetime.date(2025, 7, 28)).count() == 19


# The same rules on every path -------------------------------------------------------


def quote_by_a_draft_speaker():
    return QuoteFactory(status=Status.DRAFT, speaker=PersonFactory(status=Status.DRAFT))


def exchange_without_a_source():
    return ExchangeFactory(
        status=Status.DRAFT, date=datetime.date(2025, 9, 1), source_name_en="", source_url=""
    )


def tally_said_by_nobody():
    return TallyFactory(status=Status.DRAFT, as_of=datetime.date(2025, 9, 2))


def exchange_in_the_future():
    later = timezone.localdate() + datetime.timedelta(days=5)
    return ExchangeFactory(status=Status.DRAFT, date=later)


def person_quoted_in_published_quotes():
    person = PersonFactory(name_en="Quoted Person")
    QuoteFactory(speaker=person)
    return person


def organisation_that_stated_a_tally():
    organisation = OrganisationFactory(name_en="Stating Body")
    TallyFactory(stated_by_organisation=organisation, as_of=datetime.date(2025, 9, 2))
    return organisation


REFUSED = [
    (quote_by_a_draft_speaker, "publish", "readers must see who said it"),
    (exchange_without_a_source, "publish", "Give the source before publishing"),
    (tally_said_by_nobody, "publish", "Choose who stated these figures before publishing"),
    (exchange_in_the_future, "publish", "This date is in the future"),
    (person_quoted_in_published_quotes, "unpublish", "Published statements name Quoted Person"),
    (organisation_that_stated_a_tally, "unpublish", "Published statements name Stating Body"),
]


@pytest.mark.parametrize(("make", "transition", "message"), REFUSED)
@pytest.mark.parametrize("path", ["form", "bulk action"])
def test_bulk_actions_refuse_what_the_form_refuses(seed, editor, make, transition, message, path):
    _user, client = editor
    record = make()
    before = (record.status, record.version)
    if path == "form":
        response = press(client, record, transition)
    else:
        response = act(client, record, transition)
    assert message in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.version) == before
