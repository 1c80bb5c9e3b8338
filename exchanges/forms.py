from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class RecordForm(forms.ModelForm):
    """
    Shows one error per field.

    When the form already rejected a value (say, -5 people), the model never
    sees it and would add a second, confusing error about a missing number.
    """

    def _update_errors(self, errors):
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
            self.add_error(self.roles_field, _("Choose who said it before choosing roles."))
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
