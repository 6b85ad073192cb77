"""Stub: being written (issue 11)."""

from django.http import Http404


def record(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def organisation(request, *args, **kwargs):
    raise Http404
