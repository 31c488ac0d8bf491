"""The package exposes every operation the core lists, and every error code has its class."""

from __future__ import annotations

from datetime import timedelta

import memberkit
import memberkit as mk
from memberkit import _native


def test_every_core_operation_is_exposed() -> None:
    classes = {"Hub": memberkit.Hub, "Tenant": memberkit.Tenant}
    assert set(_native._OPERATIONS) == set(classes)
    for class_name, names in _native._OPERATIONS.items():
        assert len(names) > 5
        missing = [n for n in names if not hasattr(classes[class_name], n)]
        assert missing == [], f"{class_name} lacks {missing}"


def test_every_error_code_has_its_exception_class() -> None:
    for code in memberkit.ERROR_CODES:
        cls = memberkit.ERRORS_BY_CODE[code]
        assert issubclass(cls, memberkit.MemberkitError)
        assert cls.code == code


def test_tenants_lists_every_tenant_oldest_first(hub: mk.Hub, clock: mk.ManualClock) -> None:
    first = hub.create_tenant("First")
    clock.advance(timedelta(minutes=1))
    second = hub.create_tenant("Second")
    listed = hub.tenants()
    assert [t.name for t in listed] == ["First", "Second"]
    assert [t.id for t in listed] == [first.id, second.id]
    assert listed[1] == second.info()
