from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    """400 in plain Dutch: nothing was saved, and what to do. Rendered without the request's
    context processors: it may answer a request the rest of the site cannot handle."""
    return HttpResponseBadRequest(loader.render_to_string("400.html"))


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
