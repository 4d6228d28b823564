"""What the portal reads from an OpenID Connect sign-in (issue 24), without a provider: the
BSN claim, the account's uid, and whether the staff IdP's second factor counts."""

from types import SimpleNamespace

import pytest

from cases.bsn import valid_bsn
from portal.oidc import config
from portal.oidc.provider import SignInRefused, checked_bsn, citizen_uid, claims_of
from portal.oidc.session import idp_second_factor

BSN = valid_bsn(7)


def app(**options):
    built = config.staff_app(server_url="https://idp.example", client_id="c", secret="s", **options)
    return SimpleNamespace(settings=built["settings"])


def test_a_valid_bsn_is_read_as_nine_digits_whatever_its_form():
    assert checked_bsn(BSN) == BSN
    assert checked_bsn(int(BSN)) == BSN
    assert checked_bsn(f"{BSN[:4]}.{BSN[4:6]}.{BSN[6:]}") == BSN


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "bsn_missing"),
        ("", "bsn_missing"),
        ("123456789", "bsn_invalid"),
        ("12ab", "bsn_invalid"),
    ],
)
def test_a_missing_or_invalid_bsn_is_refused_without_showing_it(value, code):
    with pytest.raises(SignInRefused) as refused:
        checked_bsn(value)

    assert refused.value.code == code
    assert "123456789" not in str(refused.value)


def test_the_uid_of_a_digid_account_is_a_keyed_hash_not_the_bsn():
    uid = citizen_uid(BSN)

    assert uid == citizen_uid(BSN) != citizen_uid(valid_bsn(8))
    assert BSN not in uid and len(uid) == 64


def test_the_uid_survives_a_rotated_secret_key_but_not_another_bsn_hash_key(settings):
    settings.BSN_HASH_KEY = "kept-apart-from-the-secret-key"
    uid = citizen_uid(BSN)

    settings.SECRET_KEY = "a-new-secret-key-after-rotation"
    assert citizen_uid(BSN) == uid

    settings.BSN_HASH_KEY = "another-key"
    assert citizen_uid(BSN) != uid


def test_userinfo_claims_overlay_the_id_tokens():
    assert claims_of({"id_token": {"sub": "1", "bsn": "x"}, "userinfo": {"bsn": "y"}}) == {
        "sub": "1",
        "bsn": "y",
    }


def test_the_idps_second_factor_counts_only_when_configured():
    claims = {"amr": ["pwd", "otp"], "acr": "urn:gemeente:loa:substantial"}

    assert not idp_second_factor(app(), claims)
    assert idp_second_factor(app(mfa_amr=["otp"]), claims)
    assert idp_second_factor(app(mfa_acr=["urn:gemeente:loa:substantial"]), claims)
    assert not idp_second_factor(app(mfa_amr=["hwk"]), claims)
    assert idp_second_factor(app(mfa_amr=["mfa"]), {"amr": "mfa"})
    citizen = config.citizen_app(server_url="https://broker.example", client_id="c", secret="s")
    assert not idp_second_factor(SimpleNamespace(settings=citizen["settings"]), claims)


def test_an_unknown_role_source_is_a_configuration_error():
    with pytest.raises(ValueError, match="OIDC_STAFF_ROLE_SOURCE"):
        app(role_source="both")
