"""
Open data: every published record, as CSV and JSON files anyone may download.

The files hold what the gate lets through and nothing else (related records
included), in the columns ``import_data`` reads, so a data journalist's copy
can be loaded into another newsroom's install as it is. The page lists the
files with a data dictionary of their columns, the licence and the date of
the last change. Files and page are cached by data version, like every door.
"""

from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from . import boxes, exporting
from .caching import cached, data_version, not_modified, public_headers
from .conf import app_settings
from .layouts import LAYOUTS
from .models import Change
from .views import request_variant
from .wording import date_words

# The public files: CSV for spreadsheets, JSON for programs.
FORMATS = ("csv", "json")


@require_safe
def index(request):
    """The data page: the files, their columns, the licence, when the data last changed."""
    try:
        lang = boxes.parse_lang(request.GET.get("lang"))
    except boxes.BoxError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    version = data_version()
    variant = request_variant(request, "data", lang)
    if (response := not_modified(request, version, variant)) is not None:
        return public_headers(response, version, variant)
    with translation.override(lang):
        html = cached((variant,), lambda: page(request, lang), version)
    response = HttpResponse(html)
    response["Content-Language"] = lang
    return public_headers(response, version, variant)


def page(request, lang):
    last = Change.objects.visible().aggregate(last=Max("at"))["last"]
    if last is not None:
        last = timezone.localtime(last)
    kinds = [
        {
            "name": layout.name,
            "label": layout.model._meta.verbose_name_plural,
            "count": exporting.public_records(layout).count(),
            "columns": [
                column
                for column in layout.columns
                if column.name in exporting.exported_columns(layout)
            ],
            "formats": FORMATS,
        }
        for layout in LAYOUTS.values()
    ]
    context = {
        "kinds": kinds,
        "last_change": last
        and {
            "iso": last.isoformat(timespec="seconds"),
            "words": f"{date_words(last.date())}, {last:%H:%M} {last.tzname()}",
        },
        "lang": lang,
        "provider": app_settings.PROVIDER_NAME,
        "licence": app_settings.DATA_LICENCE,
        "licence_url": app_settings.DATA_LICENCE_URL,
        "attribution": app_settings.DATA_ATTRIBUTION or app_settings.PROVIDER_NAME,
    }
    return render(request, "exchanges/data.html", context).content.decode()


@require_safe
def download(request, kind, format):
    """One kind's published records as a file; built once per data version."""
    if kind not in LAYOUTS or format not in FORMATS:
        raise Http404("No such file.")
    version = data_version()
    variant = request_variant(request, "data-file", kind, format)
    if (response := not_modified(request, version, variant)) is not None:
        return public_headers(response, version, variant)
    content = cached(
        (variant,),
        lambda: b"".join(exporting.chunks(kind, format, public=True)),
        version,
    )
    response = HttpResponse(content, content_type=exporting.FORMATS[format])
    response["Content-Disposition"] = f'attachment; filename="{kind}.{format}"'
    response["Access-Control-Allow-Origin"] = "*"
    return public_headers(response, version, variant)
