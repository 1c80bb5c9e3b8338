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


@register()
def doors_middleware(app_configs, **kwargs):
    """Without it, bad input, floods and database outages reach the views as 500s."""
    if "exchanges.middleware.DoorsMiddleware" in settings.MIDDLEWARE:
        return []
    return [
        Warning(
            "exchanges.middleware.DoorsMiddleware is not installed: malformed requests, "
            "request floods and database outages give 500s instead of 400, 429 and 503.",
            hint="Add it to MIDDLEWARE after CommonMiddleware.",
            id="exchanges.W002",
        )
    ]
