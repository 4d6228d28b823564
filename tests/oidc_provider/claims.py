"""The claims of the test provider's people, from ``OIDC_TEST_PEOPLE``."""

import json
import os
from functools import cache

from oidc_provider.lib.claims import ScopeClaims


@cache
def people() -> dict:
    with open(os.environ["OIDC_TEST_PEOPLE"], encoding="utf-8") as file:
        return json.load(file)["people"]


def _person(user) -> dict:
    return people().get(user.username, {})


def userinfo(claims: dict, user) -> dict:
    """The standard claims (name, e-mail) of a person."""
    claims.update(_person(user).get("standard", {}))
    return claims


class PortalScopeClaims(ScopeClaims):
    info_bsn = ("BSN", "The citizen service number.")
    info_beschutwerk = ("Beschut werk", "Role and municipality in the portal.")

    def scope_bsn(self) -> dict:
        return {key: value for key, value in _person(self.user).get("bsn", {}).items()}

    def scope_beschutwerk(self) -> dict:
        return dict(_person(self.user).get("beschutwerk", {}))


def authentication_context(id_token: dict, user, **kwargs) -> dict:
    """``amr`` and ``acr`` as the person's entry says (how they authenticated)."""
    person = _person(user)
    for claim in ("amr", "acr"):
        if claim in person:
            id_token[claim] = person[claim]
    return id_token
