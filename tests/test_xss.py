"""
What editors type never becomes markup or a script, and only http(s) links go out.

An XSS corpus sits in every editable text field of every public kind, in both
languages, and (written past the validator, as data stored before it would
be) in every link. All of it is published, then read through every output: the
template tag, shortcodes, embeds (direct and framed through oEmbed), oEmbed
JSON, JSON-LD, the API, ninjs, the feeds (parsed by feedparser with its
sanitiser off, then shown as a feed reader shows them) and the admin. Pages go
through Debian's Chromium with ``alert`` and ``__xss`` hooked.

The records and every output are built once for the module, in a transaction
rolled back at its end.
"""

import datetime
import functools
import html
import json
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import feedparser
import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from exchanges.caching import local
from exchanges.figures import Precision
from exchanges.models import (
    Agreement,
    Category,
    Correction,
    Exchange,
    Organisation,
    Partner,
    PartnerAPIKey,
    Person,
    Quote,
    QuoteTranslation,
    Role,
    Status,
    Tally,
)
from exchanges.validators import public_url, validate_web_link

# Each payload calls a marker (``__xss(n)`` or ``alert(n)``) and, where it has a
# tag, carries an ``xss`` attribute, so any element of a payload that turns up
# in a page is found by its attribute.
PAYLOADS = [
    "<script xss>__xss(1)</script>",
    "<img xss src=x onerror=__xss(2)>",
    "<svg xss onload=__xss(3)>",
    "<svg><script xss>alert(4)</script></svg>",
    '"><script xss>__xss(5)</script>',
    "'><img xss src=x onerror=alert(6)>",
    "</script><script xss>__xss(7)</script>",
    "</title><script xss>__xss(8)</script>",
    "</textarea><img xss src=x onerror=__xss(9)>",
    '<iframe xss src="javascript:alert(10)"></iframe>',
    '<a xss href="javascript:__xss(11)">read more</a>',
    "javascript:__xss(12)",
    "JaVaScRiPt:alert(13)",
    "java\tscript:__xss(14)",
    "&#106;avascript:__xss(15)",
    "data:text/html,<script xss>__xss(16)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=",
    "vbscript:MsgBox(18)",
    "<body xss onload=__xss(19)>",
    "<details xss open ontoggle=__xss(20)>",
    "<input xss autofocus onfocus=__xss(21)>",
    "<math><mtext><table><mglyph><style><img xss src=x onerror=alert(22)>",
    "]]><script xss>__xss(23)</script><![CDATA[",
    "&lt;script xss&gt;__xss(24)&lt;/script&gt;",
    "&amp;lt;img xss src=x onerror=__xss(25)&amp;gt;",
    "{{ 7|add:42 }}{% csrf_token %}<b xss>__xss(26)</b>",
    "[factbox totals]<img xss src=x onerror=__xss(27)>",
    "<scr<script xss>ipt>__xss(28)</scr</script>ipt>",
    "\u202e<img xss src=x onerror=__xss(29)>",
    "\uff1cscript\uff1e__xss(30)\uff1c/script\uff1e",
    '<object xss data="javascript:__xss(31)"></object>',
    '<embed xss src="data:text/html,<script>alert(32)</script>">',
    '<style xss>@import "javascript:alert(33)";</style>',
    '<base xss href="javascript:__xss(34)//">',
    '<form xss action="javascript:__xss(35)"><button>Go',
    '<meta xss http-equiv="refresh" content="0;url=javascript:alert(36)">',
    "`-alert(37)-`${__xss(37)}",
    '<img xss src=x onerror="&#95;&#95;xss(38)">',
    "\u2028</script>\u2029<script xss>__xss(39)</script>",
    '<noscript><p title="</noscript><img xss src=x onerror=__xss(40)>">',
    '<svg><a xss xlink:href="javascript:__xss(41)"><text>x</text></a></svg>',
    "<x xss onpointerover=__xss(42) style=position:fixed;inset:0>",
    "java\u200bscript:__xss(43)",
    "\x0b<script xss>__xss(44)</script>",
    '<a xss href="&#x6A;avascript:__xss(45)">x</a>',
    "<!--<img xss src=x onerror=__xss(46)>-->",
    "--><img xss src=x onerror=__xss(47)>",
    "[factbox totals lang=uk]",
]
SHORTCODE = PAYLOADS[-1]
GROUP = 8
GROUPS = [PAYLOADS[i : i + GROUP] for i in range(0, len(PAYLOADS), GROUP)]

# Links as they may sit in the database from before the validator.
BAD_LINKS = [
    "javascript:__xss(101)",
    "JAVASCRIPT:alert(102)",
    " javascript:__xss(103)",
    "java\tscript:__xss(104)",
    "\x01javascript:__xss(105)",
    "data:text/html,<script xss>alert(106)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMDcpPC9zY3JpcHQ+",
    "vbscript:MsgBox(108)",
    "//evil.example/steal",
    "https:javascript:__xss(109)",
    "&#106;avascript:__xss(110)",
    "javascript&colon;__xss(111)",
    "\u2028javascript:__xss(112)",
    "https://example.org/ onmouseover=__xss(113)",
    "http://example.org/\u202e<img xss src=x onerror=__xss(114)>",
]
# http(s), but made to leave an attribute: stored before the validator, they are
# still links, escaped wherever they are written.
BREAKOUT_LINKS = [
    'https://example.org/"><script>__xss(120)</script>',
    "https://example.org/'onmouseover='__xss(121)'",
    "https://example.org/`onmouseover=__xss(122)",
]
GOOD_LINKS = ["https://example.org/source?lang=uk&page=2#part", "http://example.org/"]
LINKS = BAD_LINKS + BREAKOUT_LINKS + GOOD_LINKS

MARKER = re.compile(r"__xss|alert\s*[(`]|msgbox", re.IGNORECASE)
DANGEROUS = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "cite",
    "poster",
    "background",
    "xlink:href",
    "ping",
}
# Keys whose values are addresses, in every JSON we send.
URL_KEYS = {
    "url",
    "uri",
    "website",
    "isBasedOn",
    "next",
    "previous",
    "home_page_url",
    "feed_url",
    "provider_url",
    "sameAs",
}
# Characters XML 1.0 cannot carry: the feeds leave them out.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SITE = "http://testserver"
FEEDS = [(kind, fmt) for kind in ("exchanges", "tallies", "quotes") for fmt in ("atom", "rss")]


def dangerous(url):
    """Whether a browser would follow ``url`` (as parsed) into a script or an inline document."""
    url = re.sub(r"[\t\n\r]", "", url or "").lstrip("".join(map(chr, range(33))))
    return url.lower().startswith(DANGEROUS)


def fitted(parts, limit):
    """As many of ``parts`` as fit in ``limit`` characters, space-separated."""
    text = ""
    for part in parts:
        joined = f"{text} {part}" if text else part
        if len(joined) <= limit:
            text = joined
    return text


class Texts:
    """A group's payloads for one field after another, each field starting at the next one."""

    def __init__(self, payloads):
        self.payloads, self.turn = payloads, 0

    def line(self, limit):
        self.turn += 1
        start = self.turn % len(self.payloads)
        return fitted(self.payloads[start:] + self.payloads[:start], limit)

    def both(self, field, limit):
        return {f"{field}_en": self.line(limit), f"{field}_uk": self.line(limit)}


ALL = "\n".join(PAYLOADS)


def translated_all(field):
    return {f"{field}_en": ALL, f"{field}_uk": ALL}


def published(day):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return {"status": Status.PUBLISHED, "published_at": moment}


def build_group(index, payloads):
    """One record of each kind, every text field full of this group's payloads."""
    texts = Texts(payloads)
    day = datetime.date(2024, 1, 1) + datetime.timedelta(days=10 * index)
    on = published(day)
    category = Category.objects.create(slug=f"xss-{index}", **texts.both("name", 120))
    organisations = [
        Organisation.objects.create(
            slug=f"xss-{index}-{n}",
            name_en=payload,
            name_uk=payload,
            **texts.both("short_name", 60),
            kind=Organisation.Kind.OTHER,
            url=GOOD_LINKS[0],
            **on,
        )
        for n, payload in enumerate(payloads)
    ]
    person = Person.objects.create(
        slug=f"xss-{index}",
        **texts.both("name", 200),
        **texts.both("rank", 60),
        photo_credit=organisations[0],
        **on,
    )
    roles = [
        Role.objects.create(person=person, organisation=organisation, **texts.both("title", 250))
        for organisation in organisations[:2]
    ]
    source = {**texts.both("source_name", 200), "source_url": GOOD_LINKS[0]}
    agreement = Agreement.objects.create(
        slug=f"xss-{index}",
        round_number=index + 1,
        concluded_on=day,
        counts_toward_tally=False,
        **texts.both("title", 200),
        **texts.both("venue", 200),
        **texts.both("terms", 300),
        **translated_all("notes"),
        **source,
        **on,
    )
    agreement.parties.set(organisations)
    agreement.categories.set([category])
    exchange = Exchange.objects.create(
        date=day + datetime.timedelta(days=1),
        agreement=agreement,
        stage=1,
        returned=10 + index,
        returned_precision=Precision.EXACT,
        counts_toward_tally=index % 2 == 0,
        **translated_all("notes"),
        **source,
        **on,
    )
    exchange.mediators.set(organisations)
    exchange.categories.set([category])
    tally = Tally.objects.create(
        scope=Tally.Scope.AGREEMENT,
        agreement=agreement,
        as_of=day + datetime.timedelta(days=2),
        exchanges=1,
        exchanges_precision=Precision.EXACT,
        returned=10 + index,
        returned_precision=Precision.OVER,
        stated_by=person,
        outlet=organisations[2],
        **texts.both("context", 200),
        **translated_all("notes"),
        **source,
        **on,
    )
    tally.stated_by_roles.set(roles)
    tally.freeze_attribution()
    language = Quote.Language.ENGLISH if index % 2 == 0 else Quote.Language.UKRAINIAN
    by_organisation = index % 3 == 2
    quote = Quote.objects.create(
        text=ALL,
        language=language,
        speaker=None if by_organisation else person,
        speaker_organisation=organisations[3] if by_organisation else None,
        outlet=organisations[4],
        said_on=day + datetime.timedelta(days=3),
        exchange=exchange,
        agreement=agreement,
        tally=tally,
        **texts.both("context", 200),
        # A link with no name is named by its site.
        **(source if index % 2 == 0 else {"source_url": GOOD_LINKS[0]}),
        **on,
    )
    if not by_organisation:
        quote.roles.set(roles)
    quote.freeze_attribution()
    QuoteTranslation.objects.create(
        quote=quote,
        language="uk" if language == "en" else "en",
        text=ALL,
        translator=texts.line(200),
    )
    for record in (agreement, exchange, tally, quote):
        Correction.objects.create(record=record, fields=["returned"], **translated_all("note"))
    return {
        "category": category,
        "organisations": organisations,
        "person": person,
        "agreement": agreement,
        "exchange": exchange,
        "tally": tally,
        "quote": quote,
    }


KINDS_WITH_SOURCE = ("agreement", "exchange", "tally", "quote")


def build_records():
    """Every group, the latest scheduled tally, and a link of ``LINKS`` in each link field."""
    groups = [build_group(index, payloads) for index, payloads in enumerate(GROUPS)]
    speaker = groups[1]["organisations"][0]
    scheduled = Tally.objects.create(
        scope=Tally.Scope.SCHEDULED,
        as_of=datetime.date(2025, 1, 1),
        counted_since=datetime.date(2022, 2, 24),
        exchanges=66,
        exchanges_precision=Precision.EXACT,
        returned=5857,
        returned_precision=Precision.EXACT,
        stated_by_organisation=speaker,
        context_en=fitted(PAYLOADS, 200),
        context_uk=fitted(PAYLOADS[::-1], 200),
        **translated_all("notes"),
        source_name_en=fitted(PAYLOADS[6:], 200),
        source_url=GOOD_LINKS[1],
        **published(datetime.date(2025, 1, 1)),
    )
    scheduled.freeze_attribution()
    Correction.objects.create(record=scheduled, fields=["returned"], **translated_all("note"))
    # Every link, the bad ones written past the validator with update().
    slots = [
        (type(group[kind]), group[kind].pk, "source_url")
        for group in groups
        for kind in KINDS_WITH_SOURCE
    ]
    slots += [
        (Organisation, organisation.pk, "url")
        for group in groups
        for organisation in group["organisations"]
    ]
    for n, (model, pk, field) in enumerate(slots):
        model.objects.filter(pk=pk).update(**{field: LINKS[n % len(LINKS)]})
    return groups


# Reading the outputs ----------------------------------------------------------------


class Page(HTMLParser):
    """What a parser builds of some HTML: live payload markup, links, scripts and text."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.live, self.links, self.scripts, self.text = [], [], [], []
        self.script = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "xss" or name.startswith("on") or name == "srcdoc":
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES:
                self.links.append(value or "")
        if tag in ("script", "style"):
            self.script = (tag, dict(attrs).get("type") or "", [])

    def handle_endtag(self, tag):
        if self.script and tag == self.script[0]:
            tag, kind, parts = self.script
            body = "".join(parts)
            self.scripts.append((kind, body))
            if tag == "script" and kind != "application/ld+json" and MARKER.search(body):
                self.live.append(f"<script>{body[:60]}")
            self.script = None

    def handle_data(self, data):
        (self.script[2] if self.script else self.text).append(data)

    @property
    def words(self):
        return "".join(self.text)

    def jsonld(self):
        return [body for kind, body in self.scripts if kind == "application/ld+json"]


def assert_inert(markup, where):
    """No element or attribute of a payload, and no script link, in some HTML."""
    page = Page(markup)
    assert not page.live, (where, page.live)
    assert not [link for link in page.links if dangerous(link)], where
    for body in page.jsonld():
        # Nothing an editor typed can close the block or open a comment in it.
        assert "</" not in body and "<!--" not in body, where
        check_json(json.loads(body), where)
    return page


def check_json(data, where, key=None):
    """Every address in some JSON is http(s) (or null); nothing else is dangerous."""
    if isinstance(data, dict):
        for name, value in data.items():
            check_json(value, where, name)
    elif isinstance(data, list):
        for value in data:
            check_json(value, where, key)
    elif key in URL_KEYS and data is not None:
        assert public_url(data) == data, (where, key, data)
        assert not dangerous(data), (where, key, data)


def json_strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from json_strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from json_strings(value)


def box_paths(groups):
    """Every embed of the corpus: (kind, key) of each box."""
    paths = [("totals", None), ("timeline", None)]
    for group in groups:
        paths += [
            ("agreement", group["agreement"].slug),
            ("exchange", str(group["exchange"].uuid)),
            ("quote", str(group["quote"].uuid)),
        ]
    return paths


def embed_url(kind, key, lang):
    path = f"/embed/{kind}/{key}/" if key else f"/embed/{kind}/"
    return f"{SITE}{path}?lang={lang}"


def render(source, **context):
    return Template("{% load exchanges %}" + source).render(Context(context))


def all_pages(client, path, **params):
    items, response = [], client.get(path, {"page_size": 200, **params})
    while True:
        assert response.status_code == 200, (path, response.content[:500])
        body = response.json()
        items.append(body)
        if not body.get("next"):
            return items
        response = client.get(body["next"])


def collect(groups):
    """Every output of the corpus, fetched as the outside world fetches it."""
    partner = Partner.objects.create(name="XSS partner")
    _key, secret = PartnerAPIKey.objects.create_key(name="xss", partner=partner)
    reader = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    anonymous = Client()
    out = {"tag": {}, "shortcode": {}, "embed": {}, "oembed": {}, "api": {}, "feed": {}}
    paths = box_paths(groups)
    for lang in ("en", "uk"):
        out["tag"][lang] = [
            render("{% factbox kind key lang=lang %}", kind=kind, key=key, lang=lang)
            for kind, key in paths
        ]
        # An article around three boxes, its text the payloads (but a shortcode of their own).
        text = [payload for payload in PAYLOADS if payload != SHORTCODE]
        boxes = [f"[factbox {kind}={key} lang={lang}]" for kind, key in paths[2:5]]
        body = "\n".join([*text, *boxes])
        out["shortcode"][lang] = render("{{ body|factboxes }}", body=body)
        for kind, key in paths:
            url = embed_url(kind, key, lang)
            response = anonymous.get(url.removeprefix(SITE))
            assert response.status_code == 200, url
            out["embed"][url] = response
            query = urlencode({"url": url, "format": "json"})
            oembed = anonymous.get(f"/oembed/?{query}")
            assert oembed.status_code == 200, url
            out["oembed"][url] = oembed.json()
    with override_settings(EXCHANGES_CHANGES_SETTLE_SECONDS=0):
        for plural in ("exchanges", "agreements", "tallies", "quotes", "people", "organisations"):
            path = f"/api/v1/{plural}/"
            out["api"][path] = all_pages(reader, path)
            for lang in ("en", "uk"):
                out["api"][f"{path} ninjs {lang}"] = all_pages(
                    reader, path, format="ninjs", lang=lang
                )
        for lang in ("en", "uk"):
            out["api"][f"summary {lang}"] = [reader.get("/api/v1/summary/", {"lang": lang}).json()]
        out["api"]["changes"] = all_pages(reader, "/api/v1/changes/")
        out["api"]["changes ninjs"] = all_pages(reader, "/api/v1/changes/", format="ninjs")
    for kind, fmt in [*FEEDS, ("exchanges", "json"), ("tallies", "json"), ("quotes", "json")]:
        for lang in ("en", "uk"):
            response = reader.get(f"/feeds/{kind}.{fmt}", {"lang": lang})
            assert response.status_code == 200, (kind, fmt, lang, response.content[:300])
            out["feed"][(kind, fmt, lang)] = response.content
    return out


def collect_admin(groups):
    """The admin's lists and forms of the corpus, as an editor sees them."""
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("xss-editor", "xss@example.org", "x")
    client = Client()
    client.force_login(editor)
    group = groups[0]
    records = [
        group["agreement"],
        group["exchange"],
        group["tally"],
        group["quote"],
        group["person"],
        group["organisations"][0],
    ]
    paths = []
    for record in records:
        name = f"admin:exchanges_{record._meta.model_name}"
        paths += [reverse(f"{name}_changelist"), reverse(f"{name}_change", args=[record.pk])]
    # The form of a record whose link, stored before the validator, breaks out.
    for model in (Agreement, Exchange, Tally, Quote, Organisation):
        field = "url" if model is Organisation else "source_url"
        found = model.objects.filter(**{f"{field}__in": BREAKOUT_LINKS}).first()
        if found is not None:
            paths.append(
                reverse(f"admin:exchanges_{model._meta.model_name}_change", args=[found.pk])
            )
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[SITE + path] = response
    assert len(pages) >= len(records) * 2 + 3
    return pages


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """
    The corpus published, and every output of it; all rolled back after the module.

    The browser's tests take no database: while Playwright's event loop runs,
    Django would open another connection, outside this transaction.
    """
    # pytest-django makes the test database only when a selected test asks for
    # ``db``; a run of the browser tests alone would otherwise write to the real one.
    name = str(connection.settings_dict["NAME"])
    if not (name.startswith("test_") or "memorydb" in name):
        pytest.fail("No test database: select a database test of this module too (-k ... or link).")
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        local.clear()
        groups = build_records()
        outputs = collect(groups)
        outputs["admin"] = collect_admin(groups)
        yield {"groups": groups, **outputs}
        transaction.set_rollback(True)
    cache.clear()


# Write paths: only web links are saved ---------------------------------------------


@pytest.mark.parametrize(
    "link",
    [*BAD_LINKS, *BREAKOUT_LINKS, "ftp://example.org/file", "https://", "https://exa mple.org/"],
)
def test_a_link_that_is_not_a_plain_web_address_is_refused(link):
    with pytest.raises(ValidationError) as refused:
        validate_web_link(link)
    assert "starts with http:// or https://" in refused.value.messages[0]


@pytest.mark.parametrize(
    "link",
    [*GOOD_LINKS, "HTTPS://EXAMPLE.ORG/", "https://uk.wikipedia.org/wiki/Україна"],
)
def test_a_plain_web_address_is_saved_and_linked(link):
    validate_web_link(link)
    assert public_url(link) == link


def test_outputs_link_only_to_web_addresses():
    assert [link for link in BAD_LINKS if public_url(link)] == []
    assert public_url(None) is None and public_url("") is None
    # Stored before the validator, these are still http(s): escaped where they are written.
    assert [public_url(link) for link in BREAKOUT_LINKS] == BREAKOUT_LINKS


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Organisation, "url"),
        (Agreement, "source_url"),
        (Exchange, "source_url"),
        (Tally, "source_url"),
        (Quote, "source_url"),
    ],
)
def test_every_link_field_checks_its_links(model, field):
    for link in ["javascript:alert(1)", BREAKOUT_LINKS[0], "ftp://example.org/"]:
        with pytest.raises(ValidationError) as refused:
            model._meta.get_field(field).clean(link, model())
        assert any("http:// or https://" in message for message in refused.value.messages)
    assert model._meta.get_field(field).clean(GOOD_LINKS[0], model()) == GOOD_LINKS[0]


def admin_form(response):
    """The POST body of an admin form as rendered (no inlines, no multi-widgets)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, (list, tuple)):
            data[form.add_prefix(name)] = [str(item) for item in value]
        elif value not in (None, False):
            data[form.add_prefix(name)] = str(value)
    return data


@pytest.mark.parametrize("link", [BREAKOUT_LINKS[0], "javascript:alert(1)", "ftp://example.org/"])
@pytest.mark.django_db
def test_the_admin_says_why_a_link_is_refused(admin_client, link):
    address = reverse("admin:exchanges_organisation_add")
    data = admin_form(admin_client.get(address))
    data.update(name_en="Ombudsman", slug="ombudsman", kind="government", url=link)
    response = admin_client.post(address, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["url"]
    assert errors and any("URL" in error or "http://" in error for error in errors)
    assert not Organisation.objects.filter(slug="ombudsman").exists()
    if link == BREAKOUT_LINKS[0]:
        # Django's URL check lets it through; ours says what is wrong with it.
        assert "quotes, angle brackets" in response.text
    data["url"] = GOOD_LINKS[0]
    assert admin_client.post(address, data).status_code == 302
    assert Organisation.objects.get(slug="ombudsman").url == GOOD_LINKS[0]


@pytest.mark.django_db
def test_the_seed_checks_its_links(monkeypatch):
    from exchanges import seed

    bad = [(*row[:-1], "javascript:alert(1)") for row in seed.ORGANISATIONS]
    monkeypatch.setattr(seed, "ORGANISATIONS", bad)
    with pytest.raises(ValidationError) as refused:
        seed.load_seed()
    assert "url" in refused.value.message_dict
    assert not Organisation.objects.filter(slug="ukrainska-pravda").exists()


# Every output: text stays text, links stay web links ---------------------------------


def test_boxes_and_shortcodes_show_payloads_as_text(corpus):
    for lang in ("en", "uk"):
        for markup in corpus["tag"][lang]:
            page = assert_inert(markup, f"tag {lang}")
            assert markup.count('<aside class="xb') == 1
        # The exchange and quote boxes show every payload, as typed: escaped once.
        for markup in corpus["tag"][lang][3::3] + corpus["tag"][lang][4::3]:
            words = Page(markup).words
            missing = [p for p in PAYLOADS if p not in words]
            assert not missing, (lang, missing)
        shortcodes = corpus["shortcode"][lang]
        page = assert_inert(shortcodes, f"shortcodes {lang}")
        # Three shortcodes, three boxes: no shortcode typed by an editor is expanded.
        assert shortcodes.count('<aside class="xb') == 3
        assert all(p.strip() in page.words for p in PAYLOADS if p != SHORTCODE)
    # Template syntax is text too.
    assert any("{{ 7|add:42 }}{% csrf_token %}" in markup for markup in corpus["tag"]["en"])


@pytest.mark.django_db
def test_json_ld_holds_the_payloads_and_cannot_be_closed(corpus):
    found = []
    for lang in ("en", "uk"):
        for markup in corpus["tag"][lang]:
            for body in Page(markup).jsonld():
                assert "</" not in body and "<!--" not in body
                data = json.loads(body)
                check_json(data, "JSON-LD")
                found += list(json_strings(data))
    text = "\n".join(found)
    assert all(payload in text for payload in PAYLOADS)
    assert not any(link in text for link in BAD_LINKS)
    # Each box links its record's source when, and only when, it is a web address.
    linked = []
    for index, group in enumerate(corpus["groups"]):
        for offset, kind, key in ((2, "agreement", "url"), (3, "exchange", "url")):
            markup = corpus["tag"]["en"][3 * index + offset]
            data = json.loads(Page(markup).jsonld()[0])
            stored = type(group[kind]).objects.values_list("source_url", flat=True)
            stored = stored.get(pk=group[kind].pk)
            assert data.get(key) == public_url(stored), (kind, stored)
            linked.append(data.get(key))
    assert set(linked) & set(GOOD_LINKS + BREAKOUT_LINKS)


def test_embeds_and_oembed(corpus):
    titles = set()
    for group in corpus["groups"]:
        titles |= {group["agreement"].title_en, group["agreement"].title_uk}
    for url, response in corpus["embed"].items():
        assert_inert(response.content.decode(), url)
        assert "default-src 'none'" in response["Content-Security-Policy"]
    for url, data in corpus["oembed"].items():
        check_json(data, url)
        snippet = assert_inert(data["html"], url)
        assert [link for link in snippet.links if link.startswith(SITE)], url
        # The title is text for the consumer to escape, as typed.
        if "/embed/agreement/" in url:
            assert data["title"] in titles, url


def test_api_ninjs_summary_and_changes_send_text_and_web_links_only(corpus):
    strings = []
    for path, pages in corpus["api"].items():
        for page in pages:
            check_json(page, path)
            strings += list(json_strings(page))
    text = "\n".join(strings)
    assert all(payload in text for payload in PAYLOADS)
    assert all(link in text for link in GOOD_LINKS + BREAKOUT_LINKS)
    assert not any(link in text for link in BAD_LINKS)
    websites = [
        item["website"]
        for page in corpus["api"]["/api/v1/organisations/"]
        for item in page["results"]
    ]
    assert set(websites) >= {None, *GOOD_LINKS}
    sources = {
        info.get("uri")
        for path, pages in corpus["api"].items()
        if path.endswith(" ninjs uk")
        for page in pages
        for item in page["results"]
        for info in item.get("infoSources", [])
    }
    assert sources - {None} <= set(GOOD_LINKS + BREAKOUT_LINKS)
    assert sources >= set(GOOD_LINKS)


def parsed_feeds(corpus):
    for (kind, fmt, lang), body in corpus["feed"].items():
        if fmt != "json":
            feed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
            assert feed.bozo is False, (kind, fmt, lang, feed.get("bozo_exception"))
            yield kind, fmt, lang, feed


def json_feed(corpus, kind, lang):
    return json.loads(corpus["feed"][(kind, "json", lang)])


def html_text(markup):
    """What a reader sees of some HTML, a line per paragraph."""
    markup = re.sub(r"</p>\s*<p>", "\n", markup)
    return Page(markup).words


def test_feeds_carry_editor_text_as_text(corpus):
    for kind, fmt, lang, feed in parsed_feeds(corpus):
        texts = {
            item["id"]: (item["title"], item["content_text"])
            for item in json_feed(corpus, kind, lang)["items"]
        }
        assert feed.entries
        assert not dangerous(feed.feed.link)
        for entry in feed.entries:
            where = (kind, fmt, lang, entry.id)
            title, content = texts[entry.id]
            # feedparser strips the ends, as readers do.
            title, content = (XML_ILLEGAL.sub("", text).strip() for text in (title, content))
            assert entry.link.startswith(SITE + "/embed/"), where
            assert all(not dangerous(link.href) for link in entry.get("links", [])), where
            if fmt == "atom":
                assert entry.summary_detail.type == "text/plain", where
                assert entry.title_detail.type == "text/plain", where
                assert entry.summary == content, where
                assert entry.title == title, where
            else:
                # RSS readers take the description as HTML: it is ours, escaped.
                assert entry.summary_detail.type == "text/html", where
                assert_inert(entry.summary, where)
                assert html_text(entry.summary) == content, where
                shown = entry.title
                if entry.title_detail.type == "text/html":
                    assert_inert(shown, where)
                    shown = html_text(shown)
                assert shown == title, where
        # Every payload reaches the reader, as typed (but what XML cannot carry).
        shown = [
            entry.summary if fmt == "atom" else html_text(entry.summary) for entry in feed.entries
        ]
        missing = [p for p in PAYLOADS if XML_ILLEGAL.sub("", p) not in "\n".join(shown)]
        assert not missing, (kind, fmt, lang, missing)


def test_json_feeds_use_content_text_only(corpus):
    for kind in ("exchanges", "tallies", "quotes"):
        for lang in ("en", "uk"):
            feed = json_feed(corpus, kind, lang)
            check_json(feed, kind)
            for item in feed["items"]:
                assert "content_html" not in item and "summary" not in item
    items = json_feed(corpus, "quotes", "en")["items"]
    assert all(payload in items[0]["content_text"] for payload in PAYLOADS)


# In a browser -----------------------------------------------------------------------

STATIC = "/static/"

# Run in every frame before its own scripts: the markers report, they do not show.
HOOKS = """
(() => {
  const report = (what) => { try { window.__report(String(what)); } catch (e) {} };
  window.__xss = (n) => report("__xss(" + n + ")");
  window.alert = window.confirm = window.prompt = (n) => report("alert(" + n + ")");
  document.addEventListener("securitypolicyviolation", (event) => {
    if (event.effectiveDirective.startsWith("script-src")) {
      report("blocked script " + event.effectiveDirective + " " + event.blockedURI);
    }
  }, true);
})();
"""

# Live markup of a payload in one frame: its elements (they carry ``xss``),
# handlers, scripts that call a marker, and links into script or data.
SCAN = """
(urls) => {
  const found = [];
  const bad = /^(javascript|data|vbscript):/i;
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name === "xss" || name === "srcdoc" || name.startsWith("on")) {
        found.push("<" + element.localName + " " + name + ">");
      }
      if (urls.includes(name)) {
        const value = attribute.value.replace(/[\\t\\n\\r]/g, "").replace(/^[\\x00-\\x20]+/, "");
        if (bad.test(value)) found.push(name + "=" + attribute.value);
      }
    }
    if (element.localName === "script" && element.type !== "application/ld+json"
        && /__xss|alert\\s*[(`]|msgbox/i.test(element.textContent)) {
      found.push("<script>" + element.textContent.slice(0, 60));
    }
  }
  return found;
}
"""


@functools.cache
def static_file(path):
    """(content, type) of one of the apps' static files, or None."""
    found = finders.find(path)
    if not found:
        return None
    return Path(found).read_bytes(), mimetypes.guess_type(found)[0] or "application/octet-stream"


class Web:
    """
    A few browser tabs over pages we hand them: responses already fetched from
    the app, the app's static files, and pages of our own (a partner's article,
    a feed reader). Nothing reaches a network.
    """

    TABS = 2

    def __init__(self, browser):
        self.pages, self.fired = {}, []
        self.context = browser.new_context(viewport={"width": 1280, "height": 3000})
        self.context.expose_binding("__report", self.report)
        self.context.add_init_script(HOOKS)
        self.context.route("**/*", self.answer)
        self.tabs = [self.context.new_page() for _tab in range(self.TABS)]
        for tab in self.tabs:
            tab.on("dialog", self.dialog)
            tab.on("pageerror", self.error)

    def report(self, source, what):
        self.fired.append(f"{source['frame'].url}: {what}")

    def dialog(self, dialog):
        self.fired.append(f"{dialog.page.url}: dialog {dialog.message}")
        dialog.dismiss()

    def error(self, error):
        if MARKER.search(str(error)):
            self.fired.append(f"error {error}")

    def answer(self, route):
        url = route.request.url.split("#")[0]
        path = urlsplit(url).path
        if url in self.pages:
            body, headers = self.pages[url]
            return route.fulfill(status=200, headers=headers, body=body)
        if url.startswith(SITE + STATIC) and (found := static_file(path.removeprefix(STATIC))):
            return route.fulfill(status=200, body=found[0], content_type=found[1])
        return route.fulfill(status=404, body="", content_type="text/plain")

    def add(self, url, body, content_type="text/html; charset=utf-8", csp=None):
        headers = {"Content-Type": content_type}
        if csp:
            headers["Content-Security-Policy"] = csp
        self.pages[url] = (body.encode() if isinstance(body, str) else body, headers)
        return url

    def add_response(self, url, response):
        csp = response.get("Content-Security-Policy")
        return self.add(url, response.content, response["Content-Type"], csp)

    def visit(self, urls, frames=0):
        """
        Load pages, a few tabs at a time (each with ``frames`` embeds in it); the
        markers that fired and the payload markup live in any of them.
        """
        before, live = len(self.fired), []
        urls = [urls] if isinstance(urls, str) else list(urls)
        for start in range(0, len(urls), self.TABS):
            batch = list(zip(self.tabs, urls[start : start + self.TABS], strict=False))
            for tab, url in batch:
                tab.goto(url, wait_until="commit")
            for tab, _url in batch:
                tab.wait_for_load_state("load")
                if frames:
                    self.embeds_loaded(tab, frames)
                # Pointer handlers get their chance too, and failing images theirs.
                tab.mouse.move(5, 5)
                tab.mouse.move(640, 400)
            batch[-1][0].wait_for_timeout(40)
            for tab, _url in batch:
                for frame in tab.frames:
                    if not frame.is_detached():
                        found = frame.evaluate(SCAN, sorted(URL_ATTRIBUTES))
                        live += [f"{frame.url}: {item}" for item in found]
        return self.fired[before:], live

    @staticmethod
    def embeds_loaded(tab, count):
        """
        Wait for a partner's page to show each of its ``count`` framed boxes.

        The frames load lazily and the resize script grows them to their content,
        so a frame may end up below the loading distance however tall the window:
        each is scrolled to, as a reader would, and waited for in turn.
        """
        tab.wait_for_function(
            "n => document.querySelectorAll('iframe[data-exchanges-embed]').length === n",
            arg=count,
        )
        frames = tab.locator("iframe[data-exchanges-embed]")
        for index in range(count):
            frames.nth(index).scroll_into_view_if_needed()
            frames.nth(index).content_frame.locator("aside.xb").wait_for(state="attached")
        assert len([frame for frame in tab.frames if "/embed/" in frame.url]) == count

    def close(self):
        self.context.close()


@pytest.fixture
def web(browser):
    tab = Web(browser)
    yield tab
    tab.close()


def test_boxes_in_a_page_run_nothing(corpus, web):
    urls = []
    for lang in ("en", "uk"):
        for name, markup in (
            ("boxes", "".join(corpus["tag"][lang])),
            ("article", corpus["shortcode"][lang]),
        ):
            page = f"<!doctype html><html lang={lang}><head><meta charset=utf-8>"
            page += f"<title>Article</title></head><body><main>{markup}</main></body></html>"
            urls.append(web.add(f"{SITE}/articles/{name}-{lang}/", page))
    fired, live = web.visit(urls)
    assert not fired and not live, (fired, live[:10])


def test_embeds_run_nothing_alone_or_framed(corpus, web):
    for url, response in corpus["embed"].items():
        web.add_response(url, response)
    fired, live = web.visit(corpus["embed"])
    assert not fired and not live, (fired, live[:10])
    # A partner's article on another origin framing every box with the oEmbed
    # snippet, in a window tall enough for the lazy frames to load at once.
    for tab in web.tabs:
        tab.set_viewport_size({"width": 1280, "height": 9000})
    urls, partners = list(corpus["oembed"]), []
    size = 10  # about 5,000 pixels of frames
    for start in range(0, len(urls), size):
        snippets = "".join(corpus["oembed"][url]["html"] for url in urls[start : start + size])
        page = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Partner</title>"
            f"</head><body><h1>A partner's article</h1>{snippets}<p>The end.</p></body></html>"
        )
        partners.append(web.add(f"http://partner.test/article-{start}", page))
    assert len(urls) == size * len(partners)
    fired, live = web.visit(partners, frames=size)
    assert not fired and not live, (fired, live[:10])


def as_reader(detail, value):
    """Content as a feed reader puts it in its page: HTML as HTML, text as text."""
    if detail is not None and detail.type in ("text/html", "application/xhtml+xml"):
        return value
    return html.escape(value)


def reader_page(title, entries):
    parts = [
        "<!doctype html><html><head><meta charset=utf-8>",
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>",
    ]
    for entry in entries:
        parts.append(
            f'<article><h2><a href="{html.escape(entry["link"])}">'
            f"{entry['title']}</a></h2><p>{entry['author']}</p>"
            f"<div>{entry['body']}</div><p>{entry['tags']}</p></article>"
        )
    return "".join(parts) + "</body></html>"


def test_feeds_in_a_feed_reader_run_nothing(corpus, web):
    urls = []
    for kind, fmt, lang, feed in parsed_feeds(corpus):
        entries = [
            {
                "link": entry.link,
                "title": as_reader(entry.get("title_detail"), entry.title),
                "author": html.escape(entry.get("author", "")),
                "body": as_reader(entry.get("summary_detail"), entry.get("summary", "")),
                "tags": html.escape(", ".join(tag.term for tag in entry.get("tags", []))),
            }
            for entry in feed.entries
        ]
        urls.append(web.add(f"http://reader.test/{kind}-{fmt}-{lang}", reader_page(kind, entries)))
    for kind in ("exchanges", "tallies", "quotes"):
        feed = json_feed(corpus, kind, "uk")
        entries = [
            {
                "link": item["url"],
                "title": html.escape(item["title"]),
                "author": html.escape(", ".join(a["name"] for a in item.get("authors", []))),
                "body": html.escape(item["content_text"]),
                "tags": html.escape(", ".join(item.get("tags", []))),
            }
            for item in feed["items"]
        ]
        urls.append(web.add(f"http://reader.test/{kind}-json", reader_page(feed["title"], entries)))
    fired, live = web.visit(urls)
    assert not fired and not live, (fired, live[:10])


def test_the_admin_runs_nothing(corpus, web):
    for url, response in corpus["admin"].items():
        web.add_response(url, response)
    fired, live = web.visit(corpus["admin"])
    assert not fired and not live, (fired, live[:10])
