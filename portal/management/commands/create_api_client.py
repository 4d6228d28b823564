"""Create a client of the case exchange API (or give one a new secret) and print its client
ID and secret: the secret is stored hashed and is shown this once (``docs/api.md``)."""

from django.core.management.base import BaseCommand, CommandError

from cases.audit.models import AuditEntry
from cases.audit.trail import write_entry
from municipalities.selectors import municipality_by_code
from portal.api_clients import create_api_client, new_client_secret
from portal.models import API_SCOPES_BY_ROLE, ApiClient, Role


class Command(BaseCommand):
    help = (
        "Create an API client: a municipality's back office (--municipality GM0363) or a UWV "
        "system (--uwv). Prints its client ID and secret once. --new-secret CLIENT_ID gives an "
        "existing client a new secret instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="What the client is, e.g. 'Zaaksysteem'.")
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--municipality", help="CBS code of the back office's municipality.")
        kind.add_argument("--uwv", action="store_true", help="A UWV system.")
        kind.add_argument("--new-secret", metavar="CLIENT_ID", help="Replace a client's secret.")
        parser.add_argument(
            "--scopes",
            help="Scopes, separated by spaces (default: all of its role: "
            + "; ".join(f"{role.label}: {' '.join(s)}" for role, s in API_SCOPES_BY_ROLE.items())
            + ").",
        )

    def handle(self, *args, name=None, municipality=None, uwv=False, new_secret=None, **options):
        if new_secret:
            client = (
                ApiClient.objects.select_related("application")
                .filter(application__client_id=new_secret)
                .first()
            )
            if client is None:
                raise CommandError(f"No API client has the client ID {new_secret}.")
            secret = new_client_secret(client)
            self._audit("api_client_new_secret", client)
            self._print(client, secret)
            return
        if not name or not name.strip():
            raise CommandError("Give the client a name.")
        if uwv:
            role, found = Role.UWV_ASSESSOR, None
        elif municipality:
            role, found = Role.CONSULTANT, municipality_by_code(municipality)
            if found is None:
                raise CommandError(f"No municipality has the CBS code {municipality}.")
        else:
            raise CommandError("Say whose client it is: --municipality CODE or --uwv.")
        scopes = options["scopes"].split() if options["scopes"] else None
        try:
            client, secret = create_api_client(
                name=name.strip(), role=role, municipality=found, scopes=scopes
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self._audit("api_client_created", client)
        self._print(client, secret)

    def _audit(self, action: str, client: ApiClient) -> None:
        write_entry(
            action=action,
            actor=None,
            object_type="api_client",
            object_id=client.pk,
            result=AuditEntry.Result.OK,
            origin="manage.py create_api_client",
        )

    def _print(self, client: ApiClient, secret: str) -> None:
        account = client.account
        whose = account.municipality.name if account.municipality_id else "UWV"
        self.stdout.write(f"API client:    {client.name} ({whose})")
        self.stdout.write(f"Scopes:        {' '.join(client.scope_list)}")
        self.stdout.write(f"Client ID:     {client.application.client_id}")
        self.stdout.write(f"Client secret: {secret}")
        self.stdout.write("The secret is shown only now: keep it in the client's secret store.")
