"""
The app's settings, read lazily so ``override_settings`` works and nothing is
read at import time. Each is ``EXCHANGES_<NAME>`` in the project's settings.
"""

from django.conf import settings

DEFAULTS = {
    # Who the oEmbed responses and JSON-LD name as the provider.
    "PROVIDER_NAME": "Newsroom",
    # Seconds partners and oEmbed consumers may cache an embed.
    "OEMBED_CACHE_AGE": 3600,
    # Starting iframe sizes; the resize script fits the height to the content.
    "EMBED_WIDTH": 600,
    "EMBED_HEIGHTS": {
        "totals": 380,
        "agreement": 560,
        "exchange": 420,
        "quote": 420,
        "timeline": 460,
    },
}


class Settings:
    prefix = "EXCHANGES_"

    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"No exchanges setting called {name!r}.")
        return getattr(settings, self.prefix + name, DEFAULTS[name])


app_settings = Settings()
