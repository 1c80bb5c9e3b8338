import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from .history import changes_since
from .models import Status, Transition
from .wording import pinned_words


class CorrectionNote(forms.Form):
    """The public note, in both languages, that a correction of published wording needs."""

    correction_note = forms.CharField(
        label=_("Correction note (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when you change a figure, date or quote text of a published record: "
            "readers and partners see it, e.g. “The number returned was 307, not 306.”"
        ),
    )
    correction_note_uk = forms.CharField(
        label=_("Correction note (Ukrainian)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecordForm(CorrectionNote, forms.ModelForm):
    """
    Refuses to save over a newer version, and shows one error per field.

    The version the editor started from travels with the form; if someone
    saved the record since, the save is refused with who changed what, and
    the form comes back with everything the editor typed.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The warnings an editor has seen and saved again over (see ``check_warnings``).
    confirmed = forms.CharField(widget=forms.HiddenInput, required=False)

    # Whether the form shows the correction note fields (an inline row does not).
    notes_in_place = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.instance.dated_by
        # The record's date as saved, to tell whether this save moves it in time.
        self.dated_before = getattr(self.instance, field) if field and self.instance.pk else None
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
        # An earlier version's content, shown to revert to (see RecordAdmin.revision_view).
        self.initial.update(getattr(self, "restored", {}))

    def clean(self):
        cleaned = super().clean()
        self.check_correction(cleaned)
        self.check_version(cleaned)
        return cleaned

    @property
    def publishing(self):
        """Whether this save publishes the record (the “Publish” button)."""
        return self.data.get("_transition") == Transition.PUBLISH

    @property
    def unpublishing(self):
        return self.data.get("_transition") == Transition.UNPUBLISH

    @property
    def public_after_save(self):
        return self.publishing or (
            self.instance.pk is not None and self.instance.status == Status.PUBLISHED
        )

    def _post_clean(self):
        super()._post_clean()
        if self.publishing:
            # The rules for published records, checked before the button publishes.
            for field, message in self.instance.publication_errors().items():
                if field not in self._errors:
                    self.add_error(field if field in self.fields else None, message)
        if self.unpublishing:
            for message in self.instance.withdrawal_errors().values():
                self.add_error(None, message)
        if not self._errors:
            self.check_warnings(self.cleaned_data)

    def warnings(self, cleaned):
        """What an editor should read before this save goes ahead."""
        if not self.notes_in_place or not (self.public_after_save or self.unpublishing):
            return []
        warnings = [self.pinned_warning(cleaned), self.ukrainian_warning(cleaned)]
        return [str(warning) for warning in warnings if warning]

    def pinned_warning(self, cleaned):
        """Which pinned boxes change: a back-filled record, or a moved date."""
        field = self.instance.dated_by
        moved = field and self.dated_before not in (None, getattr(self.instance, field))
        if not (self.publishing or self.unpublishing or moved):
            return None
        change = self.instance.pinned_change(before=self.dated_before)
        return pinned_words(*change) if change else None

    def ukrainian_warning(self, cleaned):
        """Publishing with English text and no Ukrainian: Ukrainian boxes show the English."""
        if not self.publishing:
            return None
        try:
            fields = translator.get_options_for_model(type(self.instance)).fields
        except NotRegistered:
            return None
        missing = [
            str(field.verbose_name)
            for field in self.instance._meta.fields  # in the form's order
            if field.name in fields
            and cleaned.get(f"{field.name}_en")
            and not cleaned.get(f"{field.name}_uk")
        ]
        if not missing:
            return None
        return _(
            "The Ukrainian version is empty for: %(fields)s. Ukrainian fact boxes will show "
            "the English text there."
        ) % {"fields": ", ".join(missing)}

    def check_warnings(self, cleaned):
        """
        Saving over warnings is a deliberate choice: the first save shows them and
        saves nothing; saving the same again confirms.
        """
        warnings = self.warnings(cleaned)
        if not warnings:
            return
        signature = hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]
        if cleaned.get("confirmed") == signature:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix("confirmed")] = signature
        message = _(
            "Please check before saving: %(warnings)s Nothing was saved yet: save again to confirm."
        )
        self.add_error(
            None,
            ValidationError(
                message,
                code="confirm",
                params={"warnings": " ".join(str(warning) for warning in warnings)},
            ),
        )

    def check_correction(self, cleaned):
        """A published figure, date or quote text changes only with a public note."""
        self.correction = None
        corrected = [name for name in self.changed_data if name in self.instance.corrected_fields]
        if not corrected or self.instance.pk is None or self.instance.status != Status.PUBLISHED:
            return
        note = cleaned.get("correction_note", "").strip()
        if not note:
            labels = ", ".join(
                str(self.instance._meta.get_field(name).verbose_name) for name in corrected
            )
            if self.notes_in_place:
                message = _(
                    "This record is published: changing %(fields)s needs a correction note "
                    "that readers and partners will see."
                )
                self.add_error("correction_note", message % {"fields": labels})
            else:
                message = _(
                    "This exchange is published: change %(fields)s on its own page, where "
                    "you can write the public correction note."
                )
                self.add_error(None, message % {"fields": labels})
            return
        self.correction = {
            "note_en": note,
            "note_uk": cleaned.get("correction_note_uk", "").strip(),
            "fields": corrected,
        }

    def check_version(self, cleaned):
        expected = cleaned.get("expected_version")
        if self.instance.pk is None or expected is None:
            return
        # Locked until this save commits: the admin wraps it in a transaction.
        current = (
            type(self.instance)
            .objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and current != expected:
            who, fields = changes_since(self.instance, expected)
            # Saving again, having seen this, is a deliberate choice.
            self.data = self.data.copy()
            self.data[self.add_prefix("expected_version")] = current
            raise ValidationError(
                _(
                    "%(who)s saved this record while you were editing it (changed: "
                    "%(fields)s). Nothing of yours was saved; your input is below. Check "
                    "their change, then save again."
                ),
                code="conflict",
                params={"who": who, "fields": fields},
            )

    def _update_errors(self, errors):
        """One error per field: a value the form rejected is not blamed again by the model."""
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {
                    field: messages
                    for field, messages in errors.error_dict.items()
                    if field not in self._errors
                }
            )
            if not errors.error_dict:
                return
        super()._update_errors(errors)


class StageForm(RecordForm):
    """An agreement's stage edited in a row of the agreement's page."""

    notes_in_place = False
    # Whether this user may change published stages (set by the inline per request).
    may_publish = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = self.instance.pk and self.instance.status not in (Status.DRAFT, Status.REVIEW)
        if published and not self.may_publish:
            for field in self.fields.values():
                field.disabled = True


class SpokenRolesForm(RecordForm):
    """
    Checks that the roles given belong to the speaker and were held on the day.

    Many-to-many values are not on the instance during model validation, so
    the check lives on the form.
    """

    person_field = "speaker"
    roles_field = "roles"
    date_field = "said_on"

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get(self.person_field)
        roles = cleaned.get(self.roles_field)
        date = cleaned.get(self.date_field)
        if not roles:
            return cleaned
        if person is None:
            self.add_error(
                self.roles_field,
                _("Roles belong to a person: choose the person who said it, or clear the roles."),
            )
            return cleaned
        for role in roles:
            if role.person_id != person.pk:
                self.add_error(
                    self.roles_field,
                    _("“%(role)s” is a role of %(other)s, not of %(person)s.")
                    % {"role": role.title, "other": role.person, "person": person},
                )
            elif date and not role.held_on(date):
                self.add_error(
                    self.roles_field,
                    _("%(person)s did not hold the role “%(role)s” on %(date)s.")
                    % {"person": person, "role": role.title, "date": date.isoformat()},
                )
        return cleaned


class QuoteForm(SpokenRolesForm):
    pass


class TallyForm(SpokenRolesForm):
    person_field = "stated_by"
    roles_field = "stated_by_roles"
    date_field = "as_of"


class RoleForm(CorrectionNote, forms.ModelForm):
    """A role's page: its edits reach published statements only as a correction."""

    apply_to_published = forms.BooleanField(
        label=_("Apply this edit to published statements, as a correction"),
        required=False,
        help_text=_(
            "Published tallies and quotes keep the role as they were published. Tick this "
            "to reword them too: each shows the correction note below."
        ),
    )

    # Whether this user may change a published person's roles (set by the admin).
    may_publish = False

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if person and person.status not in (Status.DRAFT, Status.REVIEW) and not self.may_publish:
            self.add_error(
                "person",
                _("%(person)s is published: an editor adds or changes their roles.")
                % {"person": person},
            )
        if cleaned.get("apply_to_published") and not cleaned.get("correction_note", "").strip():
            self.add_error(
                "correction_note",
                _("Say what was corrected: readers and partners see this note."),
            )
        return cleaned


class TranslationsFormSet(forms.BaseInlineFormSet):
    """
    A published quote's translations are published words too: changing,
    adding or removing one needs the quote's correction note, like its text.
    """

    def clean(self):
        super().clean()
        quote = self.instance
        self.corrected = (
            quote.pk is not None
            and quote.status == Status.PUBLISHED
            and any(form.has_changed() or form in self.deleted_forms for form in self.forms)
        )
        if self.corrected and not self.data.get("correction_note", "").strip():
            raise ValidationError(
                _(
                    "This quote is published: changing a translation needs a correction note "
                    "that readers and partners will see (in the Public correction section)."
                ),
                code="correction",
            )
