"""Fact boxes as readers see them: every kind in both languages, frozen in time or live."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from exchanges.figures import Precision
from exchanges.kinds import build_box as build
from exchanges.models import Agreement, Exchange, Quote, Status, Tally
from exchanges.seed import stable_uuid

from .factories import ExchangeFactory, QuoteTranslationFactory, TallyFactory

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
QUOTE = stable_uuid("quote", "yusov-2025-07-28")


INLINE = {"a", "abbr", "b", "bdi", "cite", "em", "i", "span", "strong", "time"}


class TextOf(HTMLParser):
    """The text a reader sees: no tags, no scripts, blocks apart, white space folded."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")
        if tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html):
    parser = TextOf()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts).replace(NBSP, " ")).strip()


def render(source, **context):
    return Template("{% load exchanges %}" + source).render(Context(context))


def jsonld(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


# Totals ----------------------------------------------------------------------


def test_totals_in_english_as_of_the_article(seed):
    html = render('{% factbox "totals" as_of="2025-07-28" lang="en" %}')
    text = visible(html)
    assert "Ukraine has brought back 5,857 people in 66 exchanges." in text
    assert "Exchanges since 24 February 2022 66" in text
    assert "People returned 5,857" in text
    assert (
        "Separate case As of 28 July 2025, over 1,000 more under “Istanbul talks, second "
        "round”: a separate case, not in the tally. Status: being implemented." in text
    )
    assert (
        "Source: Major Andrii Yusov, Deputy Head of the Coordination Headquarters for the "
        "Treatment of Prisoners of War and spokesperson for Defence Intelligence of Ukraine, "
        "in a comment to Ukrainska Pravda, 28 July 2025 · Ukrainska Pravda, 28 July 2025, 17:46"
        in text
    )
    assert "As known on 28 July 2025." in text
    assert "6,857" not in text  # the separate case is never added into the tally


def test_totals_in_ukrainian(seed):
    html = render('{% factbox "totals" as_of="2025-07-28" lang="uk" %}')
    text = visible(html)
    assert "Україна повернула 5 857 осіб за 66 обмінів." in text
    assert f"5{NBSP}857" in html
    assert "Обмінів від 24 лютого 2022 р. 66" in text
    assert (
        "Окремий випадок Станом на 28 липня 2025 р. ще понад 1 000 — за домовленістю "
        "«Перемовини в Стамбулі, другий раунд»: окремий випадок, не входить до підсумку. "
        "Стан: виконується." in text
    )
    assert (
        "Джерело: Майор Андрій Юсов, заступник керівника Координаційного штабу з питань "
        "поводження з військовополоненими та речник Головного управління розвідки "
        "Міністерства оборони України, у коментарі «Українській правді», 28 липня 2025 р. · "
        "«Українська правда», 28 липня 2025 р., 17:46" in text
    )
    assert "кейс" not in text
    assert 'lang="uk"' in html


def test_a_pinned_box_keeps_its_figures_after_a_later_tally(seed):
    TallyFactory(as_of=datetime.date(2025, 8, 14), exchanges=67, returned=5941)
    pinned = visible(render('{% factbox "totals" as_of="2025-07-28" lang="en" %}'))
    live = visible(render('{% factbox "totals" lang="en" %}'))
    assert "5,857 people in 66 exchanges" in pinned
    assert "5,941 people in 67 exchanges" in live
    assert "Live: shows the latest published figures." in live


def test_a_box_pinned_before_any_tally_says_so_in_both_languages(seed):
    en = visible(render('{% factbox "totals" as_of="2025-07-27" lang="en" %}'))
    uk = visible(render('{% factbox "totals" as_of="2025-07-27" lang="uk" %}'))
    assert "No official figure had been published by 27 July 2025." in en
    assert "Станом на 27 липня 2025 р. офіційних цифр ще не оприлюднювали." in uk
    assert "5,857" not in en and "Separate case" not in en


def test_totals_words_the_people_in_ukrainian_by_number(db):
    TallyFactory(exchanges=1, returned=22)
    assert "Україна повернула 22 особи за 1 обмін." in visible(
        render('{% factbox "totals" lang="uk" %}')
    )
    TallyFactory(as_of=datetime.date(2025, 7, 29), exchanges=21, returned=21)
    assert "Україна повернула 21 особу за 21 обмін." in visible(
        render('{% factbox "totals" lang="uk" %}')
    )


def test_totals_jsonld_is_a_dataset(seed):
    data = jsonld(render('{% factbox "totals" as_of="2025-07-28" lang="en" %}'))
    assert data["@type"] == "Dataset"
    assert data["temporalCoverage"] == "2022-02-24/2025-07-28"
    assert [v["value"] for v in data["variableMeasured"]] == [66, 5857]
    assert data["creator"]["name"] == "Major Andrii Yusov"


# Agreement -------------------------------------------------------------------


def test_agreement_box_in_english(seed):
    text = visible(render('{% factbox "agreement" "istanbul-2" as_of="2025-07-28" lang="en" %}'))
    assert "Istanbul talks, second round" in text
    assert "Terms all for all, for two categories; 6,000 for 6,000 bodies" in text
    assert "Agreed 2 June 2025, round 2, Çırağan Palace, Istanbul" in text
    assert "Categories seriously ill and severely wounded; under 25" in text
    assert "Status today being implemented" in text  # kept as it is now, and said so
    assert "Returned under it, official figure as of 28 July 2025 over 1,000" in text
    assert "A separate case: not counted in the official tally." in text
    assert "9 June 2025 1 not disclosed" in text
    assert "23 July 2025 9 about 250" in text
    assert "2 October 2025" not in text  # not yet known on 28 July 2025


def test_agreement_box_in_ukrainian(seed):
    text = visible(render('{% factbox "agreement" "istanbul-2" as_of="2025-07-28" lang="uk" %}'))
    assert "Перемовини в Стамбулі, другий раунд" in text
    assert "Домовлено 2 червня 2025 р., раунд 2, палац Чираган, Стамбул" in text
    assert "Категорії важкохворі та тяжкопоранені; молодші за 25 років" in text
    assert "Повернуто за нею, офіційна цифра станом на 28 липня 2025 р. понад 1 000" in text
    assert "9 червня 2025 р. 1 не розголошено" in text
    assert "23 липня 2025 р. 9 близько 250" in text


def test_agreement_box_marks_each_stage_counted_or_not(seed):
    text = visible(render('{% factbox "agreement" "istanbul-2" lang="en" %}'))
    assert "Date Stage Returned Official tally" in text
    assert "23 July 2025 9 about 250 separate case, not counted" in text
    assert "2 October 2025 – 205 counted" in text  # No. 69, partly under Istanbul
    assert (
        "A separate case: its stages are not counted in the official tally, except those "
        "marked as counted." in text
    )
    uk = visible(render('{% factbox "agreement" "istanbul-2" lang="uk" %}'))
    assert "2 жовтня 2025 р. – 205 враховано" in uk
    assert "23 липня 2025 р. 9 близько 250 окремий випадок, не враховано" in uk


def test_a_separate_case_in_a_live_box_carries_its_own_date(seed):
    TallyFactory(as_of=datetime.date(2026, 2, 5), exchanges=70, returned=7000)
    text = visible(render('{% factbox "totals" lang="en" %}'))
    assert "Official tally as of 5 February 2026" in text
    assert "As of 28 July 2025, over 1,000 more under “Istanbul talks, second round”" in text


def test_agreement_without_a_statement_sums_its_recorded_stages(seed):
    text = visible(render('{% factbox "agreement" "istanbul-1" lang="en" %}'))
    assert "Returned in the stages recorded here 1,000" in text
    assert "Counted in the official tally." in text


# Exchange --------------------------------------------------------------------


def test_exchange_box_in_both_languages(seed):
    key = str(Exchange.objects.get(official_number=67).uuid)
    en = visible(render("{% factbox 'exchange' key lang='en' %}", key=key))
    assert "Exchange No. 67" in en
    assert "14 August 2025" in en
    assert "People returned to Ukraine 84" in en
    assert "People handed over not disclosed" in en
    assert "Categories civilians; military" in en
    assert "Mediators United Arab Emirates" in en
    assert "Source: UNITED24 Media, 2025-08-14" in en
    uk = visible(render("{% factbox 'exchange' key lang='uk' %}", key=key))
    assert "Обмін № 67" in uk
    assert "14 серпня 2025 р." in uk
    assert "Посередники Об'єднані Арабські Емірати" in uk
    assert "Передано не розголошено" in uk


def test_exchange_box_shows_an_undisclosed_figure_as_such(seed):
    key = str(Exchange.objects.get(date=datetime.date(2025, 6, 9)).uuid)
    text = visible(render("{% factbox 'exchange' key lang='en' %}", key=key))
    assert "People returned to Ukraine not disclosed" in text
    assert "Istanbul talks, second round, stage 1" in text
    assert "A separate case: not counted in the official tally." in text


# Quote -----------------------------------------------------------------------


def test_quote_card_in_english(seed):
    html = render("{% factbox 'quote' key lang='en' %}", key=str(QUOTE))
    text = visible(html)
    assert "Given the scale and complexity of implementing the Istanbul agreements" in text
    assert (
        "— Major Andrii Yusov, Deputy Head of the Coordination Headquarters for the Treatment "
        "of Prisoners of War and spokesperson for Defence Intelligence of Ukraine, in a comment "
        "to Ukrainska Pravda, 28 July 2025" in text
    )
    assert "<blockquote" in html and "<cite>" in html
    assert jsonld(html)["@type"] == "Quotation"
    assert jsonld(html)["spokenByCharacter"]["name"] == "Major Andrii Yusov"


def test_quote_card_in_ukrainian_shows_the_translation_when_there_is_one(seed):
    quote = Quote.objects.get(uuid=QUOTE)
    untranslated = visible(render("{% factbox 'quote' key lang='uk' %}", key=str(QUOTE)))
    assert "Given the scale" in untranslated
    assert "Цитату наведено мовою оригіналу (англійська), як її опубліковано." in untranslated
    QuoteTranslationFactory(quote=quote, language="uk", text="Реалізація етапів триватиме.")
    html = render("{% factbox 'quote' key lang='uk' %}", key=str(QUOTE))
    assert '<blockquote lang="uk"' in html
    assert "Реалізація етапів триватиме." in visible(html)
    assert "Переклад з мови: англійська." in visible(html)


# Timeline --------------------------------------------------------------------


def test_timeline_shows_undisclosed_figures_as_undisclosed_not_zero(seed):
    html = render('{% factbox "timeline" as_of="2025-07-28" lang="en" %}')
    text = visible(html)
    assert "<svg" in html and 'role="img"' in html
    assert html.count('class="xb__seg--unknown"') == 5
    assert "9 June 2025: not disclosed" in text  # each bar's title
    assert (
        "People returned to Ukraine in each of 19 exchanges recorded from 19 April 2022 to "
        "23 July 2025. In 5 of them the number was not disclosed." in text
    )
    assert "Data as a table" in text
    assert "14 August 2025" not in text


def test_timeline_in_ukrainian(seed):
    text = visible(render('{% factbox "timeline" lang="uk" %}'))
    assert "Обміни полоненими: хронологія" in text
    assert "9 червня 2025 р.: не розголошено" in text


# Drafts, escaping, queries ------------------------------------------------------


@pytest.mark.parametrize("kind", ["agreement", "exchange", "quote"])
def test_drafts_show_nothing_to_readers_and_a_placeholder_to_staff(
    seed, kind, rf, admin_user, django_user_model
):
    record = {
        "agreement": lambda: Agreement.objects.get(slug="istanbul-2"),
        "exchange": lambda: Exchange.objects.get(official_number=67),
        "quote": lambda: Quote.objects.get(uuid=QUOTE),
    }[kind]()
    record.status = Status.DRAFT
    record.save()
    key = record.slug if kind == "agreement" else str(record.uuid)
    request = rf.get("/")
    request.user = django_user_model(username="reader")
    assert render("{% factbox kind key %}", kind=kind, key=key, request=request) == ""
    request.user = admin_user
    html = render("{% factbox kind key %}", kind=kind, key=key, request=request)
    assert "Fact box not shown to readers." in html
    assert "is not published yet" in html


def test_a_draft_tally_is_not_shown(seed):
    Tally.objects.filter(scope=Tally.Scope.AGREEMENT).update(status=Status.DRAFT)
    text = visible(render('{% factbox "totals" as_of="2025-07-28" lang="en" %}'))
    assert "5,857" in text
    assert "Separate case" not in text


HOSTILE = '</script><script>alert("x")</script> "quoted" <b>bold</b> javascript:alert(1)'


def test_everything_editors_typed_is_escaped(seed):
    quote = Quote.objects.get(uuid=QUOTE)
    quote.text = HOSTILE
    quote.context_en = HOSTILE
    quote.source_url = "javascript:alert(1)"
    quote.save()
    speaker = quote.speaker
    speaker.name_en = '<script>alert("name")</script>'
    speaker.save()
    quote.freeze_attribution()  # applied to the published quote, as a correction would
    html = render("{% factbox 'quote' key lang='en' %}", key=str(QUOTE))
    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert 'href="javascript:' not in html and 'cite="javascript:' not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)" in html
    data = jsonld(html)  # one script element, still valid JSON
    assert data["text"] == HOSTILE
    assert data["spokenByCharacter"]["name"] == 'Major <script>alert("name")</script>'


def test_builder_returns_plain_data(seed):
    box = build("totals", as_of="2025-07-28", lang="en")
    assert json.loads(json.dumps(box)) == box
    assert box["tally"]["returned"] == {
        "value": 5857,
        "upper": None,
        "precision": "exact",
        "display": {"en": "5,857", "uk": "5\xa0857"},
        "words": "5,857",
    }
    assert box["separate_cases"][0]["returned"] == {
        "value": 1000,
        "upper": None,
        "precision": Precision.OVER,
        "display": {"en": "over 1,000", "uk": "понад 1\xa0000"},
        "words": "over 1,000",
    }


BOXES = [
    ('{% factbox "totals" lang="en" %}', None),
    ('{% factbox "agreement" "istanbul-2" lang="uk" %}', None),
    ("{% factbox 'exchange' key %}", "exchange"),
    ("{% factbox 'quote' key %}", "quote"),
    ('{% factbox "timeline" %}', None),
]


@pytest.mark.parametrize(("source", "keyed"), BOXES)
def test_queries_per_render_do_not_grow_with_exchanges(
    seed, source, keyed, django_assert_num_queries
):
    key = {
        "exchange": lambda: str(Exchange.objects.get(official_number=67).uuid),
        "quote": lambda: str(QUOTE),
        None: lambda: None,
    }[keyed]()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        render(source, key=key)
    istanbul = Agreement.objects.get(slug="istanbul-2")
    mediator = Exchange.objects.get(official_number=67).mediators.get()
    for stage in range(20, 60):
        exchange = ExchangeFactory(
            date=datetime.date(2024, 2, 1) + datetime.timedelta(days=stage),
            agreement=istanbul,
            stage=stage,
            returned=None,
            returned_precision=Precision.UNKNOWN,
        )
        exchange.mediators.add(mediator)
        TallyFactory(as_of=datetime.date(2025, 7, 1), agreement=istanbul, scope="agreement")
        TallyFactory(as_of=datetime.date(2025, 7, 2))
    with django_assert_num_queries(len(before.captured_queries)):
        render(source, key=key)
    # The agreement, its categories, parties, corrections, stages, and its latest
    # statement with the statement's roles and corrections, related records
    # joined or prefetched through the gate.
    # Two more at most: the data version, when not already in a shared cache.
    assert len(before.captured_queries) <= 11


# What drafts leave behind -------------------------------------------------------


def test_draft_exchanges_stay_out_of_timeline_and_stages(seed):
    exchange = Exchange.objects.get(date=datetime.date(2025, 7, 23))
    exchange.status = Status.DRAFT
    exchange.save()
    timeline = visible(render('{% factbox "timeline" as_of="2025-07-28" lang="en" %}'))
    assert "23 July 2025" not in timeline
    assert "each of 18 exchanges" in timeline
    stages = visible(render('{% factbox "agreement" "istanbul-2" as_of="2025-07-28" lang="en" %}'))
    assert "about 250" not in stages


def test_a_draft_later_tally_leaves_the_earlier_one_in_the_box(seed):
    TallyFactory(as_of=datetime.date(2025, 8, 14), exchanges=67, returned=5941, status=Status.DRAFT)
    text = visible(render('{% factbox "totals" lang="en" %}'))
    assert "5,857 people in 66 exchanges" in text
    assert "5,941" not in text


def test_draft_people_organisations_and_agreements_stay_unnamed(seed):
    from exchanges.models import Organisation, Person

    Person.objects.filter(slug="andrii-yusov").update(status=Status.DRAFT)
    Organisation.objects.filter(slug__in=["ukraine", "united-arab-emirates"]).update(
        status=Status.DRAFT
    )
    Agreement.objects.filter(slug="istanbul-1").update(status=Status.DRAFT)
    totals = visible(render('{% factbox "totals" as_of="2025-07-28" lang="en" %}'))
    assert "Yusov" not in totals and "Deputy Head" not in totals
    agreement = render('{% factbox "agreement" "istanbul-2" lang="en" %}')
    assert "Ukraine" not in json.dumps(build("agreement", "istanbul-2", lang="en")["parties"])
    assert "Yusov" not in visible(agreement)
    key = str(stable_uuid("exchange", "2025-08-14"))
    exchange = visible(render("{% factbox 'exchange' key lang='en' %}", key=key))
    assert "United Arab Emirates" not in exchange
    first_stage = str(stable_uuid("exchange", "2025-05-23"))
    exchange = visible(render("{% factbox 'exchange' key lang='en' %}", key=first_stage))
    assert "Istanbul talks, first round" not in exchange
    timeline = visible(render('{% factbox "timeline" lang="en" %}'))
    assert "Istanbul talks, first round" not in timeline


def test_a_published_quote_must_name_a_published_speaker(seed):
    from django.core.exceptions import ValidationError

    quote = Quote.objects.get(uuid=QUOTE)
    quote.speaker.status = Status.DRAFT
    quote.speaker.save()
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert error.value.message_dict["speaker"] == [
        "Publish Andrii Yusov first: readers must see who said it."
    ]


# Arguments that are not a box -----------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{% factbox "totals" heading="x" %}', "“x” is not a heading level from 2 to 6."),
        ('{% factbox "totals" heading=9 %}', "“9” is not a heading level from 2 to 6."),
        ('{% factbox "totals" "extra" %}', "A totals box shows no single record."),
        ('{% factbox "totals" as_of="2099-01-01" %}', "2099-01-01 is in the future"),
        ('{% factbox "totals" as_of="20250728" %}', "“20250728” is not a date: use YYYY-MM-DD."),
        ('{% factbox "agreement" %}', "A agreement box needs to know which one."),
    ],
)
def test_bad_tag_arguments_show_staff_why_and_readers_nothing(
    seed, rf, admin_user, source, message
):
    request = rf.get("/")
    request.user = admin_user
    assert message in render(source, request=request)
    assert render(source) == ""


def test_an_unsupported_active_language_falls_back(seed):
    from django.utils import translation

    with translation.override("fr"):
        assert "5,857" in visible(render('{% factbox "totals" %}'))


def test_the_same_box_twice_has_distinct_ids(seed):
    html = render('{% factbox "totals" %}{% factbox "totals" %}')
    ids = re.findall(r'<h2 class="xb__title" id="([^"]+)"', html)
    assert len(ids) == 2 and ids[0] != ids[1]


@pytest.mark.parametrize("where", ["text", "speaker"])
def test_hostile_quote_or_speaker_is_inert_in_html_and_jsonld(seed, where):
    quote = Quote.objects.get(uuid=QUOTE)
    if where == "text":
        quote.text = HOSTILE
        quote.save()
    else:
        quote.speaker.name_en = quote.speaker.name_uk = HOSTILE
        quote.speaker.save()
        quote.freeze_attribution()
    for lang in ("en", "uk"):
        html = render("{% factbox 'quote' key lang=lang %}", key=str(QUOTE), lang=lang)
        assert "<script>alert" not in html
        assert "</script><script>" not in html
        assert html.count("<script") == 1  # the JSON-LD block, closed once
        assert any(HOSTILE in text for text in strings(jsonld(html)))


def strings(data):
    """Every string inside a JSON value."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def test_a_source_link_cannot_break_out_of_its_attribute(seed):
    Exchange.objects.filter(official_number=67).update(
        source_url='https://example.org/"><script>alert(1)</script>'
    )
    key = str(stable_uuid("exchange", "2025-08-14"))
    html = render("{% factbox 'exchange' key %}", key=key)
    assert "<script>alert" not in html
    assert 'href="https://example.org/&quot;&gt;&lt;script&gt;' in html
