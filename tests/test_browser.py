"""
Embeds in a real browser: Debian's Chromium, driven by Playwright.

A partner's page on one origin frames a fact box served from another, using
the snippet our oEmbed endpoint hands out, as a CMS would.
"""

import json
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from exchanges.seed import load_seed, stable_uuid

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture
def seeded_server(live_server, transactional_db):
    load_seed()
    return live_server


@pytest.fixture
def partner_site():
    """A partner's page on another origin (127.0.0.1 rather than localhost, its own port)."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "").encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield pages, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def oembed_html(server_url, embed_path):
    query = urllib.parse.urlencode({"url": server_url + embed_path, "format": "json"})
    with urllib.request.urlopen(f"{server_url}/oembed/?{query}") as response:
        return json.load(response)["html"]


def partner_page(snippet):
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,"><title>Partner article</title></head>'
        "<body><h1>A partner's article</h1><p>Figures from our partner:</p>"
        f"{snippet}<p>The article goes on.</p></body></html>"
    )


def open_embed(browser, pages, partner_url, server_url, embed_path, width, scheme="light"):
    """Load a partner page framing the embed; return the page, its frame and console errors."""
    assert server_url.split("//")[1].split(":")[0] != "127.0.0.1"  # two origins
    pages["/article"] = partner_page(oembed_html(server_url, embed_path))
    page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{partner_url}/article")
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe[data-exchanges-embed]');"
        " return f && parseFloat(f.style.height) > 0; }"
    )
    frame = next(frame for frame in page.frames if "/embed/" in frame.url)
    frame.wait_for_selector("aside.xb")
    # The last resize message lands: the frame is as tall as the box it shows.
    wanted = frame.evaluate("document.documentElement.getBoundingClientRect().height")
    page.wait_for_function(
        "wanted => Math.abs(document.querySelector('iframe[data-exchanges-embed]')"
        ".getBoundingClientRect().height - wanted) <= 2",
        arg=wanted,
    )
    return page, frame, errors


@pytest.mark.parametrize(
    ("embed_path", "expected"),
    [
        ("/embed/totals/?as_of=2025-07-28&lang=en", "5,857"),
        ("/embed/totals/?as_of=2025-07-28&lang=uk", "5\xa0857"),
        ("/embed/agreement/istanbul-2/?as_of=2025-07-28", "over 1,000"),
        ("/embed/timeline/?lang=en", "Prisoner exchanges over time"),
    ],
)
@pytest.mark.parametrize("width", [320, 1200])
def test_embed_renders_and_fits_across_origins(
    browser, seeded_server, partner_site, embed_path, expected, width
):
    pages, partner_url = partner_site
    page, frame, errors = open_embed(
        browser, pages, partner_url, seeded_server.url, embed_path, width
    )
    try:
        assert expected in frame.inner_text("aside.xb")
        frame_height = frame.evaluate("document.documentElement.getBoundingClientRect().height")
        iframe_height = page.evaluate(
            "document.querySelector('iframe[data-exchanges-embed]').getBoundingClientRect().height"
        )
        assert abs(iframe_height - frame_height) <= 2, (iframe_height, frame_height)
        # No horizontal scroll, in the box or on the partner's page.
        assert frame.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert errors == []
        OUTPUT.mkdir(exist_ok=True)
        name = embed_path.split("?")[0].strip("/").replace("/", "-")
        lang = "uk" if "lang=uk" in embed_path else "en"
        page.screenshot(path=OUTPUT / f"{name}-{lang}-{width}.png", full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_box_text_meets_aa_contrast(browser, seeded_server, partner_site, scheme):
    pages, partner_url = partner_site
    page, frame, errors = open_embed(
        browser,
        pages,
        partner_url,
        seeded_server.url,
        "/embed/totals/?as_of=2025-07-28&lang=en",
        600,
        scheme=scheme,
    )
    try:
        colours = frame.evaluate(
            """() => {
                const box = getComputedStyle(document.querySelector('aside.xb'));
                const muted = getComputedStyle(document.querySelector('.xb__figure dt'));
                return [box.backgroundColor, box.color, muted.color];
            }"""
        )
        background, text, muted = (rgb(colour) for colour in colours)
        # The palette follows the reader's preference.
        assert (luminance(background) < 0.1) == (scheme == "dark")
        assert contrast(text, background) >= 4.5
        assert contrast(muted, background) >= 4.5
        assert errors == []
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=OUTPUT / f"embed-totals-en-{scheme}.png", full_page=True)
    finally:
        page.close()


def rgb(css):
    return [int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]


def luminance(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


EVERY_BOX = [
    "/embed/totals/",
    "/embed/totals/?as_of=2022-03-01",  # before any official figure: a box that says so
    "/embed/agreement/istanbul-2/",
    f"/embed/exchange/{stable_uuid('exchange', '2025-07-23')}/",
    f"/embed/quote/{stable_uuid('quote', 'yusov-2025-07-28')}/",
    "/embed/timeline/",
]


def overflow(page):
    """How far anything sticks out to the right of the viewport, in CSS pixels."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            let worst = document.documentElement.scrollWidth - width;
            for (const element of document.querySelectorAll('aside.xb *')) {
                const right = element.getBoundingClientRect().right;
                if (element.closest('.xb__scroll') === null) worst = Math.max(worst, right - width);
            }
            return worst;
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 600, 1200])
def test_every_box_fits_every_width_in_both_languages(browser, seeded_server, width, scheme):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for path in EVERY_BOX:
            for lang in ("en", "uk"):
                joiner = "&" if "?" in path else "?"
                response = page.goto(f"{seeded_server.url}{path}{joiner}lang={lang}")
                assert response.status == 200, path
                page.wait_for_selector("aside.xb")
                assert overflow(page) <= 0.5, (path, lang, width, scheme, overflow(page))
                assert page.evaluate("document.querySelector('aside.xb').lang") == lang
        assert errors == []
    finally:
        page.close()


def test_the_chart_hatches_undisclosed_figures_and_keeps_its_text_readable(browser, seeded_server):
    page = browser.new_page(viewport={"width": 320, "height": 900})
    try:
        page.goto(f"{seeded_server.url}/embed/timeline/?lang=uk")
        hatched = page.locator("rect.xb__seg--unknown").first
        fill = hatched.evaluate("rect => getComputedStyle(rect).fill")
        assert fill.startswith('url("#') and fill.endswith('-hatch")'), fill
        # The hatching really renders: stripes of two colours, not one flat fill.
        OUTPUT.mkdir(exist_ok=True)
        shot = OUTPUT / "timeline-hatching-320.png"
        hatched.screenshot(path=shot)
        from PIL import Image

        image = Image.open(shot).convert("RGB")
        inside = image.crop((1, 1, image.width - 1, image.height - 1))  # within the outline
        colours = inside.getcolors(maxcolors=10_000)
        strong = [count for count, _colour in colours if count >= 3]
        assert len(strong) >= 2, (image.size, colours)
        # Axis text keeps a readable size from 320 to 1200 px: at least 11 px as drawn.
        for width in (320, 600, 1200):
            page.set_viewport_size({"width": width, "height": 900})
            sizes = page.evaluate(
                """() => [...document.querySelectorAll('text.xb__tick')].map(text =>
                    parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a)"""
            )
            assert len(sizes) >= 5 and 11 <= min(sizes) <= max(sizes) <= 14, (width, sizes)
        page.set_viewport_size({"width": 320, "height": 900})
        ticks = page.locator("text.xb__tick").evaluate_all(
            "texts => texts.map(text => text.lastChild.textContent)"
        )
        assert "2023" in ticks and "2024" in ticks
        page.screenshot(path=OUTPUT / "timeline-uk-320.png", full_page=True)
    finally:
        page.close()
