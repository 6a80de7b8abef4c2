"""Build the POST data a browser would send back for an admin change page."""

import datetime

from django.db.models import Model, QuerySet
from django.urls import reverse


def _as_post_value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple):
        return [_as_post_value(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return "" if value is None else value


def _form_fields(form, data):
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            continue
        data[key] = _as_post_value(value)


def change_form_data(response) -> dict:
    """The change form's current values, inlines included, as POST data."""
    data: dict = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, 0)
        for form in formset.forms:
            if form.instance.pk is None:
                continue  # an empty extra form: leave it blank
            _form_fields(form, data)
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
    return data


def edit_in_admin(client, paper, **changes):
    """Save `paper` through its admin change form with `changes`, as staff would."""
    url = reverse("admin:catalog_paper_change", args=[paper.pk])
    data = change_form_data(client.get(url)) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    paper.refresh_from_db()
    return paper
