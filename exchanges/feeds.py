"""
Feeds for partners' feed readers: Atom, RSS 2.0 and JSON Feed 1.1 of the latest
published exchanges, tallies and quotes (``/feeds/<kind>.<atom|rss|json>``).

Built on ``django.contrib.syndication``; JSON Feed is one more feed generator.
Feeds need a partner key, in the ``Authorization`` header or as ``?key=``;
the view that checks it and picks the feed from the registry is ``views.feed``.

An item's description is plain text; each format carries it so that a reader
can never take what an editor typed for markup (see ``FORMATS``).
"""

import json
import re
from xml.sax.saxutils import escape

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .editor_text import translated
from .models import Exchange, Quote, Tally, public_related
from .validators import public_url
from .wording import attribution, correction_line, description, headline

ITEMS = 50


class JSONFeed(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description"],
            "language": self.feed["language"],
            "items": [self.item(item) for item in self.items],
        }
        outfile.write(json.dumps(feed, ensure_ascii=False, indent=1))

    def item(self, item):
        data = {
            "id": item["unique_id"],
            "url": item["link"],
            "title": item["title"],
            "content_text": item["description"],
            "date_published": item["pubdate"].isoformat(),
            "date_modified": item["updateddate"].isoformat(),
        }
        if item["categories"]:
            data["tags"] = list(item["categories"])
        if item["author_name"]:
            data["authors"] = [{"name": item["author_name"]}]
        return data


# Characters XML 1.0 cannot carry; Django's XML writer refuses the C0 controls, so
# one vertical tab pasted from a word processor would take a feed down.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_item(item):
    """An item with what XML cannot carry left out of its words."""

    def words(value):
        return None if value is None else NOT_XML.sub("", value)

    return {
        **item,
        "title": words(item["title"]),
        "description": words(item["description"]),
        "author_name": words(item["author_name"]),
        "categories": [words(category) for category in item["categories"]],
    }


class TextAtom1Feed(feedgenerator.Atom1Feed):
    """Atom whose summaries say they are text; titles are text already (no ``type``)."""

    def add_item_elements(self, handler, item):
        item = xml_item(item)
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def paragraphs(text):
    """Plain text as HTML we build ourselves: each line escaped, in a paragraph of its own."""
    return format_html_join("", "<p>{}</p>", ((line,) for line in text.split("\n") if line))


class EscapedRss201rev2Feed(feedgenerator.Rss201rev2Feed):
    """
    RSS 2.0, whose readers take a description as HTML, and many a title too:
    the description is our own HTML of the escaped text, and the title is
    escaped once more, as Django's feeds escape titles by default (#6533).
    """

    def add_item_elements(self, handler, item):
        item = xml_item(item)
        description = item["description"]
        super().add_item_elements(
            handler,
            {
                **item,
                "title": escape(item["title"]),
                "description": None if description is None else paragraphs(description),
            },
        )


FORMATS = {
    "atom": TextAtom1Feed,
    "rss": EscapedRss201rev2Feed,
    "json": JSONFeed,
}


class RecordFeed(Feed):
    """The latest published records of one kind, newest change first."""

    model = None
    kind = None

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.lang

    # The page the feed describes, as (box kind, key) of an embed; None: the site.
    page = None

    def link(self):
        if self.page is None:
            return "/"
        return self.box_link(*self.page)

    def box_link(self, kind, key=None, as_of=None):
        """A fact box's page, in the feed's language."""
        path = reverse("exchanges:embed", args=[kind, key] if key else [kind])
        query = {"lang": self.lang, **({"as_of": as_of.isoformat()} if as_of else {})}
        return f"{path}?{urlencode(query)}"

    def feed_url(self):
        # The partner's key stays out of what the feed publishes about itself.
        query = self.request.GET.copy()
        query.pop("key", None)
        return self.request.path + (f"?{query.urlencode()}" if query else "")

    def items(self):
        return self.queryset().order_by("-updated_at", "-id")[:ITEMS]

    def item_title(self, record):
        return headline(record)

    def item_description(self, record):
        """The record's description, its source and its corrections: the words every door uses."""
        corrections = [
            correction_line(timezone.localtime(c.corrected_at).date(), translated(c, "note"))
            for c in record.corrections.all()
        ]
        source = translated(record, "source_name") or public_url(record.source_url)
        return "\n".join(str(part) for part in [description(record), source, *corrections] if part)

    def item_guid(self, record):
        return f"urn:uuid:{record.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, record):
        return record.published_at

    def item_updateddate(self, record):
        return record.updated_at


class ExchangeFeed(RecordFeed):
    kind = "exchanges"
    page = ("timeline",)

    def title(self):
        return _("Prisoner exchanges")

    def description(self):
        return _("The latest published prisoner exchanges, with their figures and sources.")

    def queryset(self):
        return Exchange.objects.shown()

    def item_link(self, exchange):
        return self.box_link("exchange", exchange.uuid)

    def item_categories(self, exchange):
        return [category.name for category in exchange.categories.all()]


class TallyFeed(RecordFeed):
    kind = "tallies"
    page = ("totals",)

    def title(self):
        return _("Official tallies of prisoner exchanges")

    def description(self):
        return _("Official cumulative statements: exchanges and people returned, as of a date.")

    def queryset(self):
        return Tally.objects.shown()

    def item_author_name(self, tally):
        return attribution(tally)[1]

    def item_link(self, tally):
        """The box that shows this tally: its agreement's, or the totals, as of its date."""
        agreement = public_related(tally, "agreement")
        if tally.scope == tally.Scope.AGREEMENT and agreement:
            return self.box_link("agreement", agreement.slug, tally.as_of)
        return self.box_link("totals", as_of=tally.as_of)


class QuoteFeed(RecordFeed):
    kind = "quotes"

    def title(self):
        return _("Quotes on prisoner exchanges")

    def description(self):
        return _("What officials said, with their roles at the time.")

    def queryset(self):
        return Quote.objects.shown()

    def item_author_name(self, quote):
        return attribution(quote)[1]

    def item_link(self, quote):
        return self.box_link("quote", quote.uuid)
