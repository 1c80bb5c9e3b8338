"""
The audit log's sources beyond the workflow (``Record.make`` notes those):
sign-ins, corrections, partner keys. Connected in ``ExchangesConfig.ready``.
"""

from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from .limits import client_address
from .models import AuditEvent, Correction, PartnerAPIKey


def address_of(request):
    """The client's address, behind the site's proxies as the rate limit counts it."""
    return (client_address(request) or None) if request is not None else None


def signed_in(sender, request, user, **kwargs):
    AuditEvent.note(AuditEvent.Action.LOGIN, user, address=address_of(request))


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        AuditEvent.note(AuditEvent.Action.LOGOUT, user, address=address_of(request))


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # The name tried, never the password (Django has already masked it).
    tried = str(credentials.get("username", ""))[:150]
    AuditEvent.note(AuditEvent.Action.LOGIN_FAILED, username=tried, address=address_of(request))


def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    AuditEvent.note(
        AuditEvent.Action.LOCKED_OUT, username=str(username or "")[:150], address=ip_address
    )


def corrected(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        AuditEvent.note(
            AuditEvent.Action.CORRECT,
            instance.corrected_by,
            instance.record,
            _("%(note)s (changed: %(fields)s)")
            % {"note": instance.note_en, "fields": ", ".join(instance.fields)},
        )


def key_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        AuditEvent.note(AuditEvent.Action.KEY_CREATED, record=instance, detail=key_words(instance))


def key_revoked(api_key, user, request=None):
    AuditEvent.note(
        AuditEvent.Action.KEY_REVOKED,
        user,
        api_key,
        key_words(api_key),
        address=address_of(request),
    )


def key_used(api_key, request=None):
    """A partner key in use: noted at most once an hour per key (see authentication)."""
    AuditEvent.note(
        AuditEvent.Action.KEY_USED,
        record=api_key,
        detail=key_words(api_key),
        address=address_of(request),
    )


def key_words(api_key):
    return _("%(partner)s, key %(prefix)s…") % {
        "partner": api_key.partner,
        "prefix": api_key.prefix,
    }


def connect():
    auth_signals.user_logged_in.connect(signed_in, dispatch_uid="exchanges-audit-in")
    auth_signals.user_logged_out.connect(signed_out, dispatch_uid="exchanges-audit-out")
    auth_signals.user_login_failed.connect(sign_in_failed, dispatch_uid="exchanges-audit-failed")
    post_save.connect(corrected, sender=Correction, dispatch_uid="exchanges-audit-correction")
    post_save.connect(key_saved, sender=PartnerAPIKey, dispatch_uid="exchanges-audit-key")
    try:
        from axes.signals import user_locked_out
    except ImportError:  # the site does not throttle logins with django-axes
        return
    user_locked_out.connect(locked_out, dispatch_uid="exchanges-audit-locked")
