"""
The app's settings, read lazily so ``override_settings`` works and nothing is
read at import time. Each is ``EXCHANGES_<NAME>`` in the project's settings.
"""

from django.conf import settings

DEFAULTS = {
    # Who the oEmbed responses and JSON-LD name as the provider, and a box's
    # “Cite this” line as its publisher.
    "PROVIDER_NAME": "Newsroom",
    # The site's address (https://example.org), put before the embed path in a
    # box's “Cite this” line; empty: the path alone. Boxes are cached with it,
    # so it comes from the settings, never from a request's host.
    "SITE_URL": "",
    # Seconds partners and oEmbed consumers may cache an embed.
    "OEMBED_CACHE_AGE": 3600,
    # The cache alias the doors keep their answers in (see ``caching``), and
    # for how long an answer stays there unused; a change never waits for it.
    "CACHE": "default",
    "CACHE_SECONDS": 7 * 24 * 3600,
    # Cache-Control of public answers: browsers keep them briefly, a CDN that
    # purges by Surrogate-Key may keep them long (docs/scaling.md).
    "BROWSER_MAX_AGE": 60,
    "CDN_MAX_AGE": 3600,
    # Requests per partner key; counted in the default cache.
    "API_RATE": "1000/hour",
    # Requests per client address to the public doors (embeds, oEmbed and
    # summary/), counted in the default cache; empty or None for no limit.
    # Generous: a reader's page asks a few, a scraper thousands.
    "PUBLIC_RATE": "300/minute",
    # Behind this many proxies that each append to X-Forwarded-For, the client's
    # address is the one the outermost of them saw; 0: REMOTE_ADDR.
    "PROXY_COUNT": 0,
    # Seconds a client is asked to wait (Retry-After) when the database is down.
    "RETRY_AFTER": 30,
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 200,
    # Changes younger than this are held back, so that a transaction still
    # committing cannot slip in behind a partner's cursor.
    "CHANGES_SETTLE_SECONDS": 2,
    # Cursors older than this get 410 Gone: resync from the start.
    "CHANGES_RETENTION_DAYS": 365,
    # The timeline draws a bar per exchange up to this many, then sums by month,
    # quarter or year, so its size and cost do not grow with the data.
    "TIMELINE_MAX_BARS": 120,
    # The totals box and summary/ show the latest statement on at most this
    # many separate cases (the most recently concluded agreements).
    "SEPARATE_CASES": 10,
    # Starting iframe sizes; the resize script fits the height to the content.
    # Heights per kind of box come from the registry (``kinds.BOXES``); a kind
    # named here, e.g. {"totals": 400}, overrides its height.
    # The licence of the open data page's files, and whom to credit.
    "DATA_LICENCE": "CC BY 4.0",
    "DATA_LICENCE_URL": "https://creativecommons.org/licenses/by/4.0/",
    "DATA_ATTRIBUTION": "",
    # Where an uploaded spreadsheet waits between its dry run and its import
    # (None: a folder in the system's temporary directory), and the largest accepted.
    # An import runs inside the request, at about 40 rows a second: the row limit
    # keeps it under a worker's timeout. Larger files go through ``import_data``.
    "IMPORT_DIR": None,
    "IMPORT_MAX_BYTES": 20_000_000,
    "IMPORT_MAX_ROWS": 2_000,
    "EMBED_WIDTH": 600,
    "EMBED_HEIGHTS": {},
}


class Settings:
    prefix = "EXCHANGES_"

    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"No exchanges setting called {name!r}.")
        return getattr(settings, self.prefix + name, DEFAULTS[name])


app_settings = Settings()
