"""Sign-in through OpenID Connect (issue 24): citizens through a DigiD broker, staff through the
municipality's identity provider. Built on django-allauth's ``openid_connect`` provider.

- ``config``: the allauth app settings built from the environment (no Django imports).
- ``provider``: the provider class (the BSN claim, the uid, the ID token kept for logout).
- ``views`` and ``urls``: allauth's login and callback views, with a Dutch page when the
  provider cannot be reached.
- ``session``: what a sign-in leaves in the session (the IdP's second factor, the logout hint)
  and the logout at the provider.
- ``adapter``: who may sign in as whom; links a citizen's account to their file by BSN.

Only ``adapter`` knows of cases and municipalities (``pyproject.toml``'s import contracts).
"""
