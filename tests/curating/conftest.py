import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def staff_client(django_user_model):
    user = django_user_model.objects.create_superuser("curator", "c@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
