"""The audit log: what editors can look back on, written by the actions themselves."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from exchanges.models import AuditEvent, Exchange, Partner, PartnerAPIKey

from .test_admin import form_data, post_confirmed, post_form
from .test_workflow import draft_exchange, press, staff

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
LOG = reverse("admin:exchanges_auditevent_changelist")


def signed_in(django_user_model, role):
    """(user, client) of a staff member in ``role``, signed in."""
    return staff(django_user_model, role)


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_publishing_correcting_reverting_and_deleting_are_logged(
    seed, django_user_model, admin_client, admin_user
):
    editor, client = signed_in(django_user_model, "Editor")
    exchange = draft_exchange()
    press(client, exchange, "publish")
    published = events(Action.PUBLISH)
    assert [(e.username, e.subject_uuid) for e in published] == [("editor", exchange.uuid)]

    address = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    post_form(client, address, returned="13", correction_note="13 returned, not 12.")
    correction = events(Action.CORRECT)[0]
    assert correction.user == editor
    assert correction.detail == "13 returned, not 12. (changed: returned)"

    first = Version.objects.get_for_object(exchange).last()
    revert = reverse("admin:exchanges_exchange_revision", args=[exchange.pk, first.pk])
    data = form_data(client.get(revert))
    post_confirmed(client, revert, {**data, "correction_note": "Back to 12."})
    assert [e.subject for e in events(Action.REVERT)] == [str(exchange)]
    assert events(Action.REVERT)[0].detail.startswith("to the version saved on")

    admin_client.post(
        reverse("admin:exchanges_exchange_delete", args=[exchange.pk]), {"post": "yes"}
    )
    deleted = events(Action.DELETE)[0]
    assert (deleted.user, deleted.subject_uuid) == (admin_user, exchange.uuid)
    assert not Exchange.objects.filter(pk=exchange.pk).exists()


def test_sign_ins_failures_and_lockouts_are_logged(django_user_model):
    signed_in(django_user_model, "Editor")
    login = "/admin/login/?next=/admin/"
    client = Client()
    client.post(login, {"username": "editor", "password": "wrong"})
    failed = events(Action.LOGIN_FAILED)[0]
    assert failed.username == "editor" and failed.address == "127.0.0.1"
    assert "wrong" not in failed.detail
    client.post(login, {"username": "editor", "password": "x"})
    assert events(Action.LOGIN)[0].username == "editor"
    client.post("/admin/logout/")
    assert events(Action.LOGOUT)[0].username == "editor"
    for _attempt in range(5):
        client.post(login, {"username": "nobody", "password": "guess"})
    assert events(Action.LOCKED_OUT)[0].username == "nobody"


def test_partner_keys_are_logged_when_made_used_and_revoked(django_user_model, admin_client):
    partner = Partner.objects.create(name="Kyiv Independent")
    record, key = PartnerAPIKey.objects.create_key(name="sync", partner=partner)
    assert events(Action.KEY_CREATED)[0].detail == f"Kyiv Independent, key {record.prefix}…"
    client = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    for _request in range(3):
        assert client.get("/api/v1/exchanges/").status_code == 200
    # Once an hour per key, not once per request.
    assert len(events(Action.KEY_USED)) == 1
    PartnerAPIKey.objects.filter(pk=record.pk).update(
        last_used_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    client.get("/api/v1/exchanges/")
    assert len(events(Action.KEY_USED)) == 2
    admin_client.post(
        reverse("admin:exchanges_partnerapikey_changelist"),
        {"action": "revoke", "_selected_action": [record.pk]},
    )
    revoked = events(Action.KEY_REVOKED)[0]
    assert revoked.subject == str(record) and revoked.username == "admin"


def test_editors_read_and_filter_the_log_and_nobody_edits_it(seed, django_user_model):
    _editor, client = signed_in(django_user_model, "Editor")
    press(client, draft_exchange(), "publish")
    AuditEvent.note(Action.LOGIN_FAILED, username="someone")
    page = client.get(LOG)
    assert page.status_code == 200
    assert "published" in page.text and "failed to sign in" in page.text
    only = client.get(LOG, {"action": "publish"})
    assert "published" in only.text and "someone" not in only.text
    event = AuditEvent.objects.first()
    assert client.get(reverse("admin:exchanges_auditevent_add")).status_code == 403
    change = reverse("admin:exchanges_auditevent_change", args=[event.pk])
    assert client.post(change, {"detail": "rewritten"}).status_code == 403
    delete = reverse("admin:exchanges_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(detail="rewritten").count() == 0
    for role in ["Reporter", "Partner manager"]:
        _user, other = signed_in(django_user_model, role)
        assert other.get(LOG).status_code == 403, role
