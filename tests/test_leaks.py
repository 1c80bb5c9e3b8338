"""
Nothing non-public leaks, through any door.

Every text field of every non-public record (draft, in review, scheduled,
unpublished, deleted) carries a marker; public records point at them (a
withdrawn speaker of a published quote, a draft mediator, agreement, outlet,
party, photo credit and role organisation). The raw bytes of every door's
answers, in both languages, live and pinned, must not contain a marker, nor
the UUID of a record that was never public.
"""

import datetime
import re

import pytest
from django.db import models
from django.template import Context, Template
from django.utils import timezone

from exchanges.models import (
    Agreement,
    Exchange,
    Organisation,
    Person,
    Quote,
    QuoteTranslation,
    Role,
    Status,
    Tally,
)

from .factories import (
    AgreementFactory,
    ExchangeFactory,
    OrganisationFactory,
    PersonFactory,
    QuoteFactory,
    QuoteTranslationFactory,
    RoleFactory,
    TallyFactory,
)

pytestmark = pytest.mark.django_db

MARK = "leakmark"
STATES = ["draft", "review", "scheduled", "unpublished", "deleted"]
LANGS = ["en", "uk"]
TODAY = timezone.localdate().isoformat()
PINS = [None, "2025-07-28", TODAY]


def marked(model, state):
    """Every text field of ``model`` set to a marker, and a slug that carries it."""
    values = {}
    for field in model._meta.get_fields():
        if not isinstance(field, models.Field) or not field.editable or field.choices:
            continue
        tag = f"{MARK}-{state}-{model._meta.model_name}-{field.name}"
        if isinstance(field, models.SlugField):
            values[field.name] = tag
        elif isinstance(field, models.URLField):
            values[field.name] = f"https://{MARK}.example/{tag}"
        elif isinstance(field, (models.CharField, models.TextField)):
            values[field.name] = tag[: field.max_length] if field.max_length else tag
    return values


def in_state(state):
    """Fields that put a record in ``state`` (deleted and unpublished ones start published)."""
    if state == "draft":
        return {"status": Status.DRAFT, "published_at": None}
    if state == "review":
        return {"status": Status.REVIEW, "published_at": None}
    if state == "scheduled":
        return {
            "status": Status.PUBLISHED,
            "published_at": timezone.now() + datetime.timedelta(days=3),
        }
    return {}


def withdraw(record, state):
    if state == "unpublished":
        record.make("unpublish", None)
        record.save()
    elif state == "deleted":
        record.delete()


def hidden_world(state):
    """Non-public records of every kind, in ``state``, and public records that point at them."""
    hide = in_state(state)
    organisation = OrganisationFactory(**marked(Organisation, state), **hide)
    person = PersonFactory(**marked(Person, state), **hide)
    agreement = AgreementFactory(**marked(Agreement, state), **hide)
    agreement.parties.add(organisation)
    exchange = ExchangeFactory(
        **marked(Exchange, state), agreement=agreement, date=datetime.date(2025, 7, 1), **hide
    )
    exchange.mediators.add(organisation)
    tally = TallyFactory(
        **marked(Tally, state),
        stated_by_organisation=organisation,
        as_of=datetime.date(2025, 7, 20),
        **hide,
    )
    quote = QuoteFactory(**marked(Quote, state), speaker=person, **hide)
    QuoteTranslationFactory(quote=quote, **marked(QuoteTranslation, state))
    hidden = [quote, tally, exchange, agreement, person, organisation]
    if state == "deleted":
        for record in hidden:
            record.delete()
        return hidden, []

    # Public records that point at them. A statement published while its speaker
    # was public keeps its frozen attribution: the name must still not show.
    outlet = OrganisationFactory(name_en="Public outlet")
    speaker = PersonFactory(name_en=f"{MARK} speaker {state}", slug=f"{MARK}-speaker-{state}")
    said = QuoteFactory(
        text="Public words of a speaker withdrawn later.",
        speaker=speaker,
        outlet=organisation,
        exchange=exchange,
        agreement=agreement,
        tally=tally,
    )
    said.freeze_attribution()
    Person.objects.filter(pk=speaker.pk).update(**hide or {"status": Status.UNPUBLISHED})
    public = [
        said,
        QuoteFactory(
            text="Public words of a hidden organisation.",
            speaker=None,
            speaker_organisation=organisation,
            outlet=outlet,
        ),
        TallyFactory(
            stated_by_organisation=organisation,
            outlet=organisation,
            agreement=agreement,
            scope=Tally.Scope.AGREEMENT,
            as_of=datetime.date(2025, 7, 25),
        ),
    ]
    open_exchange = ExchangeFactory(
        date=datetime.date(2025, 7, 2), agreement=agreement, returned=4321
    )
    open_exchange.mediators.add(organisation)
    public.append(open_exchange)
    open_agreement = AgreementFactory(title_en="Public talks", slug="public-talks")
    open_agreement.parties.add(organisation)
    stage = ExchangeFactory(
        **marked(Exchange, f"{state}-stage"),
        agreement=open_agreement,
        date=datetime.date(2025, 7, 3),
        **hide,
    )
    hidden.append(stage)
    public.append(open_agreement)
    credited = PersonFactory(name_en="Public person", photo_credit=organisation)
    RoleFactory(person=credited, organisation=organisation, title_en="public role")
    public.append(credited)
    for record in hidden:
        withdraw(record, state)
    return hidden, public


def render(source, **context):
    return Template("{% load exchanges %}" + source).render(Context(context))


def box_doors(client, boxes):
    """Every box by tag and embed, with its oEmbed, both languages, live and pinned."""
    for kind, key in boxes:
        for lang in LANGS:
            for as_of in PINS:
                args = f' lang="{lang}"' + (f' as_of="{as_of}"' if as_of else "")
                keyed = f' "{key}"' if key else ""
                yield (
                    f"tag {kind} {key} {lang} {as_of}",
                    render(f'{{% factbox "{kind}"{keyed}{args} %}}').encode(),
                )
                path = f"/embed/{kind}/" + (f"{key}/" if key else "")
                query = {"lang": lang, **({"as_of": as_of} if as_of else {})}
                yield f"embed {path} {query}", client.get(path, query).content
                url = (
                    "http://testserver"
                    + path
                    + "?"
                    + "&".join(f"{k}={v}" for k, v in query.items())
                )
                yield f"oembed {url}", client.get("/oembed/", {"url": url}).content


def partner_doors(api, records):
    for path in ["exchanges", "agreements", "tallies", "quotes", "people", "organisations"]:
        for lang in LANGS:
            for format in ("json", "ninjs"):
                response = api.get(
                    f"/api/v1/{path}/", {"page_size": 200, "format": format, "lang": lang}
                )
                yield f"api {path} {format} {lang}", response.content
    for record in records:
        path = {
            "exchange": "exchanges",
            "agreement": "agreements",
            "tally": "tallies",
            "quote": "quotes",
            "person": "people",
            "organisation": "organisations",
        }[record._meta.model_name]
        for format in ("json", "ninjs"):
            for lang in LANGS:
                response = api.get(
                    f"/api/v1/{path}/{record.uuid}/", {"format": format, "lang": lang}
                )
                yield f"api {path} {record.uuid} {format} {lang}", response.content
    for lang in LANGS:
        for as_of in PINS:
            query = {"lang": lang, **({"as_of": as_of} if as_of else {})}
            yield f"summary {query}", api.get("/api/v1/summary/", query).content
        for kind in ("exchanges", "tallies", "quotes"):
            for format in ("atom", "rss", "json"):
                yield (
                    f"feed {kind}.{format} {lang}",
                    api.get(f"/feeds/{kind}.{format}", {"lang": lang}).content,
                )
    page = api.get("/api/v1/changes/", {"page_size": 200}).json()
    yield "changes", api.get("/api/v1/changes/", {"page_size": 200}).content
    assert not page["has_more"]


def site_doors(client):
    home = client.get("/")
    yield "home", home.content
    for slug in sorted(set(re.findall(rb'href="/articles/([\w-]+)/"', home.content))):
        yield f"article {slug}", client.get(f"/articles/{slug.decode()}/").content


@pytest.mark.parametrize("state", STATES)
def test_no_door_shows_anything_of_a_record_that_is_not_public(seed, client, api, settled, state):
    hidden, public = hidden_world(state)
    never_public = (
        [str(r.uuid) for r in hidden] if state in ("draft", "review", "scheduled") else []
    )
    boxes = [("totals", None), ("timeline", None)]
    boxes += [("agreement", a.slug) for a in [*hidden, *public] if isinstance(a, Agreement)]
    boxes += [
        (r._meta.model_name, r.uuid) for r in [*hidden, *public] if isinstance(r, (Exchange, Quote))
    ]
    doors = [
        *box_doors(client, boxes),
        *partner_doors(api, [*hidden, *public]),
        *site_doors(client),
    ]
    assert len(doors) > 150
    leaks = []
    for door, body in doors:
        text = body.decode("utf-8").lower()
        if MARK in text:
            at = text.index(MARK)
            leaks.append(f"{door}: …{text[max(0, at - 120) : at + 60]}…")
        leaks += [f"{door}: UUID {uuid}" for uuid in never_public if uuid in text]
    assert not leaks, "\n".join(leaks[:20])
    # What is public still shows: the test would notice a door that shows nothing.
    if public:
        shown = b"".join(body for _door, body in doors).decode()
        for words in ["Public words of a hidden organisation.", "Public talks", "4,321"]:
            assert words in shown
    # The roles of a public person stay, without the hidden organisation.
    if public:
        assert Role.objects.filter(title_en="public role").exists()
