"""Models load without the apps' service layers: matching.models used to import
accounts.privacy (and with it allauth's and the outbox's models) while Django was still
loading models, an import cycle waiting to happen."""

from __future__ import annotations

import os
import subprocess
import sys

SPY = """
import sys
import django
from django.apps import apps


class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "accounts.privacy" and not apps.models_ready:
            print("accounts.privacy imported while models load")
        return None


sys.meta_path.insert(0, Spy())
django.setup()
print("set up")
"""


def test_no_model_module_imports_accounts_privacy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mentoring.settings"}

    result = subprocess.run(
        [sys.executable, "-c", SPY], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.splitlines() == ["set up"], result.stderr
