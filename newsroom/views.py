from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from .articles import ARTICLES


def article(request, slug):
    """A demo article whose stored body places fact boxes with shortcodes."""
    try:
        stored = ARTICLES[slug]
    except KeyError:
        raise Http404("No such article.") from None
    # The body is the newsroom's own trusted HTML, as a CMS would store it.
    article = {**stored, "body": mark_safe(stored["body"]), "slug": slug}
    return render(request, "article.html", {"article": article})


def home(request):
    return render(request, "home.html", {"articles": ARTICLES})


def health(request):
    """For load balancers: the process answers. Also the benchmarks' hello-world baseline."""
    response = HttpResponse("ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response
