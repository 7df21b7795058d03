"""Small builders for tests: a province, cities and counties, units and people."""

import itertools

from django.contrib.auth import get_user_model

from reform.org.models import Jurisdiction, Membership, Origin, Unit

_seq = itertools.count(1)


def jurisdiction(name: str, *, parent: Jurisdiction | None = None, **extra) -> Jurisdiction:
    level = 1 if parent is None else parent.level + 1
    return Jurisdiction.objects.create(
        code=f"j{next(_seq)}", name=name, level=level, parent=parent, origin=Origin.OFFICE, **extra
    )


def unit(name: str, *, jurisdiction: Jurisdiction, **extra) -> Unit:
    return Unit.objects.create(
        code=f"u{next(_seq)}", name=name, jurisdiction=jurisdiction, origin=Origin.OFFICE, **extra
    )


def person(username: str, *memberships: tuple, email: str | None = None):
    """A user with memberships given as (role, unit_or_jurisdiction[, valid_from, valid_to])."""
    user = get_user_model().objects.create_user(
        username, email=email if email is not None else f"{username}@example.gov.cn"
    )
    for role, target, *dates in memberships:
        key = "unit" if isinstance(target, Unit) else "jurisdiction"
        valid_from, valid_to = (dates + [None, None])[:2]
        Membership.objects.create(
            user=user, role=role, valid_from=valid_from, valid_to=valid_to, **{key: target}
        )
    return user
