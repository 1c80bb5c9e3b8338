"""The partners' API: read-only lists and details, the summary and the change log."""

import base64
import binascii
import datetime
import json
import uuid
from functools import partial

from django.conf import settings
from django.db.models import Max, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from .. import boxes
from ..caching import (
    Version,
    cache_key,
    cached,
    data_version,
    get_many,
    not_modified,
    peek,
    public_headers,
    set_many,
)
from ..conf import app_settings
from ..kinds import KINDS, build_box
from ..models import (
    Change,
)
from .authentication import HasPartnerKey, PartnerKeyAuthentication
from .conditional import Validators
from .pagination import RecordCursorPagination
from .parameters import NUL, check_parameters
from .renderers import ChangesNinjsRenderer, NinjsRenderer
from .throttling import PartnerRateThrottle

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "ninjs"],
    description="`ninjs` answers with IPTC ninjs 3.1 news objects.",
)
LANG_PARAMETER = OpenApiParameter(
    "lang", str, enum=["en", "uk"], description="Language of ninjs headlines and bodies."
)


# Record keys carry their own state: no data version in them.
RECORD_STATE = Version("record", None)


def load_records(kind, pks):
    """Records of a kind in full, with all they show: built only when some are needed."""
    return kind.records().filter(pk__in=pks)


def serialize_record(serializer, request, record):
    return serializer(record, context={"request": request}).data


def represent(kind, records, serialize, request, changed=None, load=None):
    """
    Each record's JSON, kept per record and public state, so that a list
    after a change is assembled from the records that did not change.
    A record's state is its version and its latest change-log entry (a
    related record's embargo lifting moves only the latter). ``changed``:
    those entries' times, when the caller has them already. ``load``: when
    ``records`` are light (pk, uuid, version), reads the missing ones in full.
    """
    changed = changed or dict(
        Change.objects.visible()
        .filter(kind=kind, uuid__in=[record.uuid for record in records])
        .values("uuid")
        .annotate(latest=Max("at"))
        .values_list("uuid", "latest")
    )
    site = f"{request.scheme}://{request.get_host()}"
    keys = {
        record.pk: cache_key(
            "record",
            kind,
            record.pk,
            record.version,
            changed.get(record.uuid),
            site,
            version=RECORD_STATE,
        )
        for record in records
    }
    found = get_many(keys.values())
    wanted = [record for record in records if keys[record.pk] not in found]
    if wanted and load is not None:
        # Only the records not kept are read with all they show.
        full = {record.pk: record for record in load([record.pk for record in wanted])}
        wanted = [full[record.pk] for record in wanted if record.pk in full]
    missing = {}
    for record in wanted:
        # Plain JSON values: DRF's hyperlinks would drag their records into the cache.
        data = json.loads(json.dumps(serialize(record), cls=JSONEncoder))
        found[keys[record.pk]] = missing[keys[record.pk]] = data
    if missing:
        set_many(missing, app_settings.CACHE_SECONDS)
    # A record withdrawn between the two reads is left out.
    return [found[keys[record.pk]] for record in records if keys[record.pk] in found]


class SafeCursorPagination(RecordCursorPagination):
    """
    A page cursor's position is read as the database can: a time in UTC
    (PostgreSQL refuses offsets past ±15:59 that ISO 8601 allows), and text
    without NUL (it cannot compare that at all).
    """

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor and cursor.position and NUL in cursor.position:
            raise NotFound(self.invalid_cursor_message)
        try:
            moment = parse_datetime(cursor.position) if cursor and cursor.position else None
        except ValueError:
            moment = None  # not a time: the filter judges it
        if moment is None or timezone.is_naive(moment) or not moment.utcoffset():
            return cursor
        try:
            return cursor._replace(position=moment.astimezone(datetime.UTC).isoformat())
        except OverflowError:
            raise NotFound(self.invalid_cursor_message) from None


class PartnerAPIMixin:
    """Keys, throttling, formats and conditional GET, shared by every partner endpoint."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasPartnerKey]
    throttle_classes = [PartnerRateThrottle]
    renderer_classes = [JSONRenderer, NinjsRenderer]
    filter_backends = [DjangoFilterBackend]

    # Parameters every partner endpoint reads; lists add their filters.
    parameters = {"format", "lang"}

    def allowed_parameters(self):
        filterset = getattr(self, "filterset_class", None)
        return self.parameters | set(filterset.base_filters if filterset else ())

    def initial(self, request, *args, **kwargs):
        check_parameters(request, self.allowed_parameters(), self.may_be_empty)
        super().initial(request, *args, **kwargs)
        lang = request.query_params.get("lang")
        codes = [code for code, _name in settings.LANGUAGES]
        if lang is not None and lang not in codes:
            raise ValidationError({"lang": [_("Use one of: %s.") % ", ".join(codes)]})

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # Only ?format= can miss: say which formats there are.
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [_("Use one of: %s.") % formats]}) from None

    def permission_denied(self, request, message=None, code=None):
        """A missing key is a 401 that says how to send one."""
        if request.auth is None:
            raise NotAuthenticated(HasPartnerKey.message)
        super().permission_denied(request, message, code)

    # Whether answers carry validators and may be 304s (lists and details).
    conditional = False
    # Parameters whose empty value means something.
    may_be_empty = ()

    def not_modified(self, request):
        """304 when the partner's copy is current: no change since it was fetched."""
        negotiated = getattr(request, "accepted_renderer", None)
        variant = f"{request.get_full_path()}|{getattr(negotiated, 'format', '')}"
        if getattr(self, "validators", None) is None or self.validators.variant != variant:
            self.validators = Validators(variant)
        return self.validators.not_modified(request)

    def check_throttles(self, request):
        # A 304 costs the partner none of its quota: sending validators pays off.
        if self.conditional and self.not_modified(request) is not None:
            return
        for throttle in self.get_throttles():
            allowed = throttle.allow_request(request, self)
            self.rate_limit = throttle.headers()
            if not allowed:
                self.throttled(request, throttle.wait())

    def answer(self, request, build):
        """
        The rendered answer to this request, built by ``build()`` (its data)
        once per data version and variant, then read from the cache. Only
        asked after the key, the parameters and the rate limit were checked.
        """
        renderer = request.accepted_renderer
        parts = self.answer_parts(request)

        def render():
            response = Response(build())
            response.accepted_renderer = renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            response.render()
            return {"content": response.content, "type": response["Content-Type"]}

        kept = cached(parts, render, self.validators.version)
        return HttpResponse(kept["content"], content_type=kept["type"])

    def answer_parts(self, request):
        return (
            "api",
            request.get_full_path(),
            request.accepted_renderer.format,
            request.scheme,
            request.get_host(),
        )

    def cached_answer(self):
        """The answer kept for this very request and data version, if there is one."""
        if getattr(self, "validators", None) is None:
            return None
        return peek(self.answer_parts(self.request), self.validators.version)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        validators = getattr(self, "validators", None)
        if validators:
            validators.apply(response)
        for name, value in getattr(self, "rate_limit", {}).items():
            response[name] = value
        return response


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER, LANG_PARAMETER]),
    retrieve=extend_schema(parameters=[FORMAT_PARAMETER, LANG_PARAMETER]),
)
class RecordViewSet(PartnerAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Published records of one kind, by UUID."""

    kind = None  # a kinds.Kind
    conditional = True
    lookup_field = "uuid"
    pagination_class = SafeCursorPagination
    parameters = PartnerAPIMixin.parameters | {"cursor", "page_size"}

    def allowed_parameters(self):
        if self.action == "retrieve":
            return PartnerAPIMixin.parameters
        return super().allowed_parameters()

    def get_queryset(self):
        return self.kind.records()

    def list(self, request, *args, **kwargs):
        queryset = None
        if self.cached_answer() is None:
            # A bad filter is a 400 even for a client that sends validators. (An
            # address with an answer kept was good: it needs no queryset at all.)
            queryset = self.filter_queryset(self.get_queryset())
        if response := self.not_modified(request):
            return response

        def build():
            records = queryset
            if records is None:
                records = self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(self.light(records))
            return self.paginator.get_paginated_response(self.represent(page)).data

        return self.answer(request, build)

    def retrieve(self, request, *args, **kwargs):
        # Only a public record has a representation to match (even ``If-None-Match: *``).
        get_object_or_404(self.kind.model.objects.public().only("pk"), uuid=kwargs["uuid"])
        if response := self.not_modified(request):
            return response
        return self.answer(request, lambda: self.represent([self.get_object()], light=False)[0])

    def light(self, records):
        """The page's records without what they show: enough to find their kept JSON."""
        ordering = self.paginator.get_ordering(self.request, records, self)
        fields = {field.lstrip("-") for field in ordering if "__" not in field}
        return (
            records.select_related(None)
            .prefetch_related(None)
            .only("pk", "uuid", "version", *fields)
        )

    def represent(self, records, light=True):
        return represent(
            self.kind.name,
            records,
            lambda record: self.get_serializer(record).data,
            self.request,
            load=(lambda pks: self.get_queryset().filter(pk__in=pks)) if light else None,
        )


def viewset(kind):
    """The read-only endpoints of one public kind, as the registry declares it."""
    return type(
        f"{kind.model.__name__}ViewSet",
        (RecordViewSet,),
        {
            "kind": kind,
            "serializer_class": kind.serializer,
            "filterset_class": kind.filterset,
            "ordering": kind.ordering,
            "__doc__": f"Published {kind.model._meta.verbose_name_plural}, by UUID.",
        },
    )


VIEWSETS = {name: viewset(kind) for name, kind in KINDS.items()}


class SummaryView(APIView):
    """The figures of the totals fact box, as data. Public, like the fact boxes."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Known on this date."),
            OpenApiParameter("lang", str, enum=["en", "uk"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        check_parameters(request, {"as_of", "lang"})
        as_of, lang = request.query_params.get("as_of"), request.query_params.get("lang")
        try:
            day, language = boxes.parse_as_of(as_of), boxes.parse_lang(lang)
        except boxes.BoxError as error:
            name = "lang" if "language" in str(error) else "as_of"
            raise ValidationError({name: [str(error)]}) from None
        version = data_version(day)
        variant = f"summary|{as_of}|{lang}|{language}|{request.scheme}|{request.get_host()}"
        if (response := not_modified(request, version, variant)) is not None:
            return public_headers(response, version, variant, day)

        def build():
            box = build_box("totals", as_of=day, lang=language)
            # Before the first official figure: the box's own words, with “tally” null.
            box.pop("jsonld")
            return json.loads(JSONRenderer().render(box))

        day_part = None if day else timezone.localdate()
        data = cached((variant, day_part), build, version)
        response = Response(data, headers={"Content-Language": data["lang"]})
        return public_headers(response, version, variant, day)


class ChangeCursor:
    """
    An opaque position in the change log: the time and id of an entry, and when
    the cursor was handed out (every call hands out a fresh one, so a partner
    that syncs regularly never expires, however quiet the log).
    """

    @staticmethod
    def encode(at, pk, issued):
        raw = f"{at.isoformat()}|{pk}|{issued.isoformat()}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(cursor):
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            at, pk, issued = raw.split("|")
            at, pk, issued = parse_datetime(at), int(pk), parse_datetime(issued)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if at is None or issued is None or timezone.is_naive(at) or timezone.is_naive(issued):
            return None
        try:
            # In UTC: PostgreSQL refuses offsets past ±15:59 that ISO 8601 allows.
            return at.astimezone(datetime.UTC), pk, issued.astimezone(datetime.UTC)
        except OverflowError:  # past the edge of the calendar in UTC
            return None


class Gone(Exception):
    pass


class ChangesView(PartnerAPIMixin, APIView):
    """
    Every create, update, unpublish and delete since a cursor, oldest first.

    Replaying from the start (no ``since``) gives exactly the published data:
    each record appears once, at its latest change, with its current JSON;
    unpublished and deleted records as tombstones.
    """

    renderer_classes = [JSONRenderer, ChangesNinjsRenderer]
    parameters = PartnerAPIMixin.parameters | {"since", "page_size"}
    # The next_cursor of an empty log is "": from the start.
    may_be_empty = {"since"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", str, description="The `next_cursor` of your last call; empty: the start."
            ),
            OpenApiParameter("page_size", int, description="At most 200."),
        ],
        responses={
            200: inline_serializer(
                "ChangePage",
                {
                    "results": serializers.ListField(child=serializers.DictField()),
                    "next_cursor": serializers.CharField(),
                    "has_more": serializers.BooleanField(),
                },
            ),
            410: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        pagination = RecordCursorPagination()
        size = pagination.get_page_size(request)
        now = timezone.now()
        horizon = now - datetime.timedelta(seconds=app_settings.CHANGES_SETTLE_SECONDS)
        entries = Change.objects.visible(horizon).order_by("at", "id")
        since = request.query_params.get("since")
        if since:
            position = ChangeCursor.decode(since)
            oldest = now - datetime.timedelta(days=app_settings.CHANGES_RETENTION_DAYS)
            if position is None or position[0] > now or not oldest <= position[2] <= now:
                return Response(
                    {
                        "detail": _(
                            "This cursor is unknown or has expired. Resync from the start: "
                            "call changes/ without “since” and replace your copy."
                        ),
                        "resync": reverse("exchanges:changes", request=request),
                    },
                    status=status.HTTP_410_GONE,
                )
            at, pk, _issued = position
            entries = entries.filter(Q(at__gt=at) | Q(at=at, id__gt=pk))
        else:
            at, pk = None, 0
        page = list(entries[: size + 1])
        has_more = len(page) > size
        page = page[:size]
        records = self.current_records(page, request)
        results = []
        for entry in page:
            item = {
                "cursor": ChangeCursor.encode(entry.at, entry.id, now),
                "action": entry.action,
                "type": entry.kind,
                "uuid": str(entry.uuid),
                "at": serializers.DateTimeField().to_representation(entry.at),
            }
            data = records.get((entry.kind, entry.uuid))
            if entry.is_tombstone or data is None:
                # Withdrawn since the entry was written: a tombstone, never a draft's data.
                item["action"] = entry.action if entry.is_tombstone else Change.Action.UNPUBLISHED
                item["url"] = reverse(
                    f"exchanges:{entry.kind}-detail", kwargs={"uuid": entry.uuid}, request=request
                )
            else:
                item["url"] = data["url"]
                item["data"] = data
            results.append(item)
        if results:
            next_cursor = results[-1]["cursor"]
        elif at is not None:
            next_cursor = ChangeCursor.encode(at, pk, now)
        else:
            next_cursor = ""
        return Response({"results": results, "next_cursor": next_cursor, "has_more": has_more})

    def current_records(self, page, request):
        """The public JSON of the records a page names, a few queries per kind."""
        # Each record's latest entry that has come due, for all kinds at once.
        changed = dict(
            Change.objects.visible()
            # By kind too, so the database reads the index on (kind, uuid).
            .filter(kind__in={entry.kind for entry in page}, uuid__in=[e.uuid for e in page])
            .values("uuid")
            .annotate(latest=Max("at"))
            .values_list("uuid", "latest")
        )
        wanted = {}
        for entry in page:
            if not entry.is_tombstone:
                wanted.setdefault(entry.kind, []).append(entry.uuid)
        found = {}
        for kind, uuids in wanted.items():
            records = list(
                KINDS[kind].model.objects.public().filter(uuid__in=uuids).only("uuid", "version")
            )
            serialize = partial(serialize_record, KINDS[kind].serializer, request)
            represented = represent(
                kind, records, serialize, request, changed, partial(load_records, KINDS[kind])
            )
            for data in represented:
                found[(kind, uuid.UUID(data["uuid"]))] = data
        return found
