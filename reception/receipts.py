"""The lookup secret of a receipt (form 01) lives only in the hash on the dossier; the plain
secret is kept in the officer's session just long enough to print the slip."""

from django.http import HttpRequest

from dossiers.models import Dossier

SESSION_SECRETS = "receipt_secrets"  # dossier id → lookup secret
KEPT = 20  # the latest receipts of this session; older ones are reprinted with a new secret


def keep_secret(request: HttpRequest, dossier: Dossier, secret: str) -> None:
    secrets = dict(request.session.get(SESSION_SECRETS, {}))
    secrets.pop(str(dossier.pk), None)
    secrets[str(dossier.pk)] = secret
    request.session[SESSION_SECRETS] = dict(list(secrets.items())[-KEPT:])


def kept_secret(request: HttpRequest, dossier: Dossier) -> str:
    return request.session.get(SESSION_SECRETS, {}).get(str(dossier.pk), "")
