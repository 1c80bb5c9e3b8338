"""
IPTC ninjs 3.1: each record as a news object that newsroom systems ingest.

Built from the API's own JSON for the record, so the figures and their
wording are those of the JSON API (and of the fact boxes).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from ..editor_text import chosen
from ..validators import public_url
from ..wording import correction_line

STANDARD = {
    "name": "ninjs",
    "version": "3.1",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
}


def words(translated, lang):
    """One language of a ``{"en": …, "uk": …}`` field, falling back to English."""
    if not translated:
        return ""
    return translated.get(lang) or translated.get("en") or ""


def figure(data, lang):
    return data["display"][lang]


def party(ref, rel, lang):
    if not ref:
        return None
    item = {"rel": rel, "uri": uri(ref["url"], lang), "literal": ref["uuid"]}
    name = words(ref.get("name"), lang)
    if name:
        item["name"] = name
    return item


def subjects(item, lang):
    return [
        {"name": words(c["name"], lang), "rel": "category", "literal": c["slug"]}
        for c in item["categories"]
    ]


# The body of every object is the record's ``description`` in its language; a
# kind's mapping adds the people, organisations and subjects it names.


def exchange(item, lang):
    return {
        "organisations": [party(m, "mediator", lang) for m in item["mediators"]],
        "subjects": subjects(item, lang),
    }


def agreement(item, lang):
    return {
        "organisations": [party(p, "party", lang) for p in item["parties"]],
        "subjects": subjects(item, lang),
    }


def speakers(item, person_field, organisation_field, rel, lang):
    return {
        "people": [party(item[person_field], rel, lang)],
        "organisations": [party(item[organisation_field], rel, lang)],
    }


def tally(item, lang):
    extra = speakers(item, "stated_by", "stated_by_organisation", "source", lang)
    extra["organisations"].append(party(item["outlet"], "outlet", lang))
    return extra


def quote(item, lang):
    text_lang = item["language"]
    for translated in item["translations"]:
        if translated["language"] == lang:
            text_lang = lang
    extra = speakers(item, "speaker", "speaker_organisation", "speaker", lang)
    extra["organisations"].append(party(item["outlet"], "outlet", lang))
    return {**extra, "language": text_lang}


def person(item, lang):
    return {}


def organisation(item, lang):
    return {}


def day(correction):
    return timezone.localtime(parse_datetime(correction["at"])).date()


def uri(url, language):
    """
    Each language version of a record is a news object of its own: the API
    address of that version identifies it.
    """
    address = urlsplit(url)._replace(query="", fragment="").geturl()
    return f"{address}?{urlencode({'format': 'ninjs', 'lang': language})}"


def language_of(item, mapping, lang):
    """The language the object asked for in ``lang`` is really in (a quote's own, untranslated)."""
    with translation.override(lang):
        return mapping(item, lang).get("language", lang)


def canceled(url, lang):
    """A withdrawn record, as ninjs says it: the object partners hold, canceled."""
    return {
        "uri": uri(url, lang),
        "type": "text",
        "pubStatus": "canceled",
        "language": lang,
        "standard": STANDARD,
    }


def to_ninjs(item, mapping, lang="en"):
    """
    A ninjs news object for one record in the API's JSON form; ``mapping`` (the
    kind's, from the registry) gives its body and the properties of its kind.
    """
    # The object is in the language of its text: a quote not yet translated stays
    # in its own language, headline and names included, whatever was asked for.
    # Its uri is the address asked for, so a partner following one language
    # holds one uri per record, and a withdrawal cancels that uri.
    versions = {code: language_of(item, mapping, code) for code, _name in settings.LANGUAGES}
    asked, language = lang, versions.get(lang) or language_of(item, mapping, lang)
    with translation.override(language):
        extra = mapping(item, language)
    extra.pop("language", None)
    body = words(item["description"], language)
    # The versions in other languages, linked as translations.
    others = {code: other for code, other in versions.items() if other != language}
    address = urlsplit(item["url"])._replace(query="", fragment="").geturl()
    ninjs = {
        "uri": uri(item["url"], asked),
        "type": "text",
        "profile": f"exchanges-{item['type']}",
        "representationType": "full",
        "version": str(item["version"]),
        "firstCreated": item["created_at"],
        "versionCreated": item["updated_at"],
        "pubStatus": "usable",
        "language": language,
        "headlines": [{"value": words(item["headline"], language)}],
        "altIds": [{"role": "uuid", "value": item["uuid"]}, {"role": "api", "value": address}],
        "standard": STANDARD,
    }
    if others:
        ninjs["associations"] = [
            {
                "name": words(item["headline"], other),
                "rel": "translation",
                "uri": uri(item["url"], code),
                "type": "text",
                "language": other,
            }
            for code, other in sorted(others.items())
        ]
    if body:
        ninjs["bodies"] = [{"role": "text", "contentType": "text/plain", "value": body}]
    for key, values in extra.items():
        values = [value for value in values if value]
        if values:
            ninjs[key] = values
    with translation.override(language):
        corrections = [
            {
                "role": "correction",
                "value": str(correction_line(day(c), chosen(c["note"]))),
            }
            for c in item.get("corrections", [])
        ]
    if corrections:
        ninjs["descriptions"] = corrections
    source = item.get("source") or {}
    source_name = words(source.get("names"), language)
    # Asked again: the record's JSON may have been kept from before the rule.
    source_url = public_url(source.get("url"))
    if source_name or source_url:
        info = {"role": "source"}
        if source_name:
            info["name"] = source_name
        if source_url:
            info["uri"] = source_url
        ninjs["infoSources"] = [info]
    return ninjs
