"""Stub: being written (issue 11)."""

from django.http import Http404


def search(request, *args, **kwargs):
    raise Http404
