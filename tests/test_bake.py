"""Baked embeds: every public box as files, rewritten only where the data changed."""

import json

import pytest
from django.core.management import call_command

from exchanges.models import Exchange, Quote, Status, Tally

from .test_boxes import visible

pytestmark = pytest.mark.django_db


def bake(out):
    call_command("bake_embeds", out=str(out), base_url="https://cdn.example", stdout=None)
    return json.loads((out / ".baked.json").read_text())


def test_every_public_box_is_baked_in_each_language_live_and_pinned(seed, tmp_path):
    files = bake(tmp_path)
    exchange = Exchange.objects.get(official_number=67)
    quote = Quote.objects.get()
    for lang in ("en", "uk"):
        for where in (
            f"totals/{lang}/live",
            f"totals/{lang}/2025-07-28",
            f"timeline/{lang}/2025-07-28",
            f"agreement/istanbul-2/{lang}/live",
            f"agreement/istanbul-2/{lang}/2025-07-28",
            f"exchange/{exchange.uuid}/{lang}/live",
            f"quote/{quote.uuid}/{lang}/live",
        ):
            assert f"embed/{where}/index.html" in files
            assert f"oembed/{where}.json" in files
    page = (tmp_path / "embed/totals/uk/2025-07-28/index.html").read_text()
    assert "5 857" in visible(page).replace("\u202f", " ")
    assert 'href="https://cdn.example/oembed/totals/uk/2025-07-28.json"' in page
    oembed = json.loads((tmp_path / "oembed/totals/en/live.json").read_text())
    assert oembed["type"] == "rich" and oembed["title"] == "Prisoner exchanges"
    assert 'src="https://cdn.example/embed/totals/en/live/"' in oembed["html"]
    assert "https://cdn.example/static/exchanges/resize.js" in oembed["html"]


def test_a_second_bake_rewrites_only_what_changed_and_removes_what_went(seed, tmp_path, capsys):
    files = bake(tmp_path)
    capsys.readouterr()
    call_command("bake_embeds", out=str(tmp_path), base_url="https://cdn.example")
    assert f"0 files written, {len(files)} unchanged, 0 removed" in capsys.readouterr().out

    tally = Tally.objects.get(scope=Tally.Scope.SCHEDULED)
    tally.returned = 5858
    tally.save()
    exchange = Exchange.objects.get(official_number=67)
    exchange.status = Status.UNPUBLISHED
    exchange.save()
    call_command("bake_embeds", out=str(tmp_path), base_url="https://cdn.example")
    out = capsys.readouterr().out
    after = json.loads((tmp_path / ".baked.json").read_text())
    gone = {name for name in files if str(exchange.uuid) in name}
    assert gone and not gone & set(after)
    assert not any((tmp_path / name).exists() for name in gone)
    assert f"{len(gone)} removed" in out
    assert "5,858" in visible((tmp_path / "embed/totals/en/live/index.html").read_text())
    changed = sum(1 for name in after if after[name] != files.get(name))
    assert 0 < changed < len(after) / 2
    assert f"{changed} files written" in out


def test_drafts_are_never_baked(seed, tmp_path):
    exchange = Exchange.objects.get(official_number=67)
    Exchange.objects.filter(pk=exchange.pk).update(status=Status.DRAFT)
    files = bake(tmp_path)
    assert not [name for name in files if str(exchange.uuid) in name]
    assert all(str(exchange.uuid) not in (tmp_path / name).read_text() for name in files)
