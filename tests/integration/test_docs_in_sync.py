"""Generated documentation stays in step with the code."""

from __future__ import annotations

from django.core.management import call_command


def test_the_data_model_diagram_matches_the_models():
    call_command("model_diagram", "--check")  # CommandError (test failure) when out of date
