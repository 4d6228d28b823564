"""A real OpenID Connect provider for the sign-in tests: django-oidc-provider in a Django
project of its own, run as a separate process by ``tests/integration/test_oidc.py``.

``serve.py`` reads a JSON file (``OIDC_TEST_PEOPLE``) with the clients and the people who may
sign in (their password, claims, ``amr`` and ``acr``), sets up its SQLite database in
``OIDC_TEST_DIR`` and serves on the port it is given.
"""
