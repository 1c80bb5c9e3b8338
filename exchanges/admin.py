import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from reversion.admin import VersionAdmin
from reversion.models import Version

from .arithmetic import difference
from .audit import address_of, key_revoked
from .figures import Figure
from .forms import QuoteForm, RecordForm, RoleForm, StageForm, TallyForm, TranslationsFormSet
from .history import diffs, keep_counting, restorable
from .history import register as register_history
from .models import (
    EDITORS_ONLY,
    Agreement,
    AuditEvent,
    Category,
    Correction,
    Exchange,
    Organisation,
    Partner,
    PartnerAPIKey,
    Person,
    Quote,
    QuoteTranslation,
    Record,
    Role,
    Statement,
    Status,
    Tally,
    Transition,
)
from .rendering import render_box, snippets
from .services import correct_role
from .spreadsheets import SpreadsheetAdmin
from .wording import by_words, pinned_words

# Before VersionAdmin registers the models itself, without our exclusions.
register_history()

RECORD_FIELDS = (
    _("Publication"),
    {
        "fields": [
            ("status", "published_at"),
            ("status_changed_by", "status_changed_at"),
            ("uuid", "version"),
            ("created_at", "updated_at"),
            "expected_version",
            "confirmed",
        ]
    },
)
RECORD_READONLY = [
    "status",
    "status_changed_by",
    "status_changed_at",
    "uuid",
    "version",
    "created_at",
    "updated_at",
]
SOURCE_FIELDS = (
    _("Source"),
    {
        "fields": ["source_name", "source_url"],
        "description": _(
            "Required to publish an exchange, a tally or a quote: the outlet or document "
            "and its date, a link, or both. Fact boxes print it in both languages."
        ),
    },
)
FIGURES_HELP = _(
    "Enter each figure as the source gave it, with its qualifier: “over a thousand” is "
    "1,000 and “over”; “at least 7,000” is 7,000 and “at least”; “1,000 to 1,200” is "
    "1,000, “between” and 1,200 as the upper number. Leave the number empty and choose "
    "“unknown” when it was not disclosed."
)


def gap_words(official, recorded, noun):
    """How far the official figure is above the recorded one, as far as can be told."""
    gap = difference(official, recorded)
    more, fewer = gap.figure(), (-gap).figure()
    if more == Figure(0):
        return _("%(noun)s: none") % {"noun": noun}
    if more is not None and more.is_known:
        if more.value == 0:  # “over 0” or “at least 0”: more, by how much cannot be told
            return _("%(noun)s: more than recorded") % {"noun": noun}
        return _("%(noun)s: %(by)s more than recorded") % {"noun": noun, "by": by_words(more)}
    if fewer is not None and fewer.is_known and fewer.value:
        return _("%(noun)s: %(by)s fewer than recorded") % {"noun": noun, "by": by_words(fewer)}
    return _("%(noun)s: cannot be told from these figures") % {"noun": noun}


class ShownOnly(Exception):
    """A recovery that was only looked at: its transaction is rolled back."""

    def __init__(self, response):
        super().__init__(response)
        self.response = response


def restore_deleted(version):
    """
    Write back the deleted record of ``version`` and the parts deleted with it
    (its revision's other versions whose rows are gone): the versions restored.
    """
    versions = [version] + [
        other
        for other in version.revision.version_set.exclude(pk=version.pk)
        if not other._model._default_manager.filter(pk=other.object_id).exists()
    ]
    for item in versions:
        item.revert()
    return versions


def for_editors(record):
    """Whether only editors may change ``record``: it is (or was) published."""
    return record.status not in (Status.DRAFT, Status.REVIEW)


def may_publish(request, model):
    return request.user.has_perm(f"exchanges.publish_{model._meta.model_name}")


class PublicationFilter(admin.SimpleListFilter):
    """Where records stand, scheduled ones apart: they are published but not yet public."""

    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("live", _("published and live")),
            ("scheduled", _("scheduled")),
            (Status.REVIEW, _("in review")),
            (Status.DRAFT, _("draft")),
            (Status.UNPUBLISHED, _("unpublished")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


class RecordAdmin(SpreadsheetAdmin, VersionAdmin, TranslationAdmin):
    """
    What the admin of every public record shares: the editorial workflow.

    Status moves only through transitions (buttons and actions), each checked
    against the user's permissions here, on the server, not just hidden.
    """

    form = RecordForm
    spreadsheet_parent = "reversion/change_list.html"
    change_form_template = "admin/exchanges/change_form.html"
    object_history_template = "admin/exchanges/object_history.html"
    readonly_fields = RECORD_READONLY
    actions = ["submit_for_review", "publish", "unpublish", "return_to_draft"]
    # Django 6 will assume https for links typed without a scheme; so do we, today.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_publish_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.publish_{self.opts.model_name}")

    def has_change_permission(self, request, obj=None):
        """Reporters edit drafts and records in review; published ones are for editors."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or self.has_publish_permission(request):
            return True
        return not for_editors(obj)

    def has_delete_permission(self, request, obj=None):
        # For everyone else deleting is unpublishing: the record and its history stay.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        AuditEvent.note(AuditEvent.Action.DELETE, request.user, obj, address=address_of(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            self.delete_model(request, record)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.status == Status.PUBLISHED and obj.corrected_fields:
            fieldsets.insert(
                -1,
                (
                    _("Public correction"),
                    {
                        "fields": ["correction_note", "correction_note_uk"],
                        "description": _(
                            "This record is published. If you change a figure, a date or "
                            "quote text, say so here: the note appears with the record in "
                            "fact boxes, the API and feeds, and the old value stays in the "
                            "history."
                        ),
                    },
                ),
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("published_at")
        return fields

    def transitions_for(self, request, obj):
        """The moves this user may make on this record now."""
        return [
            transition
            for transition in Transition
            if obj.can_make(transition)
            and (transition not in EDITORS_ONLY or self.has_publish_permission(request))
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        transition = request.POST.get("_transition") if request.method == "POST" else None
        # Refused before the form is checked: a reporter is not shown an editor's warnings.
        if transition and (
            transition not in Transition.values
            or (transition in EDITORS_ONLY and not self.has_publish_permission(request))
        ):
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_change_permission(request, obj):
            extra_context = {
                **(extra_context or {}),
                "transitions": self.transitions_for(request, obj),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "transitions": [Transition.SUBMIT]}
        if self.has_publish_permission(request):
            extra_context["transitions"].append(Transition.PUBLISH)
        return super().add_view(request, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        version = getattr(request, "exchanges_restoring", None)
        if version is None or request.method != "GET":
            # A posted revert is compared with the record as it is now, so the
            # correction rule sees every figure it changes.
            return form
        return type(form.__name__, (form,), {"restored": restorable(version, form.base_fields)})

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """
        Reverting is an edit of the record as it is now (Wagtail's rule): the
        form holds the earlier version's content, and saving it needs the same
        permission, the same correction note and the same publishing as typing
        it in. Parts edited with the record keep their own history.
        """
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        version = get_object_or_404(Version.objects.get_for_object(record), pk=version_id)
        request.exchanges_restoring = version
        saved_on = formats.localize(timezone.localtime(version.revision.date_created))
        if request.method == "GET" and self.has_change_permission(request, record):
            self.message_user(
                request,
                _(
                    "The form holds the version saved on %(date)s: nothing changes until you "
                    "save, and saving is an edit like any other. A published record stays "
                    "published, and a changed figure needs a correction note."
                )
                % {"date": saved_on},
                messages.INFO,
            )
        context = {
            "title": _("Revert %(name)s") % {"name": version.object_repr},
            **(extra_context or {}),
        }
        # Named in the revision only if the save goes through.
        self.note_in_history(
            request, _("Reverted to the version saved on %(date)s") % {"date": saved_on}
        )
        return self.change_view(request, object_id, request.path, context)

    def recover_view(self, request, version_id, extra_context=None):
        """
        A deleted record of this model comes back as a draft, with the parts
        deleted with it; nothing that still exists is rewritten. It is
        published again like any other draft.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        request.exchanges_recovering = version
        context = {
            "title": _("Recover %(name)s") % {"name": version.object_repr},
            "recover": True,
            **(extra_context or {}),
        }
        try:
            with transaction.atomic(using=version.db):
                restored = restore_deleted(version)
                request.exchanges_recovered = restored
                with self.create_revision(request):
                    response = self.changeform_view(
                        request, version.object_id, request.path, context
                    )
                if request.method != "POST" or response.status_code != 302:
                    # Only shown: the restore is undone with the transaction.
                    response.template_name = self.recover_form_template or (
                        self._reversion_get_template_list("recover_form.html")
                    )
                    response.render()
                    raise ShownOnly(response)
        except ShownOnly as shown:
            return shown.response
        return response

    def recovered_as_draft(self, request, obj):
        """The record, and the parts restored with it, are drafts until an editor publishes."""
        for version in request.exchanges_recovered:
            model = version._model
            if issubclass(model, Record) and model is not type(obj):
                model.objects.filter(pk=version.object_id).update(
                    status=Status.DRAFT, published_at=None
                )
        obj.status, obj.published_at = Status.DRAFT, None
        obj.status_changed_by, obj.status_changed_at = request.user, timezone.now()
        self.note_in_history(request, _("Recovered as a draft"))
        AuditEvent.note(AuditEvent.Action.RECOVER, request.user, obj, address=address_of(request))

    def save_model(self, request, obj, form, change):
        keep_counting(obj)
        if getattr(request, "exchanges_recovering", None) is not None:
            self.recovered_as_draft(request, obj)
        restoring = getattr(request, "exchanges_restoring", None)
        if restoring is not None:
            saved_on = timezone.localtime(restoring.revision.date_created)
            AuditEvent.note(
                AuditEvent.Action.REVERT,
                request.user,
                obj,
                _("to the version saved on %(date)s") % {"date": formats.localize(saved_on)},
                address=address_of(request),
            )
        transition = request.POST.get("_transition")
        if transition:
            if transition not in Transition.values:
                raise PermissionDenied
            if transition in EDITORS_ONLY and not self.has_publish_permission(request):
                raise PermissionDenied
            if obj.can_make(transition):
                obj.make(transition, request.user)
                self.note_in_history(request, Transition(transition).label)
            else:
                messages.error(
                    request,
                    _(
                        "Saved, but not moved: a record that is %(status)s cannot be moved "
                        "with “%(transition)s”."
                    )
                    % {
                        "status": obj.get_status_display(),
                        "transition": Transition(transition).label,
                    },
                )
        super().save_model(request, obj, form, change)
        correction = getattr(form, "correction", None)
        if correction:
            Correction.objects.create(record=obj, corrected_by=request.user, **correction)
            self.note_in_history(
                request, _("Corrected: %(note)s") % {"note": correction["note_en"]}
            )

    def note_in_history(self, request, note):
        """Name what a save did (a transition, a correction) in its revision."""
        request.exchanges_history_notes = [*getattr(request, "exchanges_history_notes", []), note]

    def log_addition(self, request, obj, message):
        super().log_addition(request, obj, message)
        self.name_revision(request)

    def log_change(self, request, obj, message):
        super().log_change(request, obj, message)
        self.name_revision(request)

    def name_revision(self, request):
        notes = getattr(request, "exchanges_history_notes", [])
        if notes and reversion.is_active():
            reversion.set_comment("; ".join(str(note) for note in notes))

    @admin.display(description=_("publication"), ordering="published_at")
    def publication(self, record):
        if record.is_scheduled:
            return _("scheduled for %(when)s") % {
                "when": formats.localize(timezone.localtime(record.published_at))
            }
        return record.get_status_display()

    def history_view(self, request, object_id, extra_context=None):
        """The record's versions, each with what changed: field, old value, new value."""
        record = self.get_object(request, unquote(object_id))
        if record is not None:
            opts = self.opts
            extra_context = {
                **(extra_context or {}),
                "action_list": [
                    {
                        "revision": item["version"].revision,
                        "changes": item["changes"],
                        "url": reverse(
                            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                            args=[record.pk, item["version"].pk],
                        ),
                    }
                    for item in diffs(record)
                ],
            }
        return super().history_view(request, object_id, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        confirm = [e for e in form.non_field_errors().as_data() if e.code == "confirm"]
        if confirm and len(context["errors"]) == 1:
            # Only a question for the editor, not an error: no red banner.
            context["errors"] = []
            for question in confirm:
                self.message_user(request, question.message % question.params, messages.WARNING)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record = form.instance
        if not isinstance(record, Statement) or record.status != Status.PUBLISHED:
            return
        said = {record.person_field, record.roles_field, record.organisation_field}
        # Published as it stands now; later edits of roles or names do not rewrite it.
        if not record.attribution or said & set(form.changed_data):
            record.freeze_attribution()

    def make_transition(self, request, queryset, transition):
        moved = skipped = 0
        reversion.set_comment(Transition(transition).label)
        for record in queryset:
            # The rules the form applies, record by record: nothing moves unchecked.
            errors = record.transition_errors(transition) if record.can_make(transition) else {}
            if errors:
                for field, message in errors.items():
                    label = record._meta.get_field(field).verbose_name if field else None
                    where = f"{record} ({label})" if label else str(record)
                    self.message_user(request, f"{where}: {message}", messages.ERROR)
                skipped += 1
            elif record.can_make(transition):
                record.make(transition, request.user)
                record.save()
                published = transition == Transition.PUBLISH
                if published and isinstance(record, Statement) and not record.attribution:
                    record.freeze_attribution()
                moved += 1
            else:
                skipped += 1
        message = _("%(label)s: %(moved)s moved, %(skipped)s left as they were.") % {
            "label": Transition(transition).label,
            "moved": moved,
            "skipped": skipped,
        }
        self.message_user(request, message, messages.SUCCESS if moved else messages.WARNING)

    @admin.action(description=Transition.SUBMIT.label, permissions=["change"])
    def submit_for_review(self, request, queryset):
        self.make_transition(request, queryset, Transition.SUBMIT)

    def confirm_pinned(self, request, queryset, transition):
        """
        A page that names the pinned boxes a bulk move would change, or None when
        it changes none or the editor has confirmed.
        """
        if request.POST.get("confirmed") == "yes":
            return None
        changes = [
            (record, pinned_words(*change))
            for record in queryset
            if record.can_make(transition)
            and not record.transition_errors(transition)  # refused anyway: nothing to confirm
            and (change := record.pinned_change())
        ]
        if not changes:
            return None
        return TemplateResponse(
            request,
            "admin/exchanges/confirm_pinned.html",
            {
                **self.admin_site.each_context(request),
                "title": _("%(action)s: check the pinned fact boxes first")
                % {"action": Transition(transition).label},
                "opts": self.opts,
                "changes": changes,
                "action": transition,
                "action_label": Transition(transition).label,
                "selected": queryset.values_list("pk", flat=True),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=Transition.PUBLISH.label, permissions=["publish"])
    def publish(self, request, queryset):
        """Publish, once the editor has seen which pinned boxes that changes."""
        return self.confirm_pinned(request, queryset, Transition.PUBLISH) or self.make_transition(
            request, queryset, Transition.PUBLISH
        )

    @admin.action(description=Transition.UNPUBLISH.label, permissions=["publish"])
    def unpublish(self, request, queryset):
        """Withdraw, once the editor has seen which pinned boxes that changes."""
        return self.confirm_pinned(request, queryset, Transition.UNPUBLISH) or self.make_transition(
            request, queryset, Transition.UNPUBLISH
        )

    @admin.action(description=Transition.RETURN_TO_DRAFT.label, permissions=["publish"])
    def return_to_draft(self, request, queryset):
        self.make_transition(request, queryset, Transition.RETURN_TO_DRAFT)


class FactBoxAdminMixin:
    """Shows, on a record's change page, its fact box in each language and how to embed it."""

    def factbox_args(self, obj):
        """(kind, key, as_of) of the box this record stands behind."""
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            kind, key, as_of = self.factbox_args(obj)
            extra_context = {
                **(extra_context or {}),
                "factbox_previews": [
                    (name, render_box(kind, key, as_of=as_of, lang=code, staff=True, heading=3))
                    for code, name in settings.LANGUAGES
                ],
                "factbox_snippets": snippets(request, kind, key, as_of=as_of),
                "factbox_unpublished": not obj.is_public,
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    """A category's name is printed with every agreement and exchange filed under it."""

    list_display = ["name", "slug"]
    search_fields = ["name_en", "name_uk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def shown_with_published(self, category):
        return any(
            for_editors(record)
            for record in [*category.agreements.only("status"), *category.exchanges.only("status")]
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or may_publish(request, Agreement):
            return True
        return not self.shown_with_published(obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(
            request, obj
        )


def admin_url(record):
    return reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
    )


class SpeakerAdmin(RecordAdmin):
    """
    People and organisations stay published while published statements name
    them; an editor may withdraw them together with those statements instead.
    """

    actions = [*RecordAdmin.actions, "unpublish_with_statements"]

    @admin.action(
        description=_("Unpublish, with the published statements that name them"),
        permissions=["publish"],
    )
    def unpublish_with_statements(self, request, queryset):
        speakers = [speaker for speaker in queryset if speaker.can_make(Transition.UNPUBLISH)]
        named = [(speaker, speaker.published_statements()) for speaker in speakers]
        statements = [statement for _speaker, said in named for statement in said]
        kinds = {statement._meta.model_name for statement in statements}
        if not all(request.user.has_perm(f"exchanges.publish_{kind}") for kind in kinds):
            self.message_user(request, _("You may not unpublish those statements."), messages.ERROR)
            return None
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/exchanges/confirm_withdrawal.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Unpublish, with the statements that name them"),
                    "opts": self.opts,
                    "named": [
                        (
                            speaker,
                            [
                                (statement, statement._meta.verbose_name, admin_url(statement))
                                for statement in said
                            ],
                        )
                        for speaker, said in named
                    ],
                    "action": "unpublish_with_statements",
                    "selected": queryset.values_list("pk", flat=True),
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        reversion.set_comment(_("Unpublished, with the statements that name them"))
        with transaction.atomic():
            for record in [*statements, *speakers]:
                errors = record.transition_errors(Transition.UNPUBLISH)
                if errors:
                    # Nothing half done: the statements come back with the refusal.
                    transaction.set_rollback(True)
                    for message in errors.values():
                        self.message_user(request, f"{record}: {message}", messages.ERROR)
                    return None
                record.make(Transition.UNPUBLISH, request.user)
                record.save()
        self.message_user(
            request,
            ngettext(
                "Unpublished %(speakers)s and %(statements)s statement that named them.",
                "Unpublished %(speakers)s and %(statements)s statements that named them.",
                len(statements),
            )
            % {
                "speakers": ", ".join(str(speaker) for speaker in speakers),
                "statements": len(statements),
            },
            messages.SUCCESS,
        )
        return None


@admin.register(Organisation)
class OrganisationAdmin(SpeakerAdmin):
    list_display = ["name", "short_name", "kind", "publication"]
    list_filter = [PublicationFilter, "kind"]
    search_fields = ["name_en", "name_uk", "short_name_en", "short_name_uk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "url"]}),
        RECORD_FIELDS,
    ]


class RoleInline(TranslationTabularInline):
    model = Role
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["title", "organisation", "started_on", "ended_on"]


@admin.register(Person)
class PersonAdmin(SpeakerAdmin):
    list_display = ["name", "rank", "current_roles", "publication"]
    list_filter = [PublicationFilter]
    search_fields = ["name_en", "name_uk", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["photo_credit"]
    inlines = [RoleInline]
    readonly_fields = [*RECORD_READONLY, "cited_in"]
    fieldsets = [
        (None, {"fields": ["name", "rank", "slug", ("photo", "photo_credit")]}),
        (_("Statements"), {"fields": ["cited_in"]}),
        RECORD_FIELDS,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edited = form.changed_data or any(formset.has_changed() for formset in formsets)
        statements = form.instance.published_statements() if change and edited else []
        if statements:
            self.message_user(
                request,
                _(
                    "%(count)s published statements cite %(person)s; they keep the name and "
                    "roles they were published with. To reword them, open the role and apply "
                    "the edit as a correction."
                )
                % {"count": len(statements), "person": form.instance},
                messages.WARNING,
            )

    @admin.display(description=_("published statements"))
    def cited_in(self, person):
        return statement_links(person.published_statements() if person.pk else [])

    @admin.display(description=_("roles"))
    def current_roles(self, person):
        return "; ".join(role.title for role in person.roles.all() if role.ended_on is None)


def statement_links(statements):
    """Links to statements' admin pages, for an editor deciding on a correction."""
    if not statements:
        return _("None.")
    return format_html_join(
        mark_safe("<br>"),
        '<a href="{}">{}</a>',
        (
            (reverse(f"admin:exchanges_{s._meta.model_name}_change", args=[s.pk]), s)
            for s in statements
        ),
    )


@admin.register(Role)
class RoleAdmin(SpreadsheetAdmin, TranslationAdmin):
    """A person's role; editing it leaves published statements as they were published."""

    form = RoleForm
    list_display = ["person", "title", "organisation", "started_on", "ended_on"]
    list_filter = ["organisation"]
    search_fields = ["title_en", "title_uk", "person__name_en", "person__name_uk"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]
    readonly_fields = ["cited_in"]
    fieldsets = [
        (None, {"fields": ["person", "title", "organisation", ("started_on", "ended_on")]}),
        (
            _("Published statements"),
            {
                "fields": [
                    "cited_in",
                    "apply_to_published",
                    "correction_note",
                    "correction_note_uk",
                ],
            },
        ),
    ]

    def has_change_permission(self, request, obj=None):
        """A published person's roles are public: an editor's to change."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_publish(request, Person) or not for_editors(obj.person)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(
            request, obj
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"may_publish": may_publish(request, Person)})

    @admin.display(description=_("cited by these published statements"))
    def cited_in(self, role):
        return statement_links(role.published_statements() if role.pk else [])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        statements = obj.published_statements() if change else []
        if form.cleaned_data.get("apply_to_published"):
            count = correct_role(
                obj,
                form.cleaned_data["correction_note"].strip(),
                form.cleaned_data.get("correction_note_uk", "").strip(),
                request.user,
            )
            self.message_user(
                request,
                _("Applied to %(count)s published statements, each with the correction note.")
                % {"count": count},
            )
        elif statements and form.changed_data:
            self.message_user(
                request,
                _(
                    "%(count)s published statements cite this role; they keep the wording "
                    "they were published with."
                )
                % {"count": len(statements)},
                messages.WARNING,
            )


class ExchangeInline(admin.TabularInline):
    """An agreement's stages, edited where editors think of them."""

    model = Exchange
    form = StageForm
    extra = 0
    fk_name = "agreement"
    fields = [
        "date",
        "stage",
        "returned",
        "returned_precision",
        "returned_upper",
        "handed_over",
        "handed_over_precision",
        "handed_over_upper",
        "counts_toward_tally",
        "status",
        "expected_version",
    ]
    readonly_fields = ["status"]
    show_change_link = True
    ordering = ["date"]

    def get_formset(self, request, obj=None, **kwargs):
        # Published stages are read-only rows for whoever may not publish them.
        kwargs["form"] = type(
            "StageForm", (self.form,), {"may_publish": may_publish(request, Exchange)}
        )
        return super().get_formset(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # As on the exchange's own page: for everyone else, deleting is unpublishing.
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Agreement)
class AgreementAdmin(FactBoxAdminMixin, RecordAdmin):
    list_display = [
        "title",
        "round_number",
        "concluded_on",
        "terms",
        "implementation",
        "counts_toward_tally",
        "publication",
    ]
    list_filter = [PublicationFilter, "implementation", "counts_toward_tally", "categories"]
    search_fields = ["title_en", "title_uk", "terms_en", "terms_uk", "venue_en", "slug"]
    date_hierarchy = "concluded_on"
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["parties", "categories"]
    inlines = [ExchangeInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("round_number", "concluded_on"), "venue"]}),
        (
            _("Terms"),
            {"fields": ["parties", "terms", "categories", "implementation", "counts_toward_tally"]},
        ),
        (_("Notes"), {"fields": ["notes"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    def factbox_args(self, agreement):
        return "agreement", agreement.slug, None


@admin.register(Exchange)
class ExchangeAdmin(FactBoxAdminMixin, RecordAdmin):
    form = RecordForm
    list_display = [
        "date",
        "official_number",
        "returned_display",
        "handed_over_display",
        "agreement",
        "stage",
        "counts_toward_tally",
        "publication",
    ]
    list_display_links = ["date"]
    list_filter = [
        PublicationFilter,
        "counts_toward_tally",
        "agreement",
        "categories",
        ("mediators", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["agreement"]
    search_fields = ["notes_en", "notes_uk", "source_name", "source_url", "agreement__title_en"]
    date_hierarchy = "date"
    autocomplete_fields = ["agreement", "categories", "mediators"]
    fieldsets = [
        (None, {"fields": [("date", "official_number"), ("agreement", "stage")]}),
        (
            _("Figures"),
            {
                "fields": [
                    ("returned", "returned_precision", "returned_upper"),
                    ("handed_over", "handed_over_precision", "handed_over_upper"),
                ],
                "description": FIGURES_HELP,
            },
        ),
        (None, {"fields": ["categories", "mediators", "counts_toward_tally", "notes"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    @admin.display(description=_("returned"), ordering="returned")
    def returned_display(self, exchange):
        return exchange.returned_figure.words()

    @admin.display(description=_("handed over"), ordering="handed_over")
    def handed_over_display(self, exchange):
        return exchange.handed_over_figure.words()

    def factbox_args(self, exchange):
        return "exchange", str(exchange.uuid), None


@admin.register(Tally)
class TallyAdmin(FactBoxAdminMixin, RecordAdmin):
    form = TallyForm
    list_display = [
        "as_of",
        "scope",
        "agreement",
        "exchanges_display",
        "returned_display",
        "said_by",
        "publication",
    ]
    list_filter = [PublicationFilter, "scope", "agreement"]
    list_select_related = ["agreement", "stated_by", "stated_by_organisation"]
    search_fields = ["context_en", "context_uk", "source_name", "stated_by__name_en"]
    date_hierarchy = "as_of"
    autocomplete_fields = [
        "agreement",
        "stated_by",
        "stated_by_roles",
        "stated_by_organisation",
        "outlet",
    ]
    readonly_fields = [*RECORD_READONLY, "recorded_comparison"]
    fieldsets = [
        (None, {"fields": [("as_of", "counted_since"), ("scope", "agreement")]}),
        (
            _("Official figures"),
            {
                "fields": [
                    ("exchanges", "exchanges_precision", "exchanges_upper"),
                    ("returned", "returned_precision", "returned_upper"),
                    "recorded_comparison",
                ],
                "description": _(
                    "The figures exactly as the official stated them. They are what fact "
                    "boxes publish; they are not recomputed from the exchanges recorded here."
                ),
            },
        ),
        (
            _("Who said it"),
            {
                "fields": [
                    "stated_by",
                    "stated_by_roles",
                    "stated_by_organisation",
                    "context",
                    "outlet",
                ],
                "description": _(
                    "A person, with the roles they held that day, or an organisation that "
                    "made the statement itself."
                ),
            },
        ),
        (_("Notes"), {"fields": ["notes"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    @admin.display(description=_("exchanges"), ordering="exchanges")
    def exchanges_display(self, tally):
        return tally.exchanges_figure.words()

    @admin.display(description=_("returned"), ordering="returned")
    def returned_display(self, tally):
        return tally.returned_figure.words()

    @admin.display(description=_("said by"))
    def said_by(self, statement):
        return statement.said_by or "—"

    @admin.display(description=_("recorded here"))
    def recorded_comparison(self, tally):
        if tally.pk is None or tally.as_of is None:
            return _("Save the tally to compare it with the exchanges recorded here.")
        count, returned = tally.recorded_totals()
        if returned.is_known:
            text = _(
                "%(count)s published exchanges recorded in this scope up to this date, "
                "returning %(returned)s people."
            ) % {"count": count, "returned": returned.words()}
        else:
            text = _(
                "%(count)s published exchanges recorded in this scope up to this date; "
                "the number returned in them was not disclosed."
            ) % {"count": count}
        gaps = [
            gap_words(tally.exchanges_figure, Figure(count), _("exchanges")),
            gap_words(tally.returned_figure, returned, _("people")),
        ]
        return (
            text
            + " "
            + _("Official minus recorded: %(gaps)s. Fact boxes publish the official figures.")
            % {"gaps": "; ".join(str(gap) for gap in gaps)}
        )

    def factbox_args(self, tally):
        """The box an article of the tally's date shows: totals, or the agreement's box."""
        if tally.scope == Tally.Scope.AGREEMENT and tally.agreement:
            return "agreement", tally.agreement.slug, tally.as_of.isoformat()
        return "totals", None, tally.as_of.isoformat()


class QuoteTranslationInline(admin.StackedInline):
    model = QuoteTranslation
    formset = TranslationsFormSet
    extra = 0


@admin.register(Quote)
class QuoteAdmin(FactBoxAdminMixin, RecordAdmin):
    form = QuoteForm
    list_display = ["__str__", "said_on", "language", "context", "publication"]
    list_filter = [PublicationFilter, "language", "speaker"]
    list_select_related = ["speaker", "speaker_organisation"]
    search_fields = ["text", "speaker__name_en", "speaker__name_uk", "context_en"]
    date_hierarchy = "said_on"
    autocomplete_fields = [
        "speaker",
        "roles",
        "speaker_organisation",
        "outlet",
        "exchange",
        "agreement",
        "tally",
    ]
    inlines = [QuoteTranslationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "text",
                    "language",
                    ("speaker", "said_on"),
                    "roles",
                    "speaker_organisation",
                ]
            },
        ),
        (_("Where it was said"), {"fields": ["context", "outlet"]}),
        (_("What it is about"), {"fields": ["exchange", "agreement", "tally"]}),
        SOURCE_FIELDS,
        RECORD_FIELDS,
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not any(getattr(formset, "corrected", False) for formset in formsets):
            return
        # The translations changed on a published quote, with the note the formset asked for.
        correction = form.correction
        if correction:
            latest = form.instance.corrections.order_by("-pk").first()
            latest.fields = [*latest.fields, "translations"]
            latest.save(update_fields=["fields"])
            return
        note = form.cleaned_data.get("correction_note", "").strip()
        Correction.objects.create(
            record=form.instance,
            corrected_by=request.user,
            note_en=note,
            note_uk=form.cleaned_data.get("correction_note_uk", "").strip(),
            fields=["translations"],
        )
        self.note_in_history(request, _("Corrected: %(note)s") % {"note": note})

    def factbox_args(self, quote):
        return "quote", str(quote.uuid), None


# Partners and keys ------------------------------------------------------------------

# The stock key model of djangorestframework-api-key is unused: partners' keys are ours.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class PartnerAPIKeyInline(admin.TabularInline):
    model = PartnerAPIKey
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["prefix", "name", "created", "expiry_date", "revoked", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Keys are made on the key page, where the new key is shown once.
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "created_at"]
    search_fields = ["name", "contact"]
    inlines = [PartnerAPIKeyInline]


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(APIKeyModelAdmin):
    """Keys are shown once, when made; afterwards only their prefix identifies them."""

    list_display = [
        "prefix",
        "name",
        "partner",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
        "last_used_at",
    ]
    list_filter = ["partner", "revoked", "created"]
    list_select_related = ["partner"]
    search_fields = ["name", "prefix", "partner__name"]
    autocomplete_fields = ["partner"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "last_used_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "revoked" in form.changed_data and obj.revoked:
            key_revoked(obj, request.user, request)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for api_key in queryset.filter(revoked=False).select_related("partner"):
            key_revoked(api_key, request.user, request)
        count = queryset.update(revoked=True)
        self.message_user(request, _("%(count)s keys revoked.") % {"count": count})


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log: read by editors, written only by what it records."""

    list_display = ["at", "username", "action", "subject", "detail", "address"]
    list_filter = ["action", "subject_kind", ("user", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "at"
    search_fields = ["username", "subject", "detail", "=subject_uuid", "=address"]
    list_select_related = ["user"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
