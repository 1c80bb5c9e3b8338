"""
“Get the data” and “Cite this”: every fact box links a CSV of exactly the
figures it shows, worded as it shows them, and says how to cite it.
"""

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.boxes import FIGURE_COLUMNS
from exchanges.figures import Precision
from exchanges.kinds import build_box
from exchanges.models import Agreement, Exchange, Status, Tally
from exchanges.views import spreadsheet_text
from exchanges.wording import date_words

from .factories import AgreementFactory, ExchangeFactory, TallyFactory
from .test_boxes import QUOTE, render, visible

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
PINNED = "2025-07-28"
HEADER = "figure,value,upper,qualifier,as_shown,date,source,uuid"


def nb(date):
    """A date as the boxes word it: its parts kept on one line."""
    return date.replace(" ", NBSP)


class FiguresShown(HTMLParser):
    """The text of every figure a box prints: each element marked with its precision."""

    def __init__(self):
        super().__init__()
        self.figures, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif "data-precision" in dict(attrs):
            self.depth = 1
            self.figures.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.figures[-1] += data


def figures_shown(html):
    parser = FiguresShown()
    parser.feed(html)
    return [" ".join(text.split(" ")).strip() for text in parser.figures]


def rows(response):
    assert response.status_code == 200, response.content
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def shown_column(found):
    return [row["as_shown"] for row in found]


def embed_and_data(client, path, **query):
    """A box's embed page and the CSV its own “Get the data” link gives."""
    page = client.get(f"/embed/{path}/", query)
    assert page.status_code == 200
    link = data_link(page.text)
    return page.text, rows(client.get(link))


def data_link(html):
    found = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "a" and "xb__data-link" in (attrs.get("class") or ""):
                found.append(attrs)

    Links().feed(html)
    assert len(found) == 1
    assert "download" in found[0]
    return found[0]["href"]


# Exactly the figures the box shows ---------------------------------------------


def test_pinned_totals_data_holds_exactly_the_figures_the_box_shows(client, seed):
    TallyFactory(as_of=datetime.date(2025, 8, 14), exchanges=67, returned=5941)
    html, found = embed_and_data(client, "totals", as_of=PINNED, lang="en")
    assert figures_shown(html) == ["66", "5,857", "over 1,000"]
    assert shown_column(found) == figures_shown(html)
    tally = Tally.objects.get(as_of=datetime.date(2025, 7, 28), scope=Tally.Scope.SCHEDULED)
    case = Tally.objects.get(scope=Tally.Scope.AGREEMENT, as_of=datetime.date(2025, 7, 28))
    source = (
        "Major Andrii Yusov, Deputy Head of the Coordination Headquarters for the Treatment of "
        "Prisoners of War and spokesperson for Defence Intelligence of Ukraine, in a comment to "
        f"Ukrainska Pravda, {nb('28 July 2025')} · Ukrainska Pravda, 28 July 2025, 17:46"
    )
    assert found == [
        {
            "figure": f"Exchanges since {nb('24 February 2022')}",
            "value": "66",
            "upper": "",
            "qualifier": "exact",
            "as_shown": "66",
            "date": "2025-07-28",
            "source": source,
            "uuid": str(tally.uuid),
        },
        {
            "figure": "People returned",
            "value": "5857",
            "upper": "",
            "qualifier": "exact",
            "as_shown": "5,857",
            "date": "2025-07-28",
            "source": source,
            "uuid": str(tally.uuid),
        },
        {
            "figure": "People returned under “Istanbul talks, second round” (separate case)",
            "value": "1000",
            "upper": "",
            "qualifier": "over",
            "as_shown": "over 1,000",
            "date": "2025-07-28",
            "source": source,
            "uuid": str(case.uuid),
        },
    ]
    # The later tally is in the live box's data, never in the pinned one's.
    pinned = client.get("/data/box/totals.csv", {"as_of": PINNED}).content.decode("utf-8-sig")
    assert "5941" not in pinned and "5,941" not in pinned and "2025-08-14" not in pinned
    live_html, live = embed_and_data(client, "totals", lang="en")
    assert [row["as_shown"] for row in live][:2] == ["67", "5,941"]
    assert shown_column(live) == figures_shown(live_html)


def test_pinned_agreement_data_holds_its_total_and_each_stage_shown(client, seed):
    html, found = embed_and_data(client, "agreement/istanbul-2", as_of=PINNED, lang="en")
    shown = figures_shown(html)
    # The official figure, then the stages up to the pinned date (undisclosed ones too).
    assert shown == ["over 1,000", *["not disclosed"] * 5, "about 250"]
    assert shown_column(found) == shown
    assert [row["figure"] for row in found] == [
        f"Returned under it, official figure as of {nb('28 July 2025')}",
        f"Returned, stage 1, {nb('9 June 2025')}",
        f"Returned, stage 2, {nb('10 June 2025')}",
        f"Returned, stage 3, {nb('12 June 2025')}",
        f"Returned, stage 4, {nb('14 June 2025')}",
        f"Returned, stage 5, {nb('19 June 2025')}",
        f"Returned, stage 9, {nb('23 July 2025')}",
    ]
    stages = Exchange.objects.filter(agreement__slug="istanbul-2", date__lte=PINNED)
    assert [row["uuid"] for row in found[1:]] == [
        str(uuid) for uuid in stages.order_by("date", "pk").values_list("uuid", flat=True)
    ]
    assert [(row["value"], row["qualifier"]) for row in found[1:3]] == [("", "unknown")] * 2
    assert found[-1]["value"] == "250" and found[-1]["qualifier"] == "about"
    # The stage of October 2025 came after the pinned date: not in it.
    assert "2025-10-02" not in {row["date"] for row in found}
    live_html, live = embed_and_data(client, "agreement/istanbul-2", lang="en")
    assert "2025-10-02" in {row["date"] for row in live}
    assert shown_column(live) == figures_shown(live_html)


def test_an_agreement_without_an_official_figure_gives_the_sum_of_its_stages(client, seed):
    html, found = embed_and_data(client, "agreement/istanbul-1", lang="en")
    assert shown_column(found) == figures_shown(html) == ["1,000", "390", "307", "303"]
    total = found[0]
    assert total["figure"] == "Returned in the stages recorded here"
    # A sum stands for no record, and is as of the last stage in it.
    assert total["uuid"] == "" and total["date"] == "2025-05-25"


def test_pinned_timeline_data_holds_each_bar_the_box_shows(client, seed):
    ExchangeFactory(date=datetime.date(2025, 8, 14), returned=84)
    html, found = embed_and_data(client, "timeline", as_of=PINNED, lang="en")
    shown = figures_shown(html)
    assert len(shown) == 19
    assert shown_column(found) == shown
    # Each row says, as the box's table does, whether it counts in the official tally.
    assert found[0]["figure"] == f"Returned, {nb('19 April 2022')}, counted"
    stage = next(row for row in found if row["date"] == "2025-06-09")
    assert stage["figure"] == (
        f"Returned, {nb('9 June 2025')}, Istanbul talks, second round, separate case"
    )
    assert found[-1]["as_shown"] == "about 250"
    exchanges = Exchange.objects.public(as_of=datetime.date(2025, 7, 28)).order_by("date", "pk")
    assert [row["uuid"] for row in found] == [str(e.uuid) for e in exchanges]
    assert [row["date"] for row in found] == [e.date.isoformat() for e in exchanges]
    assert "2025-08-14" not in {row["date"] for row in found}


def test_a_summed_timeline_gives_a_row_per_period_dated_by_its_start(client, seed, settings):
    settings.EXCHANGES_TIMELINE_MAX_BARS = 5
    box = build_box("timeline", as_of=PINNED, lang="en")
    assert box["period"]
    found = rows(client.get("/data/box/timeline.csv", {"as_of": PINNED, "lang": "en"}))
    # The table's cells: counted and separate-case figures apart, never added together.
    expected = [
        (f"{words}, {point['label']}", str(point[part]["words"]), point["date"]["iso"])
        for point in box["points"]
        for part, words in (
            ("counted", "Returned, counted in the tally"),
            ("separate", "Returned, separate case"),
        )
        if point[part]
    ]
    assert [(row["figure"], row["as_shown"], row["date"]) for row in found] == expected
    assert any(point["separate"] for point in box["points"])
    assert {row["uuid"] for row in found} == {""}


def test_an_exchange_box_gives_returned_and_handed_over(client, seed):
    exchange = ExchangeFactory(
        date=datetime.date(2025, 7, 1),
        returned=1000,
        returned_precision=Precision.BETWEEN,
        returned_upper=1200,
        source_name_en="Test Agency",
    )
    html, found = embed_and_data(client, f"exchange/{exchange.uuid}", lang="en")
    assert shown_column(found) == figures_shown(html) == ["1,000 to 1,200", "not disclosed"]
    assert [(r["figure"], r["value"], r["upper"], r["qualifier"]) for r in found] == [
        ("People returned to Ukraine", "1000", "1200", "between"),
        ("People handed over", "", "", "unknown"),
    ]
    assert {(r["date"], r["source"], r["uuid"]) for r in found} == {
        ("2025-07-01", "Test Agency", str(exchange.uuid))
    }


def test_a_source_given_as_a_link_keeps_its_link(client, seed):
    linked = ExchangeFactory(
        date=datetime.date(2025, 7, 1), source_name_en="", source_url="https://t.me/channel/3001"
    )
    both = ExchangeFactory(
        date=datetime.date(2025, 7, 2),
        source_name_en="Suspilne, 2 July 2025",
        source_url="https://suspilne.media/1",
    )
    response = client.get(f"/data/box/exchange/{linked.uuid}.csv")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert {row["source"] for row in rows(response)} == {"https://t.me/channel/3001"}
    found = rows(client.get(f"/data/box/exchange/{both.uuid}.csv"))
    assert {row["source"] for row in found} == {"Suspilne, 2 July 2025 · https://suspilne.media/1"}


def test_a_quote_box_shows_no_figures_so_its_data_is_the_header_alone(client, seed):
    html, found = embed_and_data(client, f"quote/{QUOTE}", lang="en")
    assert figures_shown(html) == [] and found == []
    assert client.get(f"/data/box/quote/{QUOTE}.csv").content.decode("utf-8-sig") == HEADER + "\r\n"


# Languages ------------------------------------------------------------------------


def test_ukrainian_data_has_the_ukrainian_labels_and_words(client, seed):
    html, found = embed_and_data(client, "totals", as_of=PINNED, lang="uk")
    assert shown_column(found) == figures_shown(html) == ["66", f"5{NBSP}857", f"понад 1{NBSP}000"]
    assert [row["figure"] for row in found[:2]] == [
        f"Обмінів від {nb('24 лютого 2022 р.')}",
        "Повернуто людей",
    ]
    assert "Перемовини в Стамбулі, другий раунд" in found[2]["figure"]
    assert found[0]["source"].startswith("Майор Андрій Юсов, заступник керівника")
    assert found[0]["source"].endswith("«Українська правда», 28 липня 2025 р., 17:46")
    # Machine columns do not change with the language.
    english = rows(client.get("/data/box/totals.csv", {"as_of": PINNED, "lang": "en"}))
    for column in ("value", "upper", "qualifier", "date", "uuid"):
        assert [row[column] for row in found] == [row[column] for row in english]
    response = client.get("/data/box/agreement/istanbul-2.csv", {"as_of": PINNED, "lang": "uk"})
    assert response["Content-Language"] == "uk"
    stages = rows(response)[1:]
    assert stages[0]["figure"] == f"Повернуто, етап 1, {nb('9 червня 2025 р.')}"
    assert stages[0]["as_shown"] == "не розголошено"


# The footer: the link and the citation ----------------------------------------------


def test_the_footer_links_the_pinned_data_and_says_how_to_cite_the_box(client, seed):
    page = client.get("/embed/totals/", {"as_of": PINNED, "lang": "en"})
    assert data_link(page.text) == f"/data/box/totals.csv?as_of={PINNED}&lang=en"
    text = visible(page.text)
    assert "Get the data CSV" in text
    assert (
        f"Cite: “Prisoner exchanges”, Newsroom, 28 July 2025, /embed/totals/?as_of={PINNED}&lang=en"
        in text
    )
    # The tag and shortcodes carry the same footer; a keyed box links its own record.
    tag = render(f'{{% factbox "agreement" "istanbul-2" as_of="{PINNED}" lang="uk" %}}')
    assert data_link(tag) == f"/data/box/agreement/istanbul-2.csv?as_of={PINNED}&lang=uk"
    assert f"/embed/agreement/istanbul-2/?as_of={PINNED}&amp;lang=uk" in tag
    assert '<bdi lang="uk">Перемовини в Стамбулі, другий раунд</bdi>' in tag.split("xb__cite")[1]
    shortcode = render("{{ body|factboxes }}", body=f"[factbox timeline as_of={PINNED}]")
    assert data_link(shortcode) == f"/data/box/timeline.csv?as_of={PINNED}&lang=en"


def test_a_live_box_is_cited_as_retrieved_today_at_the_sites_address(client, seed, settings):
    settings.EXCHANGES_SITE_URL = "https://news.example/"
    settings.EXCHANGES_PROVIDER_NAME = "Kyiv Newsroom"
    page = client.get("/embed/totals/", {"lang": "en"})
    assert data_link(page.text) == "/data/box/totals.csv?lang=en"
    today = date_words(timezone.localdate()).replace(NBSP, " ")
    assert (
        f"Cite: “Prisoner exchanges”, Kyiv Newsroom, retrieved {today}, "
        "https://news.example/embed/totals/?lang=en" in visible(page.text)
    )
    pinned = visible(client.get("/embed/totals/", {"as_of": PINNED, "lang": "en"}).text)
    assert (
        f"Kyiv Newsroom, 28 July 2025, https://news.example/embed/totals/?as_of={PINNED}" in pinned
    )


def test_every_kind_of_box_has_the_link_and_the_citation(client, seed):
    exchange = Exchange.objects.get(official_number=67)
    paths = ["totals", "timeline", "agreement/istanbul-1", f"exchange/{exchange.uuid}"]
    for path in [*paths, f"quote/{QUOTE}"]:
        for query in ({"lang": "en"}, {"lang": "uk", "as_of": "2025-12-31"}):
            page = client.get(f"/embed/{path}/", query)
            assert page.status_code == 200, path
            assert client.get(data_link(page.text)).status_code == 200
            assert page.text.count('class="xb__cite"') == 1


# What never reaches the data ------------------------------------------------------------


def test_a_draft_tally_never_reaches_the_data(client, seed):
    # Each the latest of its day: public, it would be the figure the box shows.
    for status in (Status.DRAFT, Status.REVIEW, Status.UNPUBLISHED):
        TallyFactory(as_of=datetime.date(2025, 7, 28), exchanges=99, returned=98765, status=status)
        TallyFactory(as_of=datetime.date(2025, 8, 20), exchanges=99, returned=98765, status=status)
    scheduled = timezone.now() + datetime.timedelta(days=1)
    TallyFactory(as_of=datetime.date(2025, 8, 21), returned=98765, published_at=scheduled)
    hidden = [str(tally.uuid) for tally in Tally.objects.filter(returned=98765)]
    for query in ({"as_of": PINNED}, {}, {"lang": "uk"}):
        body = client.get("/data/box/totals.csv", query).content.decode("utf-8-sig")
        assert "98765" not in body and "98,765" not in body and f"98{NBSP}765" not in body
        assert not any(uuid in body for uuid in hidden)
        assert "5857" in body
    # The same figure, published, is in the live data at once (and the pinned stays).
    TallyFactory(as_of=datetime.date(2025, 8, 22), returned=98765)
    assert "98765" in client.get("/data/box/totals.csv").content.decode("utf-8-sig")
    assert "98765" not in client.get("/data/box/totals.csv", {"as_of": PINNED}).content.decode(
        "utf-8-sig"
    )


def test_an_undisclosed_separate_case_is_a_row_with_no_words_as_the_box_prints_none(client, seed):
    Tally.objects.filter(scope=Tally.Scope.AGREEMENT).update(
        returned=None, returned_precision=Precision.UNKNOWN
    )
    html, found = embed_and_data(client, "totals", as_of=PINNED, lang="en")
    assert "more under “" in visible(html)
    assert figures_shown(html) == ["66", "5,857"]
    case = found[2]
    assert (case["value"], case["qualifier"], case["as_shown"]) == ("", "unknown", "")
    assert shown_column(found)[:2] == figures_shown(html)


def test_bad_arguments_are_400_and_nothing_public_is_404(client, seed, admin_user):
    for path, message in [
        ("/data/box/totals.csv?as_of=yesterday", "“yesterday” is not a date: use YYYY-MM-DD."),
        ("/data/box/totals.csv?as_of=2999-01-01", "is in the future"),
        ("/data/box/totals.csv?lang=de", "“de” is not a language of the fact boxes"),
        ("/data/box/pie.csv", "“pie” is not a kind of fact box"),
        ("/data/box/agreement.csv", "A agreement box needs to know which one."),
        ("/data/box/totals/x.csv", "A totals box shows no single record."),
        ("/data/box/quote/123.csv", "“123” is not a record identifier."),
    ]:
        response = client.get(path)
        assert response.status_code == 400, path
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert message in response.text
    missing = client.get("/data/box/agreement/no-such-talks.csv")
    assert missing.status_code == 404
    assert missing.text == "There is no public fact box here."
    Agreement.objects.filter(slug="istanbul-2").update(status=Status.DRAFT)
    draft = client.get("/data/box/agreement/istanbul-2.csv")
    assert draft.status_code == 404 and draft.text == "There is no public fact box here."
    client.force_login(admin_user)
    assert "is not published yet" in client.get("/data/box/agreement/istanbul-2.csv").text


# Safe in a spreadsheet --------------------------------------------------------------------


def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote(client, seed):
    payload = '=HYPERLINK("https://evil.example","click")'
    exchange = ExchangeFactory(date=datetime.date(2025, 7, 2), source_name_en=payload)
    found = rows(client.get(f"/data/box/exchange/{exchange.uuid}.csv"))
    assert {row["source"] for row in found} == {"'" + payload}
    agreement = AgreementFactory(title_en="@SUM(1+1)", source_name_en="-2+3")
    found = rows(client.get(f"/data/box/agreement/{agreement.slug}.csv"))
    assert found[0]["source"] == "'-2+3"
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert spreadsheet_text(start + "1") == "'" + start + "1"
    assert spreadsheet_text("1,000") == "1,000" and spreadsheet_text(None) is None


# The answer: headers and cache ---------------------------------------------------------


def test_the_data_is_a_named_utf8_csv_file(client, seed):
    response = client.get("/data/box/totals.csv", {"as_of": PINNED, "lang": "uk"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="totals-{PINNED}.csv"'
    # The byte-order mark: Excel opens the Ukrainian words as UTF-8, not as mojibake.
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(FIGURE_COLUMNS)
    live = client.get("/data/box/agreement/istanbul-2.csv")
    assert live["Content-Disposition"] == 'attachment; filename="agreement-istanbul-2.csv"'
    exchange = Exchange.objects.get(official_number=67)
    keyed = client.get(f"/data/box/exchange/{str(exchange.uuid).upper()}.csv")
    assert keyed["Content-Disposition"] == f'attachment; filename="exchange-{exchange.uuid}.csv"'
    assert f"exchange-{exchange.uuid}" in keyed["Surrogate-Key"]


def test_a_repeat_request_is_answered_from_the_cache(seed, django_assert_max_num_queries):
    anyone = Client()
    path = "/data/box/agreement/istanbul-2.csv"
    with CaptureQueriesContext(connection) as built:
        first = anyone.get(path, {"as_of": PINNED, "lang": "en"})
    assert first.status_code == 200
    assert len(built) > 5  # the box was built: its queries
    assert "public" in first["Cache-Control"] and first["Surrogate-Key"].startswith("exchanges")
    # The data version at most (none when a shared cache keeps it): nothing is built again.
    with django_assert_max_num_queries(1):
        again = anyone.get(path, {"as_of": PINNED, "lang": "en"})
    assert again.content == first.content and again["ETag"] == first["ETag"]
    with django_assert_max_num_queries(1):
        unchanged = anyone.get(
            path, {"as_of": PINNED, "lang": "en"}, HTTP_IF_NONE_MATCH=first["ETag"]
        )
    assert unchanged.status_code == 304
    # Data stated after the pinned date leaves it cached; a back-filled stage does not.
    TallyFactory(as_of=datetime.date(2025, 9, 1), returned=11111)
    assert anyone.get(path, {"as_of": PINNED, "lang": "en"})["ETag"] == first["ETag"]
    istanbul = Agreement.objects.get(slug="istanbul-2")
    ExchangeFactory(date=datetime.date(2025, 7, 25), agreement=istanbul, stage=10, returned=77)
    backfilled = anyone.get(path, {"as_of": PINNED, "lang": "en"})
    assert backfilled["ETag"] != first["ETag"]
    assert f"Returned, stage 10, {nb('25 July 2025')}" in backfilled.content.decode("utf-8-sig")
