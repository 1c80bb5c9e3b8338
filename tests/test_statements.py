"""Who said it: a person in the roles of that day, or an organisation; as published."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from exchanges.models import Organisation, Person, Quote, Role, Status, Tally
from exchanges.seed import stable_uuid

from .factories import QuoteFactory
from .test_admin import form_data, url
from .test_boxes import jsonld, render, visible

pytestmark = pytest.mark.django_db
QUOTE = stable_uuid("quote", "yusov-2025-07-28")
OLD_TITLE = "spokesperson for Defence Intelligence of Ukraine"
NEW_TITLE = "head of communications of Defence Intelligence of Ukraine"


def quote_box(lang="en"):
    return visible(render("{% factbox 'quote' key lang=lang %}", key=str(QUOTE), lang=lang))


def edit_role(client, role, **changes):
    address = url(Role, "change", role.pk)
    data = form_data(client.get(address))
    data.update(changes)
    return client.post(address, data, follow=True)


def test_a_role_edit_leaves_published_attributions_as_published(admin_client, seed, api):
    role = Role.objects.get(title_en=OLD_TITLE)
    page = admin_client.get(url(Role, "change", role.pk))
    # The editor sees which published statements cite the role.
    quote = Quote.objects.get(uuid=QUOTE)
    assert reverse("admin:exchanges_quote_change", args=[quote.pk]) in page.text
    assert "Andrii Yusov: “Given the scale" in page.text
    response = edit_role(admin_client, role, title_en=NEW_TITLE)
    assert "3 published statements cite this role; they keep the wording" in response.text
    role.refresh_from_db()
    assert role.title_en == NEW_TITLE
    for text in (quote_box(), visible(render('{% factbox "totals" lang="en" %}'))):
        assert OLD_TITLE in text and NEW_TITLE not in text
    tally = api.get(f"/api/v1/tallies/{stable_uuid('tally', '2025-07-28-scheduled')}/").json()
    assert tally["attribution"]["roles"][1]["en"] == OLD_TITLE
    assert tally["stated_by_roles"][1]["title"]["en"] == OLD_TITLE  # one answer, not two
    assert Quote.objects.get(uuid=QUOTE).corrections.count() == 0


def test_a_role_edit_applied_as_a_correction_rewords_them_with_a_note(admin_client, seed):
    Person.objects.filter(slug="andrii-yusov").update(rank_en="Colonel")  # a later promotion
    role = Role.objects.get(title_en=OLD_TITLE)
    refused = edit_role(admin_client, role, title_en=NEW_TITLE, apply_to_published="on")
    assert "Say what was corrected" in refused.text
    assert Role.objects.get(pk=role.pk).title_en == OLD_TITLE
    version = Quote.objects.get(uuid=QUOTE).version
    response = edit_role(
        admin_client,
        role,
        title_en=NEW_TITLE,
        apply_to_published="on",
        correction_note="Yusov's title was given wrongly.",
    )
    assert "Applied to 3 published statements" in response.text
    text = quote_box()
    assert NEW_TITLE in text and OLD_TITLE not in text
    assert "Yusov's title was given wrongly." in text
    # Only the role was reworded: he was a Major on the day, whatever his rank now.
    assert "Major Andrii Yusov" in text and "Colonel" not in text
    quote = Quote.objects.get(uuid=QUOTE)
    assert quote.version > version  # partners see it change
    history = admin_client.get(url(Quote, "history", quote.pk)).text
    assert "Corrected: Yusov&#x27;s title was given wrongly." in history


def test_renaming_a_person_warns_and_keeps_what_was_published(admin_client, seed):
    person = Person.objects.get(slug="andrii-yusov")
    address = url(Person, "change", person.pk)
    data = form_data(admin_client.get(address))
    data["rank_en"] = "Colonel"
    response = admin_client.post(address, data, follow=True)
    assert "3 published statements cite Andrii Yusov; they keep the name and roles" in response.text
    assert "Major Andrii Yusov" in quote_box()
    assert "Colonel" not in quote_box()


def test_an_organisation_can_make_a_statement_itself(seed, api):
    headquarters = Organisation.objects.get(slug="coordination-headquarters")
    quote = QuoteFactory(
        speaker=None,
        speaker_organisation=headquarters,
        text="The stages of the exchange will continue.",
        source_name_en="Coordination Headquarters on Telegram, 28 July 2025",
    )
    quote.freeze_attribution()
    html = render("{% factbox 'quote' key lang='uk' %}", key=str(quote.uuid))
    assert "— Координаційний штаб з питань поводження з військовополоненими, 28 липня 2025 р." in (
        visible(html)
    )
    assert jsonld(html)["creator"] == {
        "@type": "Organization",
        "name": "Координаційний штаб з питань поводження з військовополоненими",
    }
    data = api.get(f"/api/v1/quotes/{quote.uuid}/").json()
    assert data["speaker"] is None
    assert data["speaker_organisation"]["uuid"] == str(headquarters.uuid)
    assert data["attribution"]["kind"] == "organisation"
    ninjs = api.get(f"/api/v1/quotes/{quote.uuid}/", {"format": "ninjs"}).json()
    assert ninjs["organisations"][0]["rel"] == "speaker"


def test_a_statement_has_one_speaker(admin_client, seed):
    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    address = url(Tally, "change", tally.pk)
    data = form_data(admin_client.get(address))
    data["stated_by_organisation"] = str(Organisation.objects.get(slug="ukrainska-pravda").pk)
    response = admin_client.post(address, data)
    errors = response.context["adminform"].form.errors
    assert "a person or an organisation, not both" in errors["stated_by_organisation"][0]
    quote = QuoteFactory.build(speaker=None, speaker_organisation=None, status=Status.DRAFT)
    with pytest.raises(Exception, match="Choose who said it"):
        quote.full_clean()


def test_a_withdrawn_speaker_is_not_named_by_what_was_published(seed):
    Person.objects.filter(slug="andrii-yusov").update(status=Status.UNPUBLISHED)
    html = render("{% factbox 'quote' key lang='en' %}", key=str(QUOTE))
    assert "Yusov" not in html


def test_a_tally_names_who_stated_it_before_it_is_published(admin_client, seed):
    from .factories import TallyFactory

    draft = TallyFactory(as_of=datetime.date(2024, 5, 2), status=Status.DRAFT)
    address = url(Tally, "change", draft.pk)
    data = form_data(admin_client.get(address))
    data["_transition"] = "publish"
    errors = admin_client.post(address, data).context["adminform"].form.errors
    assert "Choose who stated these figures before publishing" in errors["stated_by"][0]


def test_a_correction_of_the_statement_shows_in_the_agreement_box(admin_client, seed):
    role = Role.objects.get(title_en=OLD_TITLE)
    edit_role(
        admin_client,
        role,
        title_en=NEW_TITLE,
        apply_to_published="on",
        correction_note="Yusov's title was given wrongly.",
    )
    text = visible(render('{% factbox "agreement" "istanbul-2" lang="en" %}'))
    assert NEW_TITLE in text and "Yusov's title was given wrongly." in text


def test_a_speaker_named_by_published_statements_cannot_be_withdrawn(admin_client, seed):
    from .test_workflow import act, press

    yusov = Person.objects.get(slug="andrii-yusov")
    refused = press(admin_client, yusov, "unpublish")
    assert refused.status_code == 200
    errors = " ".join(refused.context["adminform"].form.non_field_errors())
    assert "Published statements name Andrii Yusov" in errors
    assert "Unpublish or correct them first, or choose “Unpublish, with the" in errors
    response = act(admin_client, yusov, "unpublish")
    assert "Published statements name Andrii Yusov" in response.text
    yusov.refresh_from_db()
    assert yusov.status == Status.PUBLISHED
    # Once his statements are withdrawn, he can be.
    Quote.objects.update(status=Status.UNPUBLISHED)
    Tally.objects.update(status=Status.UNPUBLISHED)
    act(admin_client, yusov, "unpublish")
    yusov.refresh_from_db()
    assert yusov.status == Status.UNPUBLISHED


def test_a_statement_published_again_is_attributed_as_it_stands_then(admin_client, seed):
    from .factories import PersonFactory
    from .test_workflow import act

    quote = Quote.objects.get(uuid=QUOTE)
    act(admin_client, quote, "unpublish")
    quote.refresh_from_db()
    assert quote.status == Status.UNPUBLISHED and quote.attribution == {}
    quote.speaker = PersonFactory(name_en="Petro Yatsenko", name_uk="Петро Яценко")
    quote.save()
    quote.roles.clear()
    act(admin_client, quote, "publish")
    text = quote_box()
    assert "— Petro Yatsenko, in a comment to Ukrainska Pravda" in text
    assert "Yusov" not in text


def test_an_editor_may_withdraw_a_speaker_together_with_their_statements(seed, api, settled):
    from exchanges.models import Change

    from .test_workflow import staff

    _editor, client = staff(get_user_model(), "Editor")
    yusov = Person.objects.get(slug="andrii-yusov")
    named = yusov.published_statements()
    assert named
    url = "/admin/exchanges/person/"
    data = {"action": "unpublish_with_statements", "_selected_action": [yusov.pk]}
    # First the list of what goes with him; nothing changes yet.
    page = client.post(url, data)
    assert page.status_code == 200
    for statement in named:
        kind = statement._meta.verbose_name.capitalize()
        link = f"/admin/exchanges/{statement._meta.model_name}/{statement.pk}/change/"
        assert f'{kind}: <a href="{link}">' in page.content.decode()
    yusov.refresh_from_db()
    assert yusov.status == Status.PUBLISHED
    # Confirmed: he and every statement naming him are withdrawn, partners told.
    done = client.post(url, {**data, "confirmed": "yes"}, follow=True)
    assert "statements that named them" in done.content.decode()
    yusov.refresh_from_db()
    assert yusov.status == Status.UNPUBLISHED
    for statement in named:
        statement.refresh_from_db()
        assert statement.status == Status.UNPUBLISHED
        assert Change.objects.filter(uuid=statement.uuid, action="unpublished").exists()
    assert api.get(f"/api/v1/people/{yusov.uuid}/").status_code == 404
    # A reporter does not get the action at all.
    _reporter, reporter = staff(get_user_model(), "Reporter")
    listing = reporter.get(url)
    assert "unpublish_with_statements" not in listing.content.decode()
