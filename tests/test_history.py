"""History: every change recorded with its author, readable, revertible; deletes recoverable."""

import datetime

import pytest
from django.urls import reverse
from reversion.models import Version

from exchanges.models import Exchange, Person, Status

from .test_admin import form_data, post_form

pytestmark = pytest.mark.django_db


def history(client, record):
    url = reverse(f"admin:exchanges_{record._meta.model_name}_history", args=[record.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_every_field_change_is_recorded_with_its_author(admin_client, admin_user, seed):
    exchange = Exchange.objects.get(date=datetime.date(2025, 5, 24))
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    post_form(
        admin_client,
        url,
        returned="306",
        notes_en="One fewer, after a recount.",
        correction_note="306 returned, not 307.",
    )
    versions = Version.objects.get_for_object(exchange)
    assert versions.count() == 2  # the seed's, and the edit
    assert versions[0].revision.user == admin_user
    page = history(admin_client, exchange)
    text = page.content.decode()
    assert "<strong>people returned</strong>: <del>307</del> → <ins>306</ins>" in text
    assert (
        "<strong>notes [en]</strong>: <del>—</del> → <ins>One fewer, after a recount.</ins>" in text
    )
    assert "Reference data loaded" in text
    assert admin_user.username in text


def test_roles_edited_with_a_person_are_in_its_history(admin_client, seed):
    person = Person.objects.get(slug="andrii-yusov")
    page = admin_client.get(reverse("admin:exchanges_person_change", args=[person.pk]))
    data = form_data(page)
    data["roles-0-ended_on"] = "2025-12-31"
    response = admin_client.post(reverse("admin:exchanges_person_change", args=[person.pk]), data)
    assert response.status_code == 302
    revision = Version.objects.get_for_object(person)[0].revision
    assert {v.object_repr for v in revision.version_set.all()} >= {
        "Andrii Yusov",
        "Andrii Yusov, Deputy Head of the Coordination Headquarters for the Treatment of "
        "Prisoners of War",
    }


def test_transitions_are_in_the_history(admin_client, seed):
    exchange = Exchange.objects.get(official_number=67)
    url = reverse("admin:exchanges_exchange_changelist")
    admin_client.post(
        url, {"action": "unpublish", "_selected_action": [exchange.pk], "confirmed": "yes"}
    )
    assert Version.objects.get_for_object(exchange)[0].revision.get_comment() == "Unpublish"


def test_revert_restores_the_old_values_and_keeps_counting_versions(admin_client, seed):
    exchange = Exchange.objects.get(date=datetime.date(2025, 5, 24))
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    post_form(
        admin_client, url, returned="306", returned_precision="about", correction_note="About 306."
    )
    exchange.refresh_from_db()
    assert exchange.returned_figure.words("en") == "about 306"
    version_after_edit = exchange.version
    original = Version.objects.get_for_object(exchange).last()
    revert_url = reverse("admin:exchanges_exchange_revision", args=[exchange.pk, original.pk])
    page = admin_client.get(revert_url)
    assert page.status_code == 200
    data = form_data(page)
    data["correction_note"] = "Back to 307, as first reported."
    response = admin_client.post(revert_url, data)
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.returned_figure.words("en") == "307"
    assert exchange.status == Status.PUBLISHED
    assert exchange.version > version_after_edit


def test_a_deleted_record_leaves_history_and_can_be_recovered(admin_client, seed, api, settled):
    exchange = Exchange.objects.get(official_number=67)
    uuid = exchange.uuid
    delete = reverse("admin:exchanges_exchange_delete", args=[exchange.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(Exchange)
    assert [v.object_repr for v in deleted] == ["Exchange of 2025-08-14"]
    recover_list = admin_client.get(reverse("admin:exchanges_exchange_recoverlist"))
    assert "Exchange of 2025-08-14" in recover_list.content.decode()
    recover = reverse("admin:exchanges_exchange_recover", args=[deleted[0].pk])
    page = admin_client.get(recover)
    assert admin_client.post(recover, form_data(page)).status_code == 302
    restored = Exchange.objects.get(uuid=uuid)
    assert restored.returned == 84 and restored.official_number == 67
    # Back as a draft, with the same UUID: public again only when an editor publishes it.
    assert restored.status == Status.DRAFT
    assert api.get(f"/api/v1/exchanges/{uuid}/").status_code in (404, 410)
    admin_client.post(
        reverse("admin:exchanges_exchange_changelist"),
        {"action": "publish", "_selected_action": [restored.pk], "confirmed": "yes"},
    )
    assert api.get(f"/api/v1/exchanges/{uuid}/").status_code == 200
    changes = api.get("/api/v1/changes/", {"page_size": 200}).json()["results"]
    back = [c for c in changes if c["uuid"] == str(uuid)]
    assert len(back) == 1 and back[0]["action"] in ("created", "updated")
    assert back[0]["data"]["returned"]["value"] == 84
