"""Partners authenticate with ``Authorization: Api-Key <key>`` (feeds also take ``?key=``)."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from .. import audit
from ..models import PartnerAPIKey

KEYWORD = "Api-Key"


def key_from_request(request, allow_query=False):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _sep, key = header.partition(" ")
    if keyword == KEYWORD and key.strip():
        return key.strip()
    if allow_query:
        return request.GET.get("key") or None
    return None


def partner_key(key, request=None):
    """The usable PartnerAPIKey for a presented key, or None."""
    try:
        api_key = PartnerAPIKey.objects.get_from_key(key)
    except PartnerAPIKey.DoesNotExist:
        return None
    if api_key.has_expired:
        return None
    now = timezone.now()
    last = api_key.last_used_at
    if last is None or last < now - timedelta(minutes=1):
        # At most one write a minute per key, however busy the partner.
        PartnerAPIKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        if last is None or last < now - timedelta(hours=1):
            audit.key_used(api_key, request)  # and one line an hour in the audit log
    return api_key


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Sets ``request.auth`` to the partner's key; a bad key is a 401, never a silent anonymous."""

    allow_query = False

    def authenticate(self, request):
        key = key_from_request(request, allow_query=self.allow_query)
        if key is None:
            return None
        api_key = partner_key(key, request)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("This API key is unknown, revoked or expired."))
        return (AnonymousUser(), api_key)

    def authenticate_header(self, request):
        return KEYWORD


class HasPartnerKey(permissions.BasePermission):
    message = _("An API key is required: send “Authorization: Api-Key <key>”.")

    def has_permission(self, request, view):
        return isinstance(request.auth, PartnerAPIKey)
