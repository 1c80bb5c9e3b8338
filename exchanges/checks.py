"""System checks for settings the app cannot work well without."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def shared_cache(app_configs, **kwargs):
    """Throttling counts in the default cache; a per-process cache lets limits multiply."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        Warning(
            "The default cache is not shared between server processes, so each process "
            "counts partners' requests on its own and the API rate limit multiplies.",
            hint="Use a shared cache such as Redis (REDIS_URL in the demo site).",
            id="exchanges.W001",
        )
    ]
