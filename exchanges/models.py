"""
Prisoner-of-war exchanges as structured, sourced data.

The rules a naive model gets wrong (see the project's DOMAIN notes) live here:
official tallies are statements, not sums; some exchanges sit outside the
tally; figures carry their precision; roles are time-bound; agreements are
implemented in stages.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Count, FilteredRelation, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from .arithmetic import total
from .figures import (
    Figure,
    FigureAttribute,
    Precision,
    figure_constraints,
    precision_field,
    upper_field,
)
from .validators import validate_web_link


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("in review")
    PUBLISHED = "published", _("published")
    UNPUBLISHED = "unpublished", _("unpublished")


class Transition(models.TextChoices):
    """The moves of the editorial workflow, by name."""

    SUBMIT = "submit", _("Submit for review")
    PUBLISH = "publish", _("Publish")
    UNPUBLISH = "unpublish", _("Unpublish")
    RETURN_TO_DRAFT = "return_to_draft", _("Return to draft")


# From which states each move may be made, and where it leads.
TRANSITIONS = {
    Transition.SUBMIT: ({Status.DRAFT}, Status.REVIEW),
    Transition.PUBLISH: ({Status.DRAFT, Status.REVIEW, Status.UNPUBLISHED}, Status.PUBLISHED),
    Transition.UNPUBLISH: ({Status.PUBLISHED}, Status.UNPUBLISHED),
    Transition.RETURN_TO_DRAFT: ({Status.REVIEW, Status.UNPUBLISHED}, Status.DRAFT),
}
# Moves that only editors (the model's publish permission) may make.
EDITORS_ONLY = {Transition.PUBLISH, Transition.UNPUBLISH, Transition.RETURN_TO_DRAFT}


class RecordQuerySet(models.QuerySet):
    def published(self, now=None):
        """Published, and not scheduled for later: visibility is a query, not a job."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=now or timezone.now())

    def scheduled(self, now=None):
        return self.filter(status=Status.PUBLISHED, published_at__gt=now or timezone.now())

    def known_on(self, date):
        """
        Records stated or happened by ``date``, by their own date (a tally's as-of
        date, an exchange's date, a quote's date); undated records always are.
        """
        field = self.model.dated_by
        return self.filter(**{f"{field}__lte": date}) if field else self

    def public(self, as_of=None):
        """
        The one gate for what the outside world may see.

        Fact boxes, embeds, the API and the feeds all ask this method, so a
        draft cannot leak through a door that forgot a filter. Two clocks: the
        publication state says whether a record is public *now*; ``as_of``
        narrows to what had been stated or had happened by that date. When the
        newsroom entered or published a record never moves it in time, so a
        tally back-filled today shows in boxes pinned to its own date.
        """
        return self.filter(public_condition(self.model, as_of))

    def shown(self, as_of=None):
        """
        Public records with every related record they show, each fetched through
        the same gate (``public_condition``, in SQL) into a ``public_<field>``
        attribute: a draft speaker, mediator or agreement is never even loaded.
        Every door reads records this way; see ``public_related``.
        """
        records = self.public(as_of)
        for relation in self.model.public_relations(as_of):
            if isinstance(relation, FilteredRelation):
                # A foreign key: joined, and only when the related record is public.
                name = f"public_{relation.relation_name}"
                records = records.annotate(**{name: relation}).select_related(name)
            else:
                records = records.prefetch_related(relation)
        return records


def public_condition(model, as_of=None, prefix=""):
    """
    The gate as a condition on ``model`` (reached through ``prefix``, e.g.
    ``"speaker__"``): published, its embargo over, and, with ``as_of``, dated
    by then. ``public()`` filters with it and ``gated`` joins with it.
    """
    condition = Q(
        **{f"{prefix}status": Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()}
    )
    if as_of is not None and model.dated_by:
        condition &= Q(**{f"{prefix}{model.dated_by}__lte": as_of})
    return condition


def gated(model, field, as_of=None):
    """
    ``field`` of ``model`` through the gate, into ``public_<field>``: a join
    for a foreign key, a prefetch of only public records for the others.
    """
    relation = model._meta.get_field(field)
    related = relation.related_model
    if relation.many_to_one:
        condition = public_condition(related, as_of, prefix=f"{field}__")
        return FilteredRelation(field, condition=condition)
    return Prefetch(field, related.objects.public(as_of), to_attr=f"public_{field}")


def public_related(record, field):
    """
    What the public may see of ``record``'s related ``field``: a record or None
    for a foreign key, a list for a many-to-many or reverse relation. Prefetched
    through the gate by ``shown()``; otherwise the gate is asked now, in SQL.
    """
    try:
        return getattr(record, f"public_{field}")
    except AttributeError:
        pass
    relation = record._meta.get_field(field)
    if relation.many_to_many or relation.one_to_many:
        accessor = relation.get_accessor_name() if relation.auto_created else field
        return list(getattr(record, accessor).public())
    pk = getattr(record, relation.attname)
    return relation.related_model.objects.public().filter(pk=pk).first() if pk else None


class Record(models.Model):
    """What every public record has: a stable UUID for partners, timestamps, a status."""

    uuid = models.UUIDField(
        _("UUID"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Stable identifier that partner outlets use; it never changes."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text=_("Only published records appear in fact boxes, the API and feeds."),
    )
    published_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "When readers and partners may see it. A time in the future keeps the record "
            "under embargo until then; empty means now, when published."
        ),
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saved versions; partners see it change with every edit."),
    )

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_public(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    corrected_fields = ()
    # The field that places the record in time (a tally's as-of date, an
    # exchange's date); boxes pinned to a date show records dated by then.
    dated_by = None

    @classmethod
    def public_relations(cls, as_of=None):
        """The prefetches that gate every related record a door shows; see ``shown()``."""
        return []

    def publication_errors(self):
        """What must hold before readers may see this record: field name → message."""
        return {}

    def withdrawal_errors(self):
        """Why this record cannot be unpublished now: field name (or None) → message."""
        return {}

    def pinned_until(self, date):
        """
        The last day whose pinned boxes this record, dated ``date``, shows in;
        None when it shows in every later box, and in live ones.
        """
        return None

    def pinned_change(self, before=None):
        """
        (first day, last day or None) of the pinned boxes that publishing this
        record, or moving its date from ``before``, changes; None when no box
        pinned to a past day changes.
        """
        date = getattr(self, self.dated_by) if self.dated_by else None
        if date is None:
            return None
        moved = before is not None and before != date
        start = min(date, before) if moved else date
        if start >= timezone.localdate():
            return None
        return start, self.pinned_until(max(date, before) if moved else date)

    @property
    def is_scheduled(self):
        return self.status == Status.PUBLISHED and not self.is_public

    def can_make(self, transition):
        return self.status in TRANSITIONS[transition][0]

    def transition_errors(self, transition):
        """
        Why ``transition`` cannot be made now, field name (or None) → message:
        the record's own validation and the workflow's rules. The admin form, the
        bulk actions and any command ask this same question.
        """
        if not self.can_make(transition):
            return {
                None: _("A record that is %(status)s cannot be moved with “%(transition)s”.")
                % {"status": self.get_status_display(), "transition": Transition(transition).label}
            }
        errors = {}
        try:
            self.full_clean()
        except ValidationError as error:
            errors.update(
                {
                    None if field == NON_FIELD_ERRORS else field: " ".join(messages)
                    for field, messages in error.message_dict.items()
                }
            )
        if transition == Transition.PUBLISH:
            errors.update(self.publication_errors())
        elif transition == Transition.UNPUBLISH:
            errors.update(self.withdrawal_errors())
        return errors

    def make(self, transition, user):
        """Move the record along the workflow, noting who and when; the caller saves."""
        if not self.can_make(transition):
            raise ValidationError(
                _("A record that is %(status)s cannot be moved with “%(transition)s”.")
                % {"status": self.get_status_display(), "transition": Transition(transition).label}
            )
        self.status = TRANSITIONS[transition][1]
        self.status_changed_by = user
        self.status_changed_at = timezone.now()
        if transition == Transition.PUBLISH and self.published_at is None:
            # Published now, unless an editor set an embargo time ahead.
            self.published_at = self.status_changed_at
        detail = ""
        if transition == Transition.PUBLISH and self.published_at > self.status_changed_at:
            detail = _("under embargo until %(time)s") % {"time": self.published_at.isoformat()}
        AuditEvent.note(transition, user, self, detail)


class Source(models.Model):
    """Where a record's facts come from: a name, a link, or both."""

    source_name = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Outlet or document and date, e.g. “TRT World, 2025-05-16”."),
    )
    source_url = models.URLField(
        _("source link"), max_length=500, blank=True, validators=[validate_web_link]
    )

    class Meta:
        abstract = True

    @property
    def source(self):
        return self.source_name or self.source_url


def speaker_withdrawal_errors(speaker):
    """A speaker stays public while published statements name them: readers see who said it."""
    statements = speaker.published_statements()
    if not statements:
        return {}
    names = "; ".join(str(statement) for statement in statements[:5])
    more = len(statements) - 5
    return {
        None: _(
            "Published statements name %(speaker)s: %(statements)s%(more)s. Unpublish or "
            "correct them first, or choose “Unpublish, with the published statements that "
            "name them” on the list."
        )
        % {
            "speaker": speaker,
            "statements": names,
            "more": _(" and %(count)s more") % {"count": more} if more > 0 else "",
        }
    }


class Category(models.Model):
    """A group of prisoners an agreement or exchange covers, e.g. “under 25”."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Organisation(Record):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("government body")
        MILITARY = "military", _("military or intelligence body")
        OUTLET = "outlet", _("news outlet")
        STATE = "state", _("state")
        INTERNATIONAL = "international", _("international organisation")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("e.g. “HUR”, “UAE”.")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.OTHER)
    url = models.URLField(_("website"), blank=True, validators=[validate_web_link])

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        permissions = [
            ("publish_organisation", _("Can publish, correct and unpublish organisations"))
        ]
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def names(self):
        """The name in each language; None where it has not been translated."""
        return {code: getattr(self, f"name_{code}") or None for code, _name in settings.LANGUAGES}

    def published_statements(self):
        """Published tallies and quotes this organisation made itself."""
        return [*self.tallies.published(), *self.quotes.published()]

    def withdrawal_errors(self):
        return speaker_withdrawal_errors(self)


class Person(Record):
    name = models.CharField(_("name"), max_length=200)
    rank = models.CharField(
        _("rank or title"),
        max_length=60,
        blank=True,
        help_text=_("Shown before the name, e.g. “Major”."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    photo = models.ImageField(_("photo"), upload_to="exchanges/people/", blank=True)
    photo_credit = models.ForeignKey(
        Organisation,
        verbose_name=_("photo credit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who the photo is credited to."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        permissions = [("publish_person", _("Can publish, correct and unpublish people"))]
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        return f"{self.rank} {self.name}" if self.rank else self.name

    @classmethod
    def public_relations(cls, as_of=None):
        return [gated(cls, "photo_credit"), roles_shown("roles")]

    def published_statements(self):
        """Published tallies and quotes this person made."""
        return [*self.tallies.published(), *self.quotes.published()]

    def withdrawal_errors(self):
        return speaker_withdrawal_errors(self)

    def names(self):
        """Rank and name in each language; None where the name has not been translated."""
        names = {}
        for code, _name in settings.LANGUAGES:
            name, rank = getattr(self, f"name_{code}"), getattr(self, f"rank_{code}")
            names[code] = (f"{rank} {name}" if rank else name) if name else None
        return names


def roles_shown(field):
    """A person's roles, each with its organisation only when that is public."""
    organisation = gated(Role, "organisation")
    roles = Role.objects.annotate(public_organisation=organisation)
    return Prefetch(field, roles.select_related("public_organisation"))


class RoleQuerySet(models.QuerySet):
    def held_on(self, date):
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=date),
            Q(ended_on__isnull=True) | Q(ended_on__gte=date),
        )


class Role(models.Model):
    """A job a person held for a time; quotes keep the roles of their day."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles"
    )
    title = models.CharField(
        _("title"),
        max_length=250,
        help_text=_(
            "As written after the person's name, organisation included, e.g. “Deputy "
            "Head of the Coordination Headquarters for the Treatment of Prisoners of War”."
        ),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="roles",
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(
        _("to"), null=True, blank=True, help_text=_("Leave empty while the role is held.")
    )

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["person", "started_on", "pk"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__gte=models.F("started_on")),
                name="role_ends_after_start",
                violation_error_message=_("A role cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.person}, {self.title}"

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            message = _("A role cannot end before it starts (%(start)s).")
            raise ValidationError(
                {"ended_on": ValidationError(message, params={"start": self.started_on})}
            )

    def titles(self):
        """The title in each language; None where it has not been translated."""
        return {code: getattr(self, f"title_{code}") or None for code, _name in settings.LANGUAGES}

    def published_statements(self):
        """Published tallies and quotes that cite this role."""
        return [
            *Tally.objects.published().filter(stated_by_roles=self),
            *Quote.objects.published().filter(roles=self),
        ]

    def held_on(self, date):
        return (self.started_on is None or self.started_on <= date) and (
            self.ended_on is None or self.ended_on >= date
        )


def not_in_future(field, date):
    """An error for a date after today: exchanges and statements are reported, not planned."""
    if date and date > timezone.localdate():
        return {field: _("This date is in the future; record events once they have happened.")}
    return {}


def not_before_agreement(record, field):
    """
    An exchange or tally under an agreement is dated on or after the day it was
    reached: boxes pinned to an earlier date would never show it.
    """
    date = getattr(record, field)
    if date and record.agreement_id and date < record.agreement.concluded_on:
        return {
            field: _(
                "This is before %(agreement)s was agreed (%(agreed)s): check the date, "
                "or the agreement."
            )
            % {"agreement": record.agreement, "agreed": record.agreement.concluded_on.isoformat()}
        }
    return {}


def speaker_is_public(record, field):
    """A published statement names a published speaker: readers see who said it."""
    speaker = getattr(record, field) if getattr(record, f"{field}_id") else None
    if speaker is not None and not speaker.is_public:
        return {
            field: _("Publish %(person)s first: readers must see who said it.")
            % {"person": speaker}
        }
    return {}


def source_given(record):
    """Every published figure or quote says where it comes from, in some language."""
    names = [getattr(record, f"source_name_{code}", "") for code, _name in settings.LANGUAGES]
    if any(names) or record.source_url:
        return {}
    return {
        f"source_name_{settings.LANGUAGES[0][0]}": _(
            "Give the source before publishing: the outlet or document and its date, "
            "a link, or both. Readers and partners see it with the figures."
        )
    }


class Statement(models.Model):
    """
    Something a person or an organisation said on a date: a tally or a quote.

    The attribution (the speaker's name and roles, in each language) is kept as
    it was published: a later edit of a role or a name does not rewrite it,
    unless an editor applies that edit as a correction.
    """

    attribution = models.JSONField(
        _("attribution as published"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The speaker's name and roles as they were published."),
    )

    # Names of the speaker fields: a person, with roles, or an organisation.
    person_field = roles_field = organisation_field = None

    class Meta:
        abstract = True

    @classmethod
    def public_relations(cls, as_of=None):
        return [
            gated(cls, cls.person_field),
            gated(cls, cls.organisation_field),
            gated(cls, "outlet"),
            roles_shown(cls.roles_field),
            "corrections",
        ]

    @property
    def said_by(self):
        """Who said it: the person, else the organisation; None before it is chosen."""
        if getattr(self, f"{self.person_field}_id"):
            return getattr(self, self.person_field)
        if getattr(self, f"{self.organisation_field}_id"):
            return getattr(self, self.organisation_field)
        return None

    def attribution_now(self, speaker=None):
        """
        The attribution the speaker fields give today, in every language; each
        role keeps its ``id``, so a correction can reword that role alone.
        """
        speaker = speaker or self.said_by
        if speaker is None:
            return {}
        roles = []
        if speaker._meta.model_name == "person" and self.pk:
            roles = [
                {"id": role.pk, **role.titles()} for role in getattr(self, self.roles_field).all()
            ]
        return {"kind": speaker._meta.model_name, "speaker": speaker.names(), "roles": roles}

    def public_said_by(self):
        """Who said it, through the gate: None when the speaker is not public."""
        return public_related(self, self.person_field) or public_related(
            self, self.organisation_field
        )

    def public_attribution(self):
        """
        The attribution readers see: as published (live for a record not yet
        published), and nothing when the speaker is not public.
        """
        speaker = self.public_said_by()
        if speaker is None:
            return {}
        if self.is_public and self.attribution:
            said = self.attribution
        else:
            said = self.attribution_now(speaker)
        return {
            "kind": said["kind"],
            "speaker": said["speaker"],
            "roles": [
                {code: title for code, title in role.items() if code != "id"}
                for role in said["roles"]
            ],
        }

    def role_titles(self):
        """Role id → its titles as published, for the roles listed with a statement."""
        said = self.attribution if self.is_public and self.attribution else {}
        return {role.get("id"): role for role in said.get("roles", [])}

    def reword_role(self, role):
        """Apply a role's titles of today to this published statement's attribution."""
        for entry in self.attribution.get("roles", []):
            if entry.get("id") == role.pk:
                entry.update(role.titles())

    def make(self, transition, user):
        super().make(transition, user)
        if self.status != Status.PUBLISHED:
            # Withdrawn: published again later, it is attributed as it stands then.
            self.attribution = {}

    def freeze_attribution(self):
        """Keep the attribution as published now; no version bump, no signal."""
        self.attribution = self.attribution_now()
        type(self).objects.filter(pk=self.pk).update(attribution=self.attribution)

    def attribution_errors(self):
        person = getattr(self, f"{self.person_field}_id")
        organisation = getattr(self, f"{self.organisation_field}_id")
        if person and organisation:
            return {
                self.organisation_field: _(
                    "Choose who said it: a person or an organisation, not both."
                )
            }
        return {}


class Agreement(Record, Source):
    """Terms agreed at a negotiation round, implemented in one or more exchanges (stages)."""

    class Implementation(models.TextChoices):
        AGREED = "agreed", _("agreed")
        BEING_IMPLEMENTED = "being_implemented", _("being implemented")
        COMPLETED = "completed", _("completed")
        STALLED = "stalled", _("stalled")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    round_number = models.PositiveSmallIntegerField(
        _("round"), null=True, blank=True, help_text=_("Round of negotiations, if numbered.")
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    concluded_on = models.DateField(_("agreed on"))
    parties = models.ManyToManyField(
        Organisation, verbose_name=_("parties"), blank=True, related_name="agreements"
    )
    terms = models.CharField(
        _("terms"),
        max_length=300,
        blank=True,
        help_text=_("e.g. “all for all”, “1,000 for 1,000”."),
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories covered"), blank=True, related_name="agreements"
    )
    implementation = models.CharField(
        _("implementation status"),
        max_length=20,
        choices=Implementation,
        default=Implementation.AGREED,
    )
    counts_toward_tally = models.BooleanField(
        _("counts toward the official tally"),
        null=True,
        blank=True,
        help_text=_(
            "Whether officials count this agreement's exchanges in their scheduled "
            "tally. The Istanbul second-round stages, for example, were classified as a "
            "separate, unscheduled case. Leave unknown until officials say."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    corrections = GenericRelation("Correction")

    # Changing these once published needs a public correction note.
    corrected_fields = ("concluded_on", "terms_en", "terms_uk", "counts_toward_tally")
    dated_by = "concluded_on"

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-concluded_on", "title"]
        # The API's order, read newest first and stopped at a page, whatever the size.
        indexes = [models.Index(fields=["concluded_on", "id"], name="agreement_order")]
        verbose_name = _("agreement")
        permissions = [("publish_agreement", _("Can publish, correct and unpublish agreements"))]
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(round_number__gte=1),
                name="agreement_round_at_least_one",
                violation_error_message=_("Rounds are numbered from 1."),
            )
        ]

    def __str__(self):
        return self.title

    @classmethod
    def public_relations(cls, as_of=None):
        return [
            gated(cls, "parties"),
            "categories",
            "corrections",
            gated(cls, "exchanges", as_of),
        ]

    def clean(self):
        errors = not_in_future("concluded_on", self.concluded_on)
        if errors:
            raise ValidationError(errors)


class ExchangeQuerySet(RecordQuerySet):
    def counted(self):
        """Exchanges that officials count toward the scheduled tally."""
        return self.filter(counts_toward_tally=True)

    def totals(self):
        """How many exchanges, and the people returned in them as one honest Figure."""
        # A sum of figures with one qualifier has that qualifier: add per qualifier
        # in SQL (at most nine rows), then combine the nine with honest bounds.
        rows = (
            self.order_by()
            .values("returned_precision")
            .annotate(count=Count("pk"), value=Sum("returned"), upper=Sum("returned_upper"))
        )
        count, figures = 0, []
        for row in rows:
            count += row["count"]
            figures.append(Figure(row["value"], row["returned_precision"], row["upper"]))
        return count, total(figures)


class Exchange(Record, Source):
    """One handover on one date: people returned to Ukraine and people handed over."""

    date = models.DateField(_("date"), db_index=True)
    official_number = models.PositiveIntegerField(
        _("official number"),
        null=True,
        blank=True,
        help_text=_("The sequence number officials give the exchange, e.g. 67."),
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges",
    )
    stage = models.PositiveSmallIntegerField(
        _("stage"),
        null=True,
        blank=True,
        help_text=_("Stage of the agreement this exchange implements, from 1."),
    )
    returned = models.PositiveIntegerField(_("people returned"), null=True, blank=True)
    returned_precision = precision_field()
    returned_upper = upper_field()
    handed_over = models.PositiveIntegerField(_("people handed over"), null=True, blank=True)
    handed_over_precision = precision_field(default=Precision.UNKNOWN)
    handed_over_upper = upper_field()
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="exchanges"
    )
    mediators = models.ManyToManyField(
        Organisation, verbose_name=_("mediators"), blank=True, related_name="mediated_exchanges"
    )
    counts_toward_tally = models.BooleanField(
        _("counts toward the official tally"),
        default=True,
        help_text=_(
            "Untick for exchanges officials keep outside their scheduled tally, such "
            "as the Istanbul second-round stages. Unticked exchanges are never added "
            "to the tally's figures."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    returned_figure = FigureAttribute("returned")
    handed_over_figure = FigureAttribute("handed_over")
    corrections = GenericRelation("Correction")

    # Changing these once published needs a public correction note.
    corrected_fields = (
        "date",
        "official_number",
        "stage",
        "counts_toward_tally",
        "returned",
        "returned_precision",
        "returned_upper",
        "handed_over",
        "handed_over_precision",
        "handed_over_upper",
    )
    dated_by = "date"

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        get_latest_by = "date"
        # The API's order, read newest first and stopped at a page, whatever the size.
        indexes = [models.Index(fields=["date", "id"], name="exchange_order")]
        verbose_name = _("exchange")
        permissions = [("publish_exchange", _("Can publish, correct and unpublish exchanges"))]
        verbose_name_plural = _("exchanges")
        constraints = [
            *figure_constraints("exchange", "returned"),
            *figure_constraints("exchange", "handed_over"),
            models.UniqueConstraint(
                fields=["official_number"],
                name="exchange_official_number_unique",
            ),
            models.UniqueConstraint(
                fields=["agreement", "stage"],
                name="exchange_stage_unique",
            ),
            models.CheckConstraint(
                condition=Q(stage__gte=1),
                name="exchange_stage_at_least_one",
                violation_error_message=_("Stages are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=Q(stage__isnull=True) | Q(agreement__isnull=False),
                name="exchange_stage_needs_agreement",
                violation_error_message=_("A stage belongs to an agreement."),
            ),
        ]

    def __str__(self):
        return _("Exchange of %(date)s") % {"date": self.date.isoformat() if self.date else "?"}

    @classmethod
    def public_relations(cls, as_of=None):
        return [
            gated(cls, "agreement", as_of),
            gated(cls, "mediators"),
            "categories",
            "corrections",
        ]

    def clean(self):
        errors = {
            **not_in_future("date", self.date),
            **not_before_agreement(self, "date"),
            **Exchange.returned_figure.errors(self),
            **Exchange.handed_over_figure.errors(self),
        }
        if self.stage is not None and self.agreement_id is None:
            errors["stage"] = _(
                "Choose the agreement this stage belongs to, or leave the stage empty."
            )
        if self.stage is not None and self.stage < 1:
            errors["stage"] = _("Stages are numbered from 1.")
        if self.status == Status.PUBLISHED:
            errors = {**self.publication_errors(), **errors}
        if errors:
            raise ValidationError(errors)

    def publication_errors(self):
        return source_given(self)


class Tally(Statement, Record, Source):
    """
    An official cumulative statement: “66 exchanges, 5,857 people” as of a date.

    A tally is what an official said, not a sum: the newsroom may not have
    recorded every exchange. Fact boxes cite the tally and its source.
    """

    class Scope(models.TextChoices):
        SCHEDULED = "scheduled", _("all scheduled exchanges")
        AGREEMENT = "agreement", _("one agreement")

    as_of = models.DateField(_("as of"), db_index=True)
    scope = models.CharField(
        _("scope"),
        max_length=12,
        choices=Scope,
        default=Scope.SCHEDULED,
        help_text=_(
            "“All scheduled exchanges” is the running official count. Choose “one "
            "agreement” for figures about a separate case, such as the Istanbul stages: "
            "they are never added into the scheduled tally."
        ),
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tallies",
    )
    counted_since = models.DateField(
        _("counted since"),
        null=True,
        blank=True,
        help_text=_("Start of the count, e.g. 24 February 2022, the full-scale invasion."),
    )
    exchanges = models.PositiveIntegerField(_("exchanges"), null=True, blank=True)
    exchanges_precision = precision_field()
    exchanges_upper = upper_field()
    returned = models.PositiveIntegerField(_("people returned"), null=True, blank=True)
    returned_precision = precision_field()
    returned_upper = upper_field()
    stated_by = models.ForeignKey(
        Person,
        verbose_name=_("stated by (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tallies",
    )
    stated_by_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("stated by (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tallies",
        help_text=_(
            "When an organisation made the statement itself, e.g. “the Coordination "
            "Headquarters reported”, with no named spokesperson."
        ),
    )
    stated_by_roles = models.ManyToManyField(
        Role,
        verbose_name=_("in the role(s) of"),
        blank=True,
        related_name="+",
        help_text=_("The roles the speaker held on the date; later job changes do not alter them."),
    )
    context = models.CharField(
        _("context"),
        max_length=200,
        blank=True,
        help_text=_("How it was said, e.g. “in a comment to Ukrainska Pravda”."),
    )
    outlet = models.ForeignKey(
        Organisation,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    exchanges_figure = FigureAttribute("exchanges")
    returned_figure = FigureAttribute("returned")
    corrections = GenericRelation("Correction")

    # Changing these once published needs a public correction note.
    corrected_fields = (
        "as_of",
        "counted_since",
        "exchanges",
        "exchanges_precision",
        "exchanges_upper",
        "returned",
        "returned_precision",
        "returned_upper",
        "stated_by",
        "stated_by_organisation",
        "stated_by_roles",
    )
    person_field, roles_field = "stated_by", "stated_by_roles"
    organisation_field, dated_by = "stated_by_organisation", "as_of"

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-pk"]
        get_latest_by = "as_of"
        # The API's order, read newest first and stopped at a page, whatever the size.
        indexes = [models.Index(fields=["as_of", "id"], name="tally_order")]
        verbose_name = _("official tally")
        permissions = [("publish_tally", _("Can publish, correct and unpublish official tallies"))]
        verbose_name_plural = _("official tallies")
        constraints = [
            *figure_constraints("tally", "exchanges"),
            *figure_constraints("tally", "returned"),
            models.CheckConstraint(
                condition=(
                    Q(scope="scheduled", agreement__isnull=True)
                    | Q(scope="agreement", agreement__isnull=False)
                ),
                name="tally_agreement_matches_scope",
                violation_error_message=_(
                    "A tally about one agreement names it; a scheduled tally does not."
                ),
            ),
            models.CheckConstraint(
                condition=Q(stated_by__isnull=True) | Q(stated_by_organisation__isnull=True),
                name="tally_stated_by_one_speaker",
                violation_error_message=_(
                    "Choose who said it: a person or an organisation, not both."
                ),
            ),
        ]

    def __str__(self):
        subject = self.agreement if self.agreement_id else _("scheduled exchanges")
        return _("%(subject)s as of %(date)s") % {
            "subject": subject,
            "date": self.as_of.isoformat() if self.as_of else "?",
        }

    @classmethod
    def public_relations(cls, as_of=None):
        return [*super().public_relations(as_of), gated(cls, "agreement", as_of)]

    def clean(self):
        errors = {
            **not_in_future("as_of", self.as_of),
            **not_before_agreement(self, "as_of"),
            **Tally.exchanges_figure.errors(self),
            **Tally.returned_figure.errors(self),
        }
        if self.scope == self.Scope.AGREEMENT and self.agreement_id is None:
            errors["agreement"] = _("Choose the agreement this tally is about.")
        if self.scope == self.Scope.SCHEDULED and self.agreement_id is not None:
            errors["agreement"] = _(
                "A scheduled tally covers all scheduled exchanges; clear the agreement "
                "or change the scope to “one agreement”."
            )
        errors.update(self.attribution_errors())
        if self.status == Status.PUBLISHED:
            errors = {**self.publication_errors(), **errors}
        if errors:
            raise ValidationError(errors)

    def publication_errors(self):
        errors = {
            **source_given(self),
            **speaker_is_public(self, "stated_by"),
            **speaker_is_public(self, "stated_by_organisation"),
        }
        if not self.stated_by_id and not self.stated_by_organisation_id:
            errors["stated_by"] = _(
                "Choose who stated these figures before publishing: a person or an organisation."
            )
        return errors

    def pinned_until(self, date):
        """Until the day before the next public tally of the same scope supersedes it."""
        later = (
            Tally.objects.public()
            .filter(scope=self.scope, agreement_id=self.agreement_id, as_of__gt=date)
            .exclude(pk=self.pk)
            .order_by("as_of")
            .values_list("as_of", flat=True)
            .first()
        )
        return later - datetime.timedelta(days=1) if later else None

    def recorded_exchanges(self):
        """The exchanges published here, dated up to the tally's date, within its scope."""
        exchanges = Exchange.objects.public().known_on(self.as_of)
        if self.scope == self.Scope.AGREEMENT:
            return exchanges.filter(agreement_id=self.agreement_id)
        exchanges = exchanges.counted()
        if self.counted_since:
            exchanges = exchanges.filter(date__gte=self.counted_since)
        return exchanges

    def recorded_totals(self):
        """(exchanges, people returned) summed from recorded exchanges, to compare."""
        return self.recorded_exchanges().totals()


class Quote(Statement, Record, Source):
    """Verbatim words of a person (with the roles they held that day) or of an organisation."""

    class Language(models.TextChoices):
        UKRAINIAN = "uk", _("Ukrainian")
        ENGLISH = "en", _("English")
        RUSSIAN = "ru", _("Russian")

    text = models.TextField(_("text"), help_text=_("Verbatim, in the language given below."))
    language = models.CharField(
        _("language"), max_length=8, choices=Language, default=Language.UKRAINIAN
    )
    speaker = models.ForeignKey(
        Person,
        verbose_name=_("speaker (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
    )
    speaker_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("speaker (organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        help_text=_("When an organisation's statement is quoted, with no named spokesperson."),
    )
    roles = models.ManyToManyField(
        Role,
        verbose_name=_("role(s) at the time"),
        blank=True,
        related_name="quotes",
        help_text=_("The speaker's roles on the day; a later change of job does not rewrite them."),
    )
    context = models.CharField(
        _("context"),
        max_length=200,
        blank=True,
        help_text=_("How it was said, e.g. “in a comment to Ukrainska Pravda”."),
    )
    outlet = models.ForeignKey(
        Organisation,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    said_on = models.DateField(_("said on"), db_index=True)
    exchange = models.ForeignKey(
        Exchange,
        verbose_name=_("about the exchange"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("about the agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )
    tally = models.ForeignKey(
        Tally,
        verbose_name=_("about the tally"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )

    corrections = GenericRelation("Correction")

    # Changing these once published needs a public correction note.
    corrected_fields = (
        "text",
        "language",
        "said_on",
        "speaker",
        "speaker_organisation",
        "roles",
    )
    person_field, roles_field = "speaker", "roles"
    organisation_field, dated_by = "speaker_organisation", "said_on"

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-said_on", "-pk"]
        # The API's order, read newest first and stopped at a page, whatever the size.
        indexes = [models.Index(fields=["said_on", "id"], name="quote_order")]
        verbose_name = _("quote")
        permissions = [("publish_quote", _("Can publish, correct and unpublish quotes"))]
        verbose_name_plural = _("quotes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(speaker__isnull=False, speaker_organisation__isnull=True)
                    | Q(speaker__isnull=True, speaker_organisation__isnull=False)
                ),
                name="quote_has_one_speaker",
                violation_error_message=_("A quote has one speaker: a person or an organisation."),
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"{self.said_by}: “{text}”"

    @classmethod
    def public_relations(cls, as_of=None):
        return [
            *super().public_relations(as_of),
            gated(cls, "exchange", as_of),
            gated(cls, "agreement", as_of),
            gated(cls, "tally", as_of),
            "translations",
        ]

    def clean(self):
        errors = {**not_in_future("said_on", self.said_on), **self.attribution_errors()}
        if not self.speaker_id and not self.speaker_organisation_id:
            errors["speaker"] = _("Choose who said it: a person or an organisation.")
        if self.status == Status.PUBLISHED:
            errors = {**self.publication_errors(), **errors}
        if errors:
            raise ValidationError(errors)

    def publication_errors(self):
        return {
            **source_given(self),
            **speaker_is_public(self, "speaker"),
            **speaker_is_public(self, "speaker_organisation"),
        }


class QuoteTranslation(models.Model):
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=Quote.Language)
    text = models.TextField(_("text"))
    translator = models.CharField(
        _("translated by"),
        max_length=200,
        blank=True,
        help_text=_("e.g. “Ukrainska Pravda (as published)”."),
    )

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "language"],
                name="quote_translation_one_per_language",
            )
        ]

    def __str__(self):
        return f"{self.quote_id} [{self.language}]"

    def clean(self):
        if self.quote_id and self.language == self.quote.language:
            raise ValidationError(
                {"language": _("The quote itself is in this language; translate it into another.")}
            )


class Correction(models.Model):
    """
    A public note on a published figure, date or quote text that was changed.

    Readers and partners see it beside the corrected value; the earlier value
    stays in the record's history.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    note = models.TextField(_("correction note"))
    fields = models.JSONField(_("corrected fields"), default=list)
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["corrected_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [models.Index(fields=["content_type", "object_id"], name="correction_record")]

    def __str__(self):
        return f"{self.corrected_at:%Y-%m-%d}: {self.note}"


# Partners and their keys ------------------------------------------------------------


class Partner(models.Model):
    """An outlet that republishes our figures through the API and feeds."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact = models.EmailField(_("contact email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class PartnerAPIKey(AbstractAPIKey):
    """A partner's key: shown once, stored hashed, known by its prefix."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="api_keys"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")


# The change log ---------------------------------------------------------------------


class ChangeQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Entries partners may see: those whose moment has come."""
        return self.filter(at__lte=now or timezone.now())


class Change(models.Model):
    """
    The latest public change of one record, for partners' incremental sync.

    The log keeps one entry per record: each change replaces the record's
    earlier entry with a new one at the end, so replaying the log from the
    start gives exactly the published data, and deletions and unpublications
    stay behind as tombstones.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        UNPUBLISHED = "unpublished", _("unpublished")
        DELETED = "deleted", _("deleted")

    kind = models.CharField(_("kind"), max_length=20)
    uuid = models.UUIDField(_("UUID"))
    action = models.CharField(_("action"), max_length=12, choices=Action)
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The record's own date (the earlier one, if the change moved it): boxes
    # pinned before it are not affected. Empty for records without a date.
    dated = models.DateField(_("dated"), null=True, blank=True)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["at", "id"], name="change_position"),
            models.Index(fields=["kind", "uuid"], name="change_record"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.kind} {self.uuid}"

    @property
    def is_tombstone(self):
        return self.action in (self.Action.UNPUBLISHED, self.Action.DELETED)


class AuditEvent(models.Model):
    """
    Who did what, when and from where: workflow moves, corrections, reverts,
    sign-ins and partner keys, for editors looking back. Never public.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted for review")
        PUBLISH = "publish", _("published")
        UNPUBLISH = "unpublish", _("unpublished")
        RETURN_TO_DRAFT = "return_to_draft", _("returned to draft")
        CORRECT = "correct", _("corrected")
        REVERT = "revert", _("reverted")
        RECOVER = "recover", _("recovered as a draft")
        DELETE = "delete", _("deleted")
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("failed to sign in")
        LOCKED_OUT = "locked_out", _("locked out")
        LOGOUT = "logout", _("signed out")
        KEY_USED = "key_used", _("used a partner key")
        KEY_CREATED = "key_created", _("partner key created")
        KEY_REVOKED = "key_revoked", _("partner key revoked")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the account goes; for a failed sign-in, the name that was tried.
    username = models.CharField(_("who"), max_length=150, blank=True)
    subject_kind = models.CharField(_("kind"), max_length=40, blank=True)
    subject_uuid = models.UUIDField(_("UUID"), null=True, blank=True)
    subject = models.CharField(_("what"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["subject_kind", "subject_uuid"], name="audit_subject")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.subject}"

    @classmethod
    def note(cls, action, user=None, record=None, detail="", address=None, username=""):
        """Write one event; ``record`` is any public record (or a partner key)."""
        return cls.objects.create(
            action=action,
            user=user if user is not None and user.pk else None,
            username=username or (user.get_username() if user is not None else ""),
            subject_kind=record._meta.model_name if record is not None else "",
            subject_uuid=getattr(record, "uuid", None),
            subject=str(record)[:200] if record is not None else "",
            detail=str(detail),
            address=address,
        )
