"""``{% load memberkit %}``: ``request|has_access:product_id`` and ``request|can:"permission"``,
answered by the site's :class:`~memberkit.guards.django.Guard` (false with nobody signed in)."""

from __future__ import annotations

from typing import Any

from django import template  # type: ignore[import-untyped,import-not-found,unused-ignore]

from .. import default_guard
from ... import access, permission

register = template.Library()


@register.filter
def has_access(request: Any, product: str) -> bool:
    """Whether the signed-in member has access to ``product``."""
    return default_guard().allows(request, access(str(product)))


@register.filter
def can(request: Any, name: str) -> bool:
    """Whether the signed-in member holds the permission ``name``."""
    return default_guard().allows(request, permission(str(name)))
