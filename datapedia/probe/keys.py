"""How an endpoint is asked: its URL and headers, with the key the fiche names.

Keys come from the environment (the fiche names the variable) and may only go to the
hosts the maintainers bound them to (``config/geheimen.yml``); they are sent in a
header or a query parameter and never recorded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlencode, urlsplit

from datapedia.load.geheimen import SecretHosts, refusal
from datapedia.model.fiche import Distribution
from datapedia.probe.transport import FetchPolicy

MISSING_KEY = "sleutel ontbreekt: omgevingsvariabele {env} is niet gezet"

Request = tuple[str, dict[str, str], list[str], Collection[str] | None]


def request_for(
    distribution: Distribution, policy: FetchPolicy, env: Mapping[str, str]
) -> Request | dict[str, str]:
    """(url, headers, secrets, hosts the key may go to), or why the endpoint is not asked."""
    url = str(distribution.url)
    headers = {"Accept": f"{distribution.format}, */*;q=0.1"}
    auth = distribution.auth
    if not auth.env:
        return url, headers, [], None
    bound = policy.secret_hosts
    hosts = None
    if bound is not None:
        # validate refused this fiche already; checked again right before sending
        why = refusal(auth.env, url, SecretHosts(bound))
        if why is not None:
            return {"error": "secret_host", "error_detail": why}
        hosts = bound[auth.env]
    key = env.get(auth.env)
    if not key:
        return {"skipped": MISSING_KEY.format(env=auth.env)}
    if auth.header:
        headers[auth.header] = key
    if auth.param:
        url = with_param(url, auth.param, key)
    return url, headers, [key], hosts


def with_param(url: str, name: str, value: str) -> str:
    """Append one query parameter, keeping the URL as the fiche wrote it."""
    parts = urlsplit(url)
    added = urlencode({name: value})
    return parts._replace(query=f"{parts.query}&{added}" if parts.query else added).geturl()
