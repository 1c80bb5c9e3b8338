"""
Text an editor typed, marked with its language and isolated from the text around it.

A Ukrainian fact box may show an English name where no Ukrainian one was given:
it must say so (``lang="en"``) for screen readers, hyphenation and fonts. And an
editor's text may hold right-to-left marks or overrides (U+202E) that would
reverse the box around it. In HTML such text is isolated in ``<bdi>``; in plain
text (JSON, feeds) between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE.

Both are ``str`` subclasses, so a box's context stays plain data for JSON, and
Django templates call ``__html__`` to render the marked-up form.
"""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

FSI, PDI = "\N{FIRST STRONG ISOLATE}", "\N{POP DIRECTIONAL ISOLATE}"


class EditorText(str):
    """A string an editor typed, in language ``lang`` (None: as the page)."""

    lang = None

    def __new__(cls, text, lang=None):
        text = super().__new__(cls, text)
        text.lang = lang
        return text

    def __html__(self):
        if self.lang:
            return format_html('<bdi lang="{}">{}</bdi>', self.lang, str(self))
        return format_html("<bdi>{}</bdi>", str(self))

    def capitalised(self):
        return EditorText(capfirst(str(self)), self.lang)


class Sentence(str):
    """
    One of our sentences with editor text in it: plain text with the editor's
    parts isolated, and the same sentence as HTML with each part in ``<bdi>``.
    """

    html = None

    def __new__(cls, plain, html):
        sentence = super().__new__(cls, plain)
        sentence.html = html
        return sentence

    def __html__(self):
        return self.html


def isolated(part):
    return f"{FSI}{part}{PDI}" if isinstance(part, EditorText) else part


def compose(template, **parts):
    """``template % parts``, worded once, for both plain text and HTML."""
    plain = template % {name: isolated(part) for name, part in parts.items()}
    html = conditional_escape(template) % {
        name: conditional_escape(part) for name, part in parts.items()
    }
    return Sentence(plain, mark_safe(html))


def join(parts, separator=", "):
    """Parts joined by ``separator``, empty ones left out, as a Sentence."""
    parts = [part for part in parts if part]
    plain = separator.join(isolated(part) for part in parts)
    html = conditional_escape(separator).join(conditional_escape(part) for part in parts)
    return Sentence(plain, SafeString(html))


def join_words(parts):
    """“A, B and C” as a Sentence; None when there are no parts."""
    parts = [part for part in parts if part]
    if len(parts) <= 1:
        return parts[0] if parts else None
    return compose(_("%(items)s and %(last)s"), items=join(parts[:-1]), last=parts[-1])


def translated(record, field, lang=None):
    """
    ``field`` of ``record`` in ``lang`` (the active language), falling back to
    English, marked with the language it is really in; None when empty.
    """
    lang = lang or get_language() or "en"
    return chosen({code: getattr(record, f"{field}_{code}", None) for code in {lang, "en"}}, lang)


def chosen(values, lang=None):
    """From ``{"en": …, "uk": …}``, the text in ``lang``, else the English, marked as such."""
    lang = lang or get_language() or "en"
    if values.get(lang):
        return EditorText(values[lang], lang)
    return EditorText(values["en"], "en") if values.get("en") else None
