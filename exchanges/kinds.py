"""
The registry of public kinds: each kind of record the outside world may see,
and each kind of fact box, declared once with what every door needs of it.

The doors are thin readers of these two tables: the API's routes and
viewsets, ninjs, the change log's current JSON and the feeds read ``KINDS``;
the template tag, the shortcodes, the embeds, oEmbed and ``summary/`` read
``BOXES`` through ``build_box``. A kind's public records are always
``Model.objects.shown(as_of)``, the one gate with every related record
behind it, so no door keeps a filter, a prefetch or a list of its own.

Adding a field: the model, its serializer (and the box or ninjs mapping if
they show it). Adding a kind: the model with its ``public_relations``, a
serializer, a filter set and one line here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import boxes, feeds
from .api import filters, ninjs, serializers
from .conf import app_settings
from .editor_text import compose
from .models import Agreement, Exchange, Organisation, Person, Quote, Tally
from .wording import date_words


@dataclass(frozen=True)
class Kind:
    """A kind of public record: its name in the API and feeds, and each door's part."""

    name: str  # the record's ``type`` in JSON, ninjs and changes/
    plural: str  # its path in the API and its feed
    model: type
    serializer: type
    filterset: type
    ordering: tuple  # the API's default order
    ninjs: Callable  # API JSON → (ninjs body, extra ninjs properties)
    feed: type | None = None

    def records(self, as_of=None):
        """Its public records as known on ``as_of``, related records gated too."""
        return self.model.objects.shown(as_of)


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "exchange",
            "exchanges",
            Exchange,
            serializers.ExchangeSerializer,
            filters.ExchangeFilter,
            ("-date", "-id"),
            ninjs.exchange,
            feeds.ExchangeFeed,
        ),
        Kind(
            "agreement",
            "agreements",
            Agreement,
            serializers.AgreementSerializer,
            filters.AgreementFilter,
            ("-concluded_on", "-id"),
            ninjs.agreement,
        ),
        Kind(
            "tally",
            "tallies",
            Tally,
            serializers.TallySerializer,
            filters.TallyFilter,
            ("-as_of", "-id"),
            ninjs.tally,
            feeds.TallyFeed,
        ),
        Kind(
            "quote",
            "quotes",
            Quote,
            serializers.QuoteSerializer,
            filters.QuoteFilter,
            ("-said_on", "-id"),
            ninjs.quote,
            feeds.QuoteFeed,
        ),
        Kind(
            "person",
            "people",
            Person,
            serializers.PersonSerializer,
            filters.PersonFilter,
            ("name_en", "id"),
            ninjs.person,
        ),
        Kind(
            "organisation",
            "organisations",
            Organisation,
            serializers.OrganisationSerializer,
            filters.OrganisationFilter,
            ("name_en", "id"),
            ninjs.organisation,
        ),
    ]
}
# The feeds, by the name in their address (``/feeds/exchanges.atom``).
FEEDS = {kind.plural: kind for kind in KINDS.values() if kind.feed}


@dataclass(frozen=True)
class Box:
    """A kind of fact box: how it is built, how it names its record, how tall it embeds."""

    name: str
    build: Callable  # (key, as_of) or (as_of) → the box's context
    key: str | None  # "slug" or "uuid" for a box of one record; None for an overview
    height: int  # iframe height in pixels; ``EXCHANGES_EMBED_HEIGHTS`` may override it
    title: Callable  # like ``build``, but only the box's title (for oEmbed)
    figures: Callable  # the built box's context → a row per figure it shows (its CSV)

    @property
    def template(self):
        return f"exchanges/boxes/{self.name}.html"

    @property
    def embed_height(self):
        return app_settings.EMBED_HEIGHTS.get(self.name, self.height)


BOXES = {
    box.name: box
    for box in [
        Box("totals", boxes.totals, None, 380, boxes.totals_title, boxes.totals_figures),
        Box(
            "agreement",
            boxes.agreement,
            "slug",
            560,
            boxes.agreement_title,
            boxes.agreement_figures,
        ),
        Box("exchange", boxes.exchange, "uuid", 420, boxes.exchange_title, boxes.exchange_figures),
        Box("quote", boxes.quote, "uuid", 420, boxes.quote_title, boxes.quote_figures),
        Box("timeline", boxes.timeline, None, 460, boxes.timeline_title, boxes.timeline_figures),
    ]
}


def box_named(name):
    """The registered box called ``name``, or BoxError saying which there are."""
    try:
        return BOXES[name]
    except KeyError:
        raise boxes.BoxError(
            _("“%(kind)s” is not a kind of fact box: use %(kinds)s.")
            % {"kind": name, "kinds": ", ".join(BOXES)}
        ) from None


def checked_box(kind, key):
    """The registered box, if ``key`` fits it (one record, or an overview)."""
    box = box_named(kind)
    if box.key and not key:
        raise boxes.BoxError(_("A %(kind)s box needs to know which one.") % {"kind": kind})
    if key and not box.key:
        raise boxes.BoxError(_("A %(kind)s box shows no single record.") % {"kind": kind})
    return box


def box_title(kind, key=None, as_of=None, lang=None):
    """Only the title of a public box, in ``lang``: what oEmbed needs, for little."""
    box = checked_box(kind, key)
    as_of = boxes.parse_as_of(as_of)
    with translation.override(boxes.parse_lang(lang)):
        return str(box.title(key, as_of) if box.key else box.title(as_of))


def build_box(kind, key=None, as_of=None, lang=None):
    """The context of one fact box, worded in ``lang`` and as known on ``as_of``."""
    box = checked_box(kind, key)
    as_of = boxes.parse_as_of(as_of)
    lang = boxes.parse_lang(lang)
    with translation.override(lang):
        context = box.build(key, as_of) if box.key else box.build(as_of)
        context.update(
            kind=kind,
            key=str(key) if key else None,
            lang=lang,
            as_of=boxes.date_data(as_of),
            live=as_of is None,
        )
        context.update(reuse(box, context, as_of, lang))
    return context


def reuse(box, context, as_of, lang):
    """
    Where a box's figures can be downloaded (``data_url``, relative to the site)
    and how to cite it (``cite``). Cached with the box's HTML, so nothing of the
    request enters it: the site's address is ``EXCHANGES_SITE_URL``.
    """
    # rendering imports this module: its embed_path is imported when first needed.
    from .rendering import embed_path

    key = context[box.key] if box.key else None
    day = as_of.isoformat() if as_of else None
    query = urlencode({name: value for name, value in (("as_of", day), ("lang", lang)) if value})
    data_path = reverse("exchanges:box-data", args=[box.name, key] if key else [box.name])
    url = app_settings.SITE_URL.rstrip("/") + embed_path(box.name, key, day, lang)
    if as_of:
        cite = compose(
            _("“%(title)s”, %(publisher)s, %(date)s, %(url)s"),
            title=context["title"],
            publisher=app_settings.PROVIDER_NAME,
            date=date_words(as_of),
            url=url,
        )
    else:
        # A live box changes: a citation says when it was read (the box is rebuilt daily).
        cite = compose(
            _("“%(title)s”, %(publisher)s, retrieved %(date)s, %(url)s"),
            title=context["title"],
            publisher=app_settings.PROVIDER_NAME,
            date=date_words(timezone.localdate()),
            url=url,
        )
    return {"data_url": f"{data_path}?{query}", "cite": cite}
