"""Placeholder until its owner writes it."""

from django.http import Http404


def introduction_list(request, **kwargs):
    raise Http404


def ask_about_solution(request, **kwargs):
    raise Http404


def ask_about_need(request, **kwargs):
    raise Http404


def introduction_detail(request, **kwargs):
    raise Http404


def introduction_answer(request, **kwargs):
    raise Http404


def introduction_withdraw(request, **kwargs):
    raise Http404
