"""
Fact boxes baked into static files, for a CDN or an object store to serve at
any scale: every public embed (each kind, each language, live and pinned to
each date an official tally speaks for) and its oEmbed JSON.

Files are laid out by address, ``embed/<kind>/[<key>/]<lang>/<live|date>/index.html``
and ``oembed/…/<live|date>.json``. A manifest (``.baked.json``) remembers what
was written, so a second run rewrites only files whose content changed and
removes those of boxes no longer public.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import boxes
from .conf import app_settings
from .kinds import BOXES, build_box
from .models import Agreement, Exchange, Quote, Tally
from .rendering import iframe_snippet, render_data

MANIFEST = ".baked.json"


@dataclass
class Report:
    written: list = field(default_factory=list)
    unchanged: int = 0
    removed: list = field(default_factory=list)
    skipped: int = 0  # nothing public behind it (a pinned date before the record)


def pinned_dates():
    """The dates official tallies speak for: the dates readers pin boxes to."""
    dates = Tally.objects.public().values_list("as_of", flat=True).distinct()
    return sorted(set(dates))


def targets(kinds=None):
    """(kind, key, as_of) of every box to bake; as_of None is live."""
    dates = [None, *pinned_dates()]
    records = {"agreement": Agreement, "exchange": Exchange, "quote": Quote}
    for kind in kinds or BOXES:
        box = BOXES[kind]
        if box.key is None:
            keys = [None]
        else:
            keys = records[kind].objects.public().values_list(box.key, flat=True).iterator()
        for key in keys:
            # An exchange's or a quote's own box changes only with it: baked live.
            for as_of in dates if box.key in (None, "slug") else [None]:
                yield kind, (str(key) if key else None), as_of


def place(kind, key, lang, as_of):
    parts = [kind, *([key] if key else []), lang, as_of.isoformat() if as_of else "live"]
    return "/".join(parts)


def page(kind, key, lang, as_of, base_url, static_url):
    """(embed HTML, oEmbed JSON) of one box, or None when nothing public stands behind it."""
    try:
        box = build_box(kind, key, as_of=as_of, lang=lang)
    except boxes.BoxUnavailable:
        return None
    where = place(kind, key, lang, as_of)
    src = f"{base_url}/embed/{where}/"
    oembed_url = f"{base_url}/oembed/{where}.json"
    html = render_to_string(
        "exchanges/embed.html",
        {
            # One box per page: a fixed id keeps the file the same until the data changes.
            "body": mark_safe(render_data(box, stylesheet=False, id_part="baked")),
            "box": box,
            "lang": box["lang"],
            "oembed_url": oembed_url,
        },
    )
    title = str(box["title"])
    height = BOXES[kind].embed_height
    oembed = {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "provider_name": app_settings.PROVIDER_NAME,
        "provider_url": f"{base_url}/",
        "cache_age": app_settings.OEMBED_CACHE_AGE,
        "html": str(iframe_snippet(src, title, kind, f"{static_url}exchanges/resize.js", height)),
        "width": app_settings.EMBED_WIDTH,
        "height": height,
    }
    return {
        f"embed/{where}/index.html": html,
        f"oembed/{where}.json": json.dumps(oembed, ensure_ascii=False, indent=1),
    }


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def bake(out, base_url, kinds=None, progress=None):
    """Write every public box under ``out``; rewrite only what changed; remove what went."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    before = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    base_url = base_url.rstrip("/")
    static_url = settings.STATIC_URL
    if not static_url.startswith(("http://", "https://")):
        static_url = f"{base_url}/{static_url.lstrip('/')}"
    languages = [code for code, _name in settings.LANGUAGES]
    report, now = Report(), {}
    for kind, key, as_of in targets(kinds):
        for lang in languages:
            files = page(kind, key, lang, as_of, base_url, static_url)
            if progress:
                progress()
            if files is None:
                report.skipped += 1
                continue
            for name, text in files.items():
                now[name] = digest(text)
                path = out / name
                if before.get(name) == now[name] and path.exists():
                    report.unchanged += 1
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                report.written.append(name)
    baked = tuple(f"{door}/{kind}/" for door in ("embed", "oembed") for kind in kinds or BOXES)
    for name in sorted(set(before) - set(now)):
        if not name.startswith(baked):
            now[name] = before[name]  # another kind's file, not baked this time
            continue
        # No longer public (withdrawn, deleted): its file must not outlive it.
        (out / name).unlink(missing_ok=True)
        report.removed.append(name)
    manifest_path.write_text(json.dumps(now, indent=0, sort_keys=True))
    return report


def count(kinds=None):
    """How many pages ``bake`` will consider, for a progress bar."""
    return sum(1 for _target in targets(kinds)) * len(settings.LANGUAGES)
