"""
Spreadsheets in the admin: import with a dry run first, export of the list as filtered.

Importing takes two steps. The editor uploads a file and sees what it would
create, update and leave alone, and every bad row; nothing is written. Then
they import it, or, having seen the bad rows, import the good ones on
purpose. The file waits in between in ``EXCHANGES_IMPORT_DIR``, named by a
token only its uploader's session can use. A large file shows its progress:
the page asks ``import/progress/<token>/`` while the server works.
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import exporting
from .conf import app_settings
from .importing import Import, ImportRefused
from .layouts import layout_for
from .models import Record

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
EXTENSIONS = (".csv", ".txt", ".xlsx", ".json")
# Files left by an editor who checked and never imported are removed after this.
KEPT_SECONDS = 24 * 3600


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma, semicolon or tab; UTF-8), Excel (.xlsx) or JSON, with a header row. "
            "The columns are listed below."
        ),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the imported records"),
        required=False,
        help_text=gettext_lazy("Otherwise they arrive as drafts, for an editor to publish."),
    )

    def __init__(self, *args, may_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(
                _("Choose a .csv, .xlsx or .json file; “%(name)s” is none of these.")
                % {"name": upload.name}
            )
        if upload.size > app_settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it, and import the parts.")
                % {"size": app_settings.IMPORT_MAX_BYTES // 1_000_000}
            )
        return upload


def import_dir():
    folder = Path(app_settings.IMPORT_DIR or Path(tempfile.gettempdir()) / "exchanges-imports")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def waiting_file(user, token):
    """The uploaded file a token names, if it is this user's and still there."""
    if not TOKEN.match(token or ""):
        return None
    found = sorted(import_dir().glob(f"{user.pk}-{token}.*"))
    return found[0] if found else None


def clear_old_files():
    cutoff = time.time() - KEPT_SECONDS
    for old in import_dir().glob("*-*.*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def progress_key(user, token):
    return f"exchanges:import-progress:{user.pk}:{token}"


def reporting_progress(user, token):
    """A progress callback that keeps the rows done in the cache, for the page to show."""
    last = {"at": 0.0}
    cache.set(progress_key(user, token), {"done": 0, "total": None}, 3600)

    def progress(done, total):
        now = time.monotonic()
        if now - last["at"] >= 0.5 or done == total:
            last["at"] = now
            cache.set(progress_key(user, token), {"done": done, "total": total}, 3600)

    return progress


class SpreadsheetAdmin:
    """Import and export for a model admin whose model has a layout (``layouts``)."""

    change_list_template = "admin/exchanges/spreadsheet_change_list.html"
    # The template the list page extends (django-reversion's adds “Recover deleted”).
    spreadsheet_parent = "admin/change_list.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            path(
                "import/progress/<str:token>/",
                self.admin_site.admin_view(self.import_progress_view),
                name=f"{prefix}_import_progress",
            ),
            path(
                "export/<slug:format>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{prefix}_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        extra_context = {
            **(extra_context or {}),
            "spreadsheet_parent": self.spreadsheet_parent,
            "may_import": self.has_add_permission(request),
            "exports": [
                (
                    format.upper(),
                    reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_export",
                        args=[format],
                    )
                    + (f"?{query}" if query else ""),
                )
                for format in exporting.FORMATS
            ],
        }
        return super().changelist_view(request, extra_context)

    def may_publish_imports(self, request):
        return issubclass(self.model, Record) and request.user.has_perm(
            f"{self.opts.app_label}.publish_{self.opts.model_name}"
        )

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        layout = layout_for(self.model)
        may_publish = self.may_publish_imports(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import %(kind)s") % {"kind": self.opts.verbose_name_plural},
            "layout": layout,
            "may_publish": may_publish,
            "token": secrets.token_urlsafe(18),
        }
        form = ImportForm(may_publish=may_publish)
        if request.method == "POST" and "token" in request.POST and "file" not in request.FILES:
            return self.import_waiting(request, context)
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, may_publish=may_publish)
            token = request.POST.get("progress", "")
            if form.is_valid() and TOKEN.match(token):
                clear_old_files()
                upload = form.cleaned_data["file"]
                suffix = Path(upload.name).suffix.lower()
                stored = import_dir() / f"{request.user.pk}-{token}{suffix}"
                with open(stored, "wb") as file:
                    for chunk in upload.chunks():
                        file.write(chunk)
                context.update(
                    token=token,
                    name=get_valid_filename(Path(upload.name).name),
                    publish=form.cleaned_data.get("publish", False),
                )
                return self.run_import(request, context, stored, dry_run=True)
        context["form"] = form
        return TemplateResponse(request, "admin/exchanges/import.html", context)

    def import_waiting(self, request, context):
        """Step two: the file checked a moment ago, imported for real."""
        token = request.POST.get("token", "")
        stored = waiting_file(request.user, token)
        if stored is None:
            messages.error(request, _("That file is no longer here: upload it again."))
            return redirect(request.path)
        publish = request.POST.get("publish") == "1" and context["may_publish"]
        context.update(
            token=token,
            name=get_valid_filename(request.POST.get("name", "") or stored.name),
            publish=publish,
        )
        skip = request.POST.get("skip_bad_rows") == "1"
        return self.run_import(request, context, stored, dry_run=False, skip_bad_rows=skip)

    def run_import(self, request, context, stored, dry_run, skip_bad_rows=False):
        importer = Import(
            self.model._meta.model_name,
            request.user,
            publish=context["publish"],
            skip_bad_rows=skip_bad_rows,
            dry_run=dry_run,
            progress=reporting_progress(request.user, context["token"]),
            max_rows=app_settings.IMPORT_MAX_ROWS,
        )
        try:
            with open(stored, "rb") as file:
                report = importer.run(file, context["name"])
        except ImportRefused as error:
            stored.unlink(missing_ok=True)
            raise PermissionDenied(str(error)) from None
        if report.written:
            stored.unlink(missing_ok=True)
            level = messages.WARNING if report.bad_rows else messages.SUCCESS
            messages.add_message(request, level, report.summary())
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        context.update(
            report=report, dry_run=dry_run, more_problems=report.bad_rows - len(report.problems)
        )
        return TemplateResponse(request, "admin/exchanges/import.html", context)

    def import_progress_view(self, request, token):
        if not self.has_add_permission(request) or not TOKEN.match(token):
            raise Http404
        done = cache.get(progress_key(request.user, token)) or {"done": 0, "total": None}
        return JsonResponse(done)

    def export_view(self, request, format):
        if format not in exporting.FORMATS:
            raise Http404
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            records = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("These filters do not apply to this list."))
        kind = layout_for(self.model).name
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        name = f"{kind}-{stamp}.{format}"
        if format == "xlsx":
            response = FileResponse(
                exporting.xlsx_file(kind, records), content_type=exporting.FORMATS[format]
            )
        else:
            response = StreamingHttpResponse(
                exporting.chunks(kind, format, records), content_type=exporting.FORMATS[format]
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
