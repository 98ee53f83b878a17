"""The password hash people's accounts get: argon2id at OWASP's cost unless the test suite says otherwise."""

from __future__ import annotations

import subprocess
import sys


def test_without_the_test_setting_passwords_are_hashed_at_owasps_cost():
    # A fresh interpreter: this one imported the module with the suite's lower setting.
    script = (
        "import os; os.environ.pop('SHOPLAB_TEST_ARGON2_MEMORY_KIB', None)\n"
        "from gateway.passwords import hash_password\n"
        "print(hash_password('correct horse battery'))"
    )
    stored = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), stored
