"""The Python example runs and ends well."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "python" / "web_app.py"


def test_web_app_example_runs() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("ok")
    assert "signup Lin@Example.com: 1 product(s) unlocked" in out.stdout
    assert "email: invite.created -> lin@example.com" in out.stdout
