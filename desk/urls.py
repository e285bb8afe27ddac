"""The desk's own endpoints, mounted under the admin's address (config/urls.py)."""

from django.urls import path

from .autosave import autosave_view

urlpatterns = [
    path("autosave/", autosave_view, name="desk-autosave"),
]
