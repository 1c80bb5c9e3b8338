"""No lost edits: two people edit the same exchange; the second save is refused."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from exchanges.models import Exchange

from .test_admin import form_data

pytestmark = pytest.mark.django_db


def editor(django_user_model, username, full_name):
    first, last = full_name.split()
    user = django_user_model.objects.create_user(
        username, password="x", first_name=first, last_name=last, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


def test_the_second_save_over_a_newer_version_is_refused(seed, django_user_model):
    olena = editor(django_user_model, "olena", "Olena Kovalenko")
    taras = editor(django_user_model, "taras", "Taras Melnyk")
    exchange = Exchange.objects.get(date=datetime.date(2025, 5, 24))
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])

    olena_form = form_data(olena.get(url))
    taras_form = form_data(taras.get(url))

    olena_form["returned"] = "306"
    olena_form["correction_note"] = "306 returned, not 307."
    assert olena.post(url, olena_form).status_code == 302

    taras_form["notes_en"] = "Taras's note, typed at the same time."
    response = taras.post(url, taras_form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == [
        "Olena Kovalenko saved this record while you were editing it (changed: people "
        "returned). Nothing of yours was saved; your input is below. Check their change, "
        "then save again."
    ]
    page = response.content.decode()
    assert "Taras&#x27;s note, typed at the same time." in page  # his input is still there
    exchange.refresh_from_db()
    assert exchange.returned == 306  # her change is intact
    assert exchange.notes_en == ""  # his was not saved over it

    # Having seen the message, he saves again on top of her version.
    again = form_data(response)
    assert again["notes_en"] == "Taras's note, typed at the same time."
    assert again["returned"] == "307"  # his form still shows what he started from
    again["returned"] = "306"
    assert taras.post(url, again).status_code == 302
    exchange.refresh_from_db()
    assert (exchange.returned, exchange.notes_en) == (306, "Taras's note, typed at the same time.")


def test_an_unchanged_version_saves_normally(seed, django_user_model):
    olena = editor(django_user_model, "olena", "Olena Kovalenko")
    exchange = Exchange.objects.get(official_number=67)
    url = reverse("admin:exchanges_exchange_change", args=[exchange.pk])
    data = form_data(olena.get(url))
    assert data["expected_version"] == str(exchange.version)
    data["returned"] = "85"
    data["correction_note"] = "85 returned, not 84."
    assert olena.post(url, data).status_code == 302
    exchange.refresh_from_db()
    assert exchange.returned == 85 and exchange.version == int(data["expected_version"]) + 1
