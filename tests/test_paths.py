"""
The workflow holds on every admin path: role × path × published record.

A published exchange says 100 people came home; an earlier draft of it said
4,242. Each path below tries to change that figure (or what the record's box
prints with it) as a reporter and as an editor. A reporter is refused on every
path and nothing changes; an editor changes a published figure only with a
public correction note, and a revert or a recovery never bypasses that.
"""

import datetime

import pytest
import reversion
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from exchanges.models import Agreement, Category, Correction, Exchange, Role, Status

from .factories import (
    AgreementFactory,
    CategoryFactory,
    ExchangeFactory,
    PersonFactory,
    QuoteFactory,
    QuoteTranslationFactory,
    RoleFactory,
)
from .test_admin import form_data, post_confirmed

pytestmark = pytest.mark.django_db

NOTE = "100 people returned, not 4,242."


def signed_in(django_user_model, role):
    user = django_user_model.objects.create_user(role.lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(params=["Reporter", "Editor"])
def role(request, django_user_model):
    return request.param, signed_in(django_user_model, request.param)


@pytest.fixture
def world():
    """A draft agreement whose first stage is published, with its draft-era version."""
    agreement = AgreementFactory(status=Status.DRAFT, published_at=None)
    with reversion.create_revision():
        stage = ExchangeFactory(
            agreement=agreement,
            stage=1,
            date=datetime.date(2025, 6, 10),
            returned=4242,
            counts_toward_tally=False,
            status=Status.DRAFT,
            published_at=None,
        )
    draft_era = Version.objects.get_for_object(stage).get()
    with reversion.create_revision():
        stage.returned = 100
        stage.status = Status.PUBLISHED
        stage.save()
    category = CategoryFactory(name_en="Wounded")
    AgreementFactory().categories.add(category)
    person = PersonFactory(name_en="Petro Yatsenko")
    role = RoleFactory(person=person, title_en="Spokesperson")
    return {"stage": stage, "draft_era": draft_era, "category": category, "role": role}


def admin_url(record, view, *args):
    name = f"admin:exchanges_{record._meta.model_name}_{view}"
    return reverse(name, args=[record.pk, *args] if view != "changelist" else args)


def assert_unchanged(world):
    stage = Exchange.objects.get(pk=world["stage"].pk)
    assert (stage.returned, stage.status, stage.counts_toward_tally) == (
        100,
        Status.PUBLISHED,
        False,
    )
    assert not Correction.objects.exists()


def assert_refused(response):
    """Refused outright, or the form came back with an error and saved nothing."""
    assert response.status_code in (200, 302, 403), response.status_code
    if response.status_code == 200 and "adminform" in (response.context or {}):
        form = response.context["adminform"].form
        formsets = response.context.get("inline_admin_formsets", [])
        assert form.errors or any(f.formset.errors for f in formsets) or not form.has_changed()


def assert_corrected(world):
    stage = Exchange.objects.get(pk=world["stage"].pk)
    assert stage.status == Status.PUBLISHED
    correction = Correction.objects.get()
    assert correction.note_en == NOTE


def post_page(client, address, **changes):
    page = client.get(address)
    if page.status_code != 200:
        return page
    data = form_data(page)
    data.update(changes)
    return post_confirmed(client, address, data)


# Paths ---------------------------------------------------------------------------


def test_change_form(role, world):
    name, client = role
    address = admin_url(world["stage"], "change")
    assert_refused(post_page(client, address, returned="4242"))
    assert_unchanged(world)
    if name == "Editor":
        post_page(client, address, returned="4242", correction_note=NOTE)
        assert Exchange.objects.get(pk=world["stage"].pk).returned == 4242
        assert_corrected(world)


def test_forged_change_form(role, world):
    """A form posted without loading it (no version, no note) changes nothing."""
    _name, client = role
    response = client.post(admin_url(world["stage"], "change"), {"returned": "4242"})
    assert_refused(response)
    assert_unchanged(world)


def test_inline_on_a_draft_agreement(role, world):
    """The agreement is a draft anyone may edit; its published stage is not."""
    name, client = role
    stage = world["stage"]
    address = admin_url(stage.agreement, "change")
    page = client.get(address)
    assert page.status_code == 200
    data = form_data(page)
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and str(v) == str(stage.pk)
    )
    data.update({f"{row}-returned": "4242", f"{row}-counts_toward_tally": "on"})
    assert_refused(post_confirmed(client, address, data))
    assert_unchanged(world)
    if name == "Reporter":
        # The row is shown, read-only: the reporter is not offered what would be refused.
        assert f'name="{row}-returned" value="100" class="vIntegerField" min="0" disabled' in (
            page.text
        )


@pytest.mark.parametrize("action", ["publish", "unpublish", "return_to_draft", "delete_selected"])
def test_bulk_actions(role, world, action):
    name, client = role
    stage = world["stage"]
    changelist = reverse("admin:exchanges_exchange_changelist")
    data = {"action": action, "_selected_action": [stage.pk], "confirmed": "yes", "post": "yes"}
    response = client.post(changelist, data)
    assert response.status_code in (200, 302, 403)
    stage = Exchange.objects.filter(pk=stage.pk).first()
    assert stage is not None and stage.returned == 100  # no action deletes or edits a figure
    if name == "Reporter" or action != "unpublish":
        assert stage.status == Status.PUBLISHED
    else:
        assert stage.status == Status.UNPUBLISHED  # an editor's move, in the history
    assert not Correction.objects.exists()


def test_revert_to_a_draft_era_version(role, world):
    """The reported hole: revert showed the draft status, so no rule applied."""
    name, client = role
    address = admin_url(world["stage"], "revision", world["draft_era"].pk)
    page = client.get(address)
    if name == "Reporter":
        assert (
            page.status_code == 403
            or "adminform" not in (page.context or {})
            or not (page.context["has_change_permission"])
        )
        assert_refused(client.post(address, {"returned": "4242", "status": "draft"}))
        assert_unchanged(world)
        return
    assert page.status_code == 200
    data = form_data(page)
    assert str(data["returned"]) == "4242"  # the earlier content, shown to restore
    assert_refused(post_confirmed(client, address, data))
    assert_unchanged(world)
    post_confirmed(client, address, {**data, "correction_note": NOTE})
    stage = Exchange.objects.get(pk=world["stage"].pk)
    assert stage.returned == 4242 and stage.status == Status.PUBLISHED
    assert_corrected(world)
    assert "Reverted to the version saved on" in (
        Version.objects.get_for_object(stage)[0].revision.get_comment()
    )


def test_recover_a_deleted_published_record(role, world, admin_client):
    name, client = role
    stage = world["stage"]
    uuid = stage.uuid
    assert admin_client.post(admin_url(stage, "delete"), {"post": "yes"}).status_code == 302
    deleted = Version.objects.get_deleted(Exchange).get()
    address = reverse("admin:exchanges_exchange_recover", args=[deleted.pk])
    page = client.get(address)
    if page.status_code == 200 and "adminform" in (page.context or {}):
        post_confirmed(client, address, form_data(page))
    recovered = Exchange.objects.filter(uuid=uuid).first()
    if name == "Reporter":
        assert recovered is None
    else:
        # Back, but as a draft: public again only through the publish step.
        assert recovered.status == Status.DRAFT and recovered.returned == 100


def test_delete(role, world):
    _name, client = role
    stage = world["stage"]
    assert client.post(admin_url(stage, "delete"), {"post": "yes"}).status_code == 403
    assert_unchanged(world)


def test_role_page_of_a_published_person(role, world):
    name, client = role
    role_record = world["role"]
    address = admin_url(role_record, "change")
    response = post_page(client, address, title_en="Chief of Staff")
    title = Role.objects.get(pk=role_record.pk).title_en
    if name == "Reporter":
        assert title == "Spokesperson"
        assert response.status_code in (200, 403)
        # Nor can a reporter give the published person a new role.
        added = post_page(
            client,
            reverse("admin:exchanges_role_add"),
            person=role_record.person.pk,
            title_en="Minister",
        )
        assert added.status_code == 200
        assert "is published: an editor adds or changes their roles" in added.text
        assert Role.objects.filter(person=role_record.person).count() == 1
    else:
        assert title == "Chief of Staff"


def test_category_shown_with_a_published_agreement(role, world):
    name, client = role
    category = world["category"]
    post_page(client, admin_url(category, "change"), name_en="Civilians")
    expected = "Wounded" if name == "Reporter" else "Civilians"
    assert Category.objects.get(pk=category.pk).name_en == expected
    deleted = client.post(admin_url(category, "delete"), {"post": "yes"})
    assert deleted.status_code == 403
    assert Category.objects.filter(pk=category.pk).exists()


def test_agreement_counts_toward_the_tally_is_a_correction(world, django_user_model):
    client = signed_in(django_user_model, "Editor")
    agreement = Agreement.objects.get(categories=world["category"])
    assert agreement.counts_toward_tally is None  # not said
    address = admin_url(agreement, "change")
    page = client.get(address)
    data = form_data(page)
    data["counts_toward_tally"] = "false"
    response = post_confirmed(client, address, data)
    assert response.status_code == 200
    assert "needs a correction note" in response.text
    assert Agreement.objects.get(pk=agreement.pk).counts_toward_tally is None
    post_confirmed(client, address, {**data, "correction_note": "It does not count."})
    assert Agreement.objects.get(pk=agreement.pk).counts_toward_tally is False
    assert Correction.objects.get().fields == ["counts_toward_tally"]


def test_recover_only_brings_back_deleted_records_of_its_own_kind(role, world):
    """A live record's version, or another kind's, is not a recovery: nothing is rewritten."""
    _name, client = role
    draft_era = world["draft_era"]  # a version of the live, published stage
    for address in [
        reverse("admin:exchanges_exchange_recover", args=[draft_era.pk]),
        reverse("admin:exchanges_tally_recover", args=[draft_era.pk]),
    ]:
        assert client.get(address).status_code in (403, 404)
        assert client.post(address, {"_saveasnew": "1"}).status_code in (403, 404)
        assert_unchanged(world)


def test_a_published_quotes_translation_is_corrected_like_its_text(role, world):
    name, client = role
    quote = QuoteFactory()
    QuoteTranslationFactory(quote=quote, language="uk", text="Обмін триватиме.")
    address = admin_url(quote, "change")
    page = client.get(address)
    if name == "Reporter":
        assert client.post(address, {"translations-0-text": "Інше."}).status_code == 403
        assert quote.translations.get().text == "Обмін триватиме."
        return
    data = form_data(page)
    data["translations-0-text"] = "Обмін етапами триватиме."
    refused = post_confirmed(client, address, data)
    assert refused.status_code == 200
    assert "changing a translation needs a correction note" in refused.text
    assert quote.translations.get().text == "Обмін триватиме."
    post_confirmed(client, address, {**data, "correction_note": "The translation is fuller."})
    assert quote.translations.get().text == "Обмін етапами триватиме."
    correction = Correction.objects.get()
    assert (correction.fields, correction.note_en) == (
        ["translations"],
        "The translation is fuller.",
    )


def test_import_of_a_spreadsheet(role, world):
    """The admin's import: a row naming the published stage by UUID, as a reporter or an editor."""
    name, client = role
    address = reverse("admin:exchanges_exchange_import")
    stage = world["stage"]

    def upload(content, **fields):
        token = client.get(address).context["token"]
        file = SimpleUploadedFile("stage.csv", content.encode(), content_type="text/csv")
        checked = client.post(address, {"file": file, "progress": token, **fields})
        return client.post(address, {"token": token, "name": "stage.csv", **fields}), checked

    row = f"uuid,date,returned,source\n{stage.uuid},2025-06-10,4242,Test Agency\n"
    imported, checked = upload(row)
    assert "is published" in checked.content.decode()
    assert_refused(imported)
    assert_unchanged(world)
    if name == "Editor":
        upload(
            row.replace("source\n", "source,correction\n").replace("Agency\n", f'Agency,"{NOTE}"\n')
        )
        assert Exchange.objects.get(pk=stage.pk).returned == 4242
        assert_corrected(world)
