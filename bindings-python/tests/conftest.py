from __future__ import annotations

from datetime import datetime, timezone

import pytest

import memberkit as mk

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> mk.ManualClock:
    return mk.ManualClock(START)


@pytest.fixture
def hub(tmp_path, clock) -> mk.Hub:
    return mk.Hub.open(tmp_path / "hub.db", clock)


@pytest.fixture
def tenant(hub) -> mk.Tenant:
    return hub.create_tenant("Ada's Academy")


@pytest.fixture
def course(tenant) -> mk.Product:
    return tenant.create_product(mk.SYSTEM, "Rust 101", "course")
