"""The reporters' doors: shortcodes in article text, iframes, oEmbed and the admin's snippets."""

import json
from urllib.parse import quote as urlquote

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from exchanges.models import Agreement, Quote, Status
from exchanges.seed import stable_uuid
from exchanges.shortcodes import expand

from .test_boxes import HOSTILE, visible

pytestmark = pytest.mark.django_db
QUOTE = stable_uuid("quote", "yusov-2025-07-28")


# Shortcodes ----------------------------------------------------------------------


def test_shortcode_expands_and_leaves_the_rest_exactly_as_it_was(seed):
    body = mark_safe(
        "<p>Before &amp; “after”.</p>\n[factbox totals as_of=2025-07-28 lang=uk]\n<p>End</p>"
    )
    html = expand(body)
    assert isinstance(html, SafeString)
    before, after = html.split('<link rel="stylesheet"')[0], html.rsplit("</aside>", 1)[1]
    assert before == "<p>Before &amp; “after”.</p>\n"
    assert after == "\n\n<p>End</p>"
    assert "Україна повернула 5 857 осіб за 66 обмінів." in visible(html)


@pytest.mark.parametrize(
    "code",
    [
        "[factbox agreement=istanbul-2]",
        f"[factbox quote={QUOTE} lang=en]",
        "[factbox timeline as_of=2025-07-28]",
        "[factbox totals heading=3]",
    ],
)
def test_every_shortcode_form_renders_a_box(seed, code):
    html = expand(mark_safe(f"<p>x</p>\n<p>{code}</p>\n<p>y</p>"))
    assert '<aside class="xb' in html
    assert code not in html
    assert html.startswith("<p>x</p>\n<link") and html.endswith("</aside>\n\n<p>y</p>")


@pytest.mark.parametrize(
    "code",
    [
        "[factbox]",
        "[factbox chart]",
        "[factbox totals as_of=28.07.2025]",
        "[factbox totals lang=fr]",
        "[factbox totals colour=red]",
        "[factbox quote=not-a-uuid]",
        "[factbox agreement]",
        "[factbox totals as_of=2025-07-28 as_of=2025-07-29]",
    ],
)
def test_a_broken_shortcode_stays_visible_for_the_editor(seed, code):
    html = expand(mark_safe(f"<p>Text</p>{code}<p>More</p>"))
    assert html == f"<p>Text</p>{code}<p>More</p>"


def test_an_unknown_record_or_draft_shows_nothing_to_readers(seed, rf, admin_user):
    Agreement.objects.filter(slug="istanbul-2").update(status=Status.DRAFT)
    body = mark_safe(
        "<p>A</p>\n[factbox agreement=istanbul-2]\n[factbox agreement=nowhere]\n<p>B</p>"
    )
    assert expand(body) == "<p>A</p>\n\n\n<p>B</p>"
    request = rf.get("/")
    request.user = admin_user
    html = expand(body, request=request)
    assert "The agreement “istanbul-2” is not published yet" in html
    assert "There is no published agreement “nowhere”." in html


def test_filter_escapes_plain_text_bodies_and_keeps_safe_ones(seed):
    template = Template("{% load exchanges %}{{ body|factboxes }}")
    plain = template.render(Context({"body": "<b>x</b>\n[factbox totals]"}))
    assert plain.startswith("&lt;b&gt;x&lt;/b&gt;\n")
    assert '<aside class="xb xb--totals"' in plain
    trusted = template.render(Context({"body": mark_safe("<b>x</b>\n[factbox nope]")}))
    assert trusted == "<b>x</b>\n[factbox nope]"
    raw = Template(
        "{% load exchanges %}{% autoescape off %}{{ body|factboxes }}{% endautoescape %}"
    )
    assert raw.render(Context({"body": "<i>y</i>"})) == "<i>y</i>"


@pytest.mark.parametrize(
    "body",
    [
        '<a title="[factbox totals]" href="/">link</a>',
        "<p>Write [factbox totals] to embed the totals.</p>",
        "<pre><code>[factbox totals]</code></pre>",
    ],
)
def test_a_shortcode_quoted_inside_text_stays_text(seed, body):
    assert expand(mark_safe(body)) == body


def test_shortcode_output_escapes_what_editors_typed(seed):
    Quote.objects.filter(uuid=QUOTE).update(text=HOSTILE)
    html = expand(mark_safe(f"[factbox quote={QUOTE}]"))
    assert "<aside" in html
    assert "<script>alert" not in html
    assert "&lt;/script&gt;" in html


def test_the_demo_article_renders_its_boxes_and_is_linked_from_home(client, seed):
    home = client.get("/")
    article_url = reverse("article", args=["pow-exchanges-istanbul-2"])
    assert f'href="{article_url}"' in home.text
    page = client.get(article_url)
    text = visible(page.text)
    assert page.text.count('<aside class="xb') == 5
    assert "Ukraine has brought back 5,857 people in 66 exchanges." in text
    assert "Україна повернула 5 857 осіб за 66 обмінів." in text
    assert "Returned under it, official figure as of 28 July 2025 over 1,000" in text
    assert "[factbox" not in text


# Embeds -------------------------------------------------------------------------


def embed_urls():
    return [
        ("/embed/totals/?as_of=2025-07-28&lang=uk", "5 857"),
        ("/embed/agreement/istanbul-2/", "over 1,000"),
        (f"/embed/quote/{QUOTE}/?lang=en", "Given the scale"),
        (f"/embed/exchange/{stable_uuid('exchange', '2025-08-14')}/", "84"),
        ("/embed/timeline/?lang=en", "Prisoner exchanges over time"),
    ]


@pytest.mark.parametrize(("path", "expected"), embed_urls())
def test_embeds_render_and_may_be_framed_by_any_site(client, seed, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    assert expected in visible(response.text)
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert '<script src="/static/exchanges/embed.js">' in response.text
    assert 'type="application/json+oembed"' in response.text


def test_the_rest_of_the_site_is_not_framable(client, seed):
    for path in ["/", "/admin/login/", "/articles/pow-exchanges-istanbul-2/"]:
        assert client.get(path).headers["X-Frame-Options"] == "DENY"


def test_embed_of_a_draft_is_empty_for_readers_and_explained_to_staff(
    client, seed, admin_user, django_user_model
):
    Agreement.objects.filter(slug="istanbul-2").update(status=Status.DRAFT)
    response = client.get("/embed/agreement/istanbul-2/")
    assert response.status_code == 404
    assert visible(response.text) == "Fact box"
    client.force_login(admin_user)
    response = client.get("/embed/agreement/istanbul-2/")
    assert response.status_code == 404
    assert "is not published yet" in response.text
    # Staff who cannot read the records in the admin learn nothing of drafts either.
    manager = django_user_model.objects.create_user("keys", password="x", is_staff=True)
    manager.groups.add(Group.objects.get(name="Partner manager"))
    client.force_login(manager)
    for address in ["/embed/agreement/istanbul-2/", "/embed/agreement/no-such-talks/"]:
        response = client.get(address)
        assert response.status_code == 404
        assert visible(response.text) == "Fact box"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/embed/totals/?as_of=yesterday", "“yesterday” is not a date: use YYYY-MM-DD."),
        ("/embed/totals/?lang=de", "“de” is not a language of the fact boxes: use en, uk."),
        ("/embed/pie/", "“pie” is not a kind of fact box"),
        ("/embed/quote/123/", "“123” is not a record identifier."),
    ],
)
def test_embed_with_bad_arguments_says_what_is_wrong(client, seed, path, message):
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.text


# oEmbed ------------------------------------------------------------------------


def oembed(client, url, **params):
    return client.get("/oembed/", {"url": url, **params})


def test_oembed_response_has_the_fields_the_spec_requires(client, seed):
    url = "http://testserver/embed/totals/?as_of=2025-07-28&lang=en"
    response = oembed(client, url, format="json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["title"] == "Prisoner exchanges"
    assert data["provider_name"] == "Newsroom"
    assert data["provider_url"] == "http://testserver/"
    assert data["cache_age"] == 3600
    assert data["width"] == 600 and data["height"] == 380
    assert data["html"].startswith(
        '<iframe src="http://testserver/embed/totals/?as_of=2025-07-28&amp;lang=en"'
    )
    assert (
        '<script src="http://testserver/static/exchanges/resize.js" async></script>'
        in (data["html"])
    )


def test_oembed_honours_maxwidth_and_maxheight(client, seed):
    data = oembed(client, "http://testserver/embed/totals/", maxwidth="320", maxheight="200").json()
    assert (data["width"], data["height"]) == (320, 200)
    wide = oembed(client, "http://testserver/embed/totals/", maxwidth="5000").json()
    assert wide["width"] == 600


def test_embed_pages_link_their_oembed(client, seed):
    page = client.get("/embed/agreement/istanbul-2/")
    expected = "http://testserver/oembed/?url=" + urlquote(
        "http://testserver/embed/agreement/istanbul-2/", safe=""
    )
    assert f'href="{expected}&amp;format=json"' in page.text
    assert client.get(expected + "&format=json").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/articles/pow-exchanges-istanbul-2/",
        "http://elsewhere.example/embed/totals/",
        "http://testserver/embed/agreement/nowhere/",
        "javascript:alert(1)",
        "http://testserver/no/such/page/",
    ],
)
def test_oembed_for_an_unknown_url_is_404(client, seed, url):
    assert oembed(client, url).status_code == 404


def test_oembed_for_a_draft_is_404(client, seed):
    Agreement.objects.filter(slug="istanbul-2").update(status=Status.DRAFT)
    assert oembed(client, "http://testserver/embed/agreement/istanbul-2/").status_code == 404


def test_oembed_in_another_format_is_501(client, seed):
    response = oembed(client, "http://testserver/embed/totals/", format="xml")
    assert response.status_code == 501


def test_oembed_html_escapes_what_editors_typed(client, seed):
    Agreement.objects.filter(slug="istanbul-2").update(title_en=HOSTILE)
    data = oembed(client, "http://testserver/embed/agreement/istanbul-2/?lang=en").json()
    assert data["title"] == HOSTILE  # JSON carries the text; consumers escape it
    assert "<script>alert" not in data["html"]
    assert 'title="&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)' in data["html"]
    raw = oembed(client, "http://testserver/embed/agreement/istanbul-2/?lang=en").content
    assert json.loads(raw) == data


# Admin --------------------------------------------------------------------------


def test_admin_shows_a_preview_and_snippets_on_each_record(admin_client, seed):
    agreement = Agreement.objects.get(slug="istanbul-2")
    page = admin_client.get(reverse("admin:exchanges_agreement_change", args=[agreement.pk]))
    assert page.text.count('<aside class="xb xb--agreement"') == 2
    assert "Перемовини в Стамбулі, другий раунд" in page.text
    assert "{% load exchanges %}{% factbox &quot;agreement&quot; &quot;istanbul-2&quot; %}" in (
        page.text
    )
    assert "[factbox agreement=istanbul-2]" in page.text
    assert "&lt;iframe src=&quot;http://testserver/embed/agreement/istanbul-2/&quot;" in page.text
    assert "http://testserver/oembed/?url=http%3A%2F%2Ftestserver%2Fembed%2Fagreement" in page.text


def test_admin_preview_of_a_tally_is_pinned_to_its_date(admin_client, seed):
    from exchanges.models import Tally

    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    page = admin_client.get(reverse("admin:exchanges_tally_change", args=[tally.pk]))
    assert "[factbox totals as_of=2025-07-28]" in page.text
    assert "As known on" in page.text


def test_admin_preview_of_a_draft_explains_why_readers_see_nothing(admin_client, seed):
    quote = Quote.objects.get(uuid=QUOTE)
    quote.status = Status.DRAFT
    quote.save()
    page = admin_client.get(reverse("admin:exchanges_quote_change", args=[quote.pk]))
    assert "Fact box not shown to readers." in page.text


def test_hostile_quote_and_speaker_stay_inert_in_embed_and_oembed(client, seed):
    quote = Quote.objects.get(uuid=QUOTE)
    quote.text = HOSTILE
    quote.save()
    quote.speaker.name_en = HOSTILE
    quote.speaker.save()
    page = client.get(f"/embed/quote/{QUOTE}/?lang=en")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert page.text.count("<script") == 2  # JSON-LD and the resize script, nothing else
    data = oembed(client, f"http://testserver/embed/quote/{QUOTE}/?lang=en").json()
    assert "<script>alert" not in data["html"]
    assert data["html"].count("<script") == 1


def test_embeds_and_oembed_answer_head_requests(client, seed):
    assert client.head("/embed/totals/").status_code == 200
    assert client.head("/oembed/", {"url": "http://testserver/embed/totals/"}).status_code == 200


@pytest.mark.parametrize("url", ["http://[::1/embed/totals/", "http://testserver/embed/totals/x/"])
def test_oembed_never_fails_on_odd_urls(client, seed, url):
    assert oembed(client, url).status_code == 404


def test_oembed_ignores_nonsense_limits_and_sizes_its_html(client, seed):
    data = oembed(client, "http://testserver/embed/totals/", maxwidth="-5", maxheight="0").json()
    assert (data["width"], data["height"]) == (600, 380)
    data = oembed(client, "http://testserver/embed/totals/", maxheight="200").json()
    assert data["height"] == 200 and 'height="200"' in data["html"]
