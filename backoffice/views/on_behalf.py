"""Stub: being written (issue 11)."""

from django.http import Http404


def new_citizen(request, *args, **kwargs):
    raise Http404


def choose_procedure(request, *args, **kwargs):
    raise Http404


def fill(request, *args, **kwargs):
    raise Http404
