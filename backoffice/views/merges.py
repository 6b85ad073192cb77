"""Stub: being written (issue 11)."""

from django.http import Http404


def duplicates(request, *args, **kwargs):
    raise Http404


def merge(request, *args, **kwargs):
    raise Http404


def undo(request, *args, **kwargs):
    raise Http404
