"""Set up and run the test provider: ``python -m tests.oidc_provider.serve PORT``.

Environment: ``OIDC_TEST_DIR`` (its database), ``OIDC_TEST_PEOPLE`` (the JSON file with
``clients`` and ``people``), ``OIDC_TEST_SITE_URL`` (its own address, the issuer's base).
"""

import json
import os
import sys


def main(port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    call_command("migrate", verbosity=0, interactive=False)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    RSAKey.objects.create(
        key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    )
    with open(os.environ["OIDC_TEST_PEOPLE"], encoding="utf-8") as file:
        spec = json.load(file)
    code = ResponseType.objects.get(value="code")
    for item in spec["clients"]:
        client = Client.objects.create(
            name=item["client_id"],
            client_type="confidential",
            client_id=item["client_id"],
            client_secret=item["secret"],
            jwt_alg="RS256",
            require_consent=False,
            reuse_consent=True,
        )
        client.redirect_uris = item["redirect_uris"]
        client.post_logout_redirect_uris = item["post_logout_redirect_uris"]
        client.save()
        client.response_types.add(code)
    for username, person in spec["people"].items():
        User.objects.create_user(username=username, password=person["password"])

    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    run("127.0.0.1", port, get_wsgi_application(), threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main(int(sys.argv[1]))
