"""The ``memberkit`` command after ``pip install``: ``python -m memberkit`` and the script, on
the same database the package opens; a refusal exits with the core's code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import memberkit as mk


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "memberkit", *args], capture_output=True, text=True)


def test_python_m_memberkit_lists_imports_and_refuses_with_codes(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    hub = mk.Hub.open(db)
    t = hub.create_tenant("Ada's Academy")
    course = t.create_product(mk.SYSTEM, "Rust 101", "course")
    listed = run("--db", db, "--json", "tenants")
    assert listed.returncode == 0, listed.stderr
    assert [x["id"] for x in json.loads(listed.stdout)] == [t.id]

    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda,ada@example.com\n")
    imported = run("--db", db, "import", str(people), "--tenant", t.id, "--mode", "grant", "--product", course.id)
    assert imported.returncode == 0, imported.stderr
    assert "1 created" in imported.stdout
    ada = t.member_by_email("ada@example.com")
    assert ada is not None and t.has_access(ada.id, course.id)

    refused = run("--db", db, "--json", "grant", "nobody@example.com", course.id, "--tenant", t.id)
    assert refused.returncode == 10
    assert json.loads(refused.stderr)["error"]["code"] == "not_found"
    assert run("--db", db, "import").returncode == 2, "a usage error"


def test_the_memberkit_script_is_installed() -> None:
    script = shutil.which("memberkit", path=str(Path(sys.executable).parent))
    assert script is not None, "pip installs a `memberkit` script beside python"
    shown = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "import" in shown.stdout
