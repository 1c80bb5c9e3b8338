"""
The newsroom's admin site: whoever can publish (editors, superusers) signs in
with a password and a code from an authenticator app.

Reporters may add an authenticator too; once they have one it is always asked.
``ADMIN_SECOND_FACTOR`` (on by default with DEBUG off) makes it required for
those who publish; ``manage.py add_authenticator USER`` sets one up.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm


def second_factor_required(user):
    """Whether this account must sign in with a second factor."""
    if not settings.ADMIN_SECOND_FACTOR:
        return False
    return user.is_superuser or any(
        permission.startswith("exchanges.publish_") for permission in user.get_all_permissions()
    )


def has_second_factor(user):
    return any(True for _device in devices_for_user(user, confirmed=True))


class SecondFactorLoginForm(OTPAdminAuthenticationForm):
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Enter the six-digit code from your authenticator app."),
        "invalid_token": _("That code is not right, or it has expired: try the current one."),
    }

    def _chosen_device(self, user):
        """The device picked on the form or, with only one, that one: no menu to open."""
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            device = devices[0] if len(devices) == 1 else None
        return device

    def clean(self):
        self.cleaned_data = AdminAuthenticationForm.clean(self)
        user = self.get_user()
        if user is None:
            return self.cleaned_data
        if has_second_factor(user):
            self.clean_otp(user)
        elif second_factor_required(user):
            raise ValidationError(
                _(
                    "Your account can publish, so it needs an authenticator app as a second "
                    "factor. Ask an administrator to set one up for you "
                    "(python manage.py add_authenticator %(username)s)."
                ),
                code="second_factor_missing",
                params={"username": user.get_username()},
            )
        return self.cleaned_data


class NewsroomAdminSite(admin.AdminSite):
    site_header = _("Newsroom: prisoner-of-war exchanges")
    site_title = _("Newsroom admin")
    login_form = SecondFactorLoginForm
    login_template = "otp/admin111/login.html"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not second_factor_required(request.user) or request.user.is_verified()
