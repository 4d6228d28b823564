"""The case exchange API (issue #24, ``docs/api.md``): REST under ``/api/v1/``, described by
OpenAPI 3, for UWV systems and municipal back offices signed in with OAuth2 client
credentials. A page-level layer: it reads through the selectors and acts through the services
that the pages use, with the same scope, rules, refusals and audit."""
