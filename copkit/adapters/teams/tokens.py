"""Checking a Bot Framework token ourselves, with no SDK: for the Agents SDK backend, whose own
validator compares only the serviceUrl host, accepts a token without a ``serviceurl`` claim and
fetches keys with blocking calls in a thread.

A token is accepted only if it is an RS256 JWT signed by a key of the Bot Framework's key set
endorsed for the activity's channel, issued by the Bot Framework, for this app (``aud``), valid
now (5 minutes of clock skew), and its ``serviceurl`` claim equals the activity's serviceUrl
exactly. The OpenID metadata and keys are fetched with aiohttp and cached: refreshed daily, and
at most once per ``retry`` seconds for an unknown key id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

from copkit.core.lru import LRUDict

from .connector import AuthFailed, AuthUnavailable

log = logging.getLogger("copkit.teams.sdk")

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_ISSUER = "https://api.botframework.com"
CLOCK_SKEW = 300


class SigningKeys:
    """The key set named by an OpenID configuration, fetched with aiohttp and cached."""

    def __init__(self, url: str, retry: float = 300.0) -> None:
        self.url = url
        self.keys: list[dict[str, Any]] = []
        self._fetched_at = 0.0
        self._tried_at = 0.0
        self._retry = retry
        self._lock = asyncio.Lock()

    async def get(self, key_id: str) -> tuple[Any, list[str]]:
        """The public key of ``key_id`` and its endorsements; :class:`AuthFailed` if unknown."""
        now = time.monotonic()
        if not self.keys or now - self._fetched_at > 86400:
            await self._refresh_once(now)
        key = self._lookup(key_id)
        if key is None and now - self._tried_at > self._retry:
            await self._refresh_once(now)
            key = self._lookup(key_id)
        if key is None:
            raise AuthFailed("unknown signing key")
        return key

    async def _refresh_once(self, now: float) -> None:
        async with self._lock:
            if self._tried_at >= now:  # another request refreshed meanwhile
                return
            self._tried_at = time.monotonic()
            timeout = aiohttp.ClientTimeout(total=10)
            try:
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(self.url) as resp:
                        resp.raise_for_status()
                        jwks_uri = (await resp.json(content_type=None))["jwks_uri"]
                    async with session.get(jwks_uri) as resp:
                        resp.raise_for_status()
                        keys = (await resp.json(content_type=None))["keys"]
                if not isinstance(keys, list):
                    raise TypeError("the key set is not a list")
            except (aiohttp.ClientError, TimeoutError, KeyError, ValueError, TypeError) as exc:
                log.warning(
                    "cannot fetch the Bot Framework signing keys from %s: %s", self.url, exc
                )
                if not self.keys:
                    raise AuthUnavailable(str(exc)) from exc
                return  # keep the keys we have
            self.keys = [k for k in keys if isinstance(k, dict)]
            self._fetched_at = time.monotonic()

    def _lookup(self, key_id: str) -> tuple[Any, list[str]] | None:
        for key in self.keys:
            if key.get("kid") == key_id:
                try:
                    public = RSAAlgorithm.from_jwk(json.dumps(key))
                except (ValueError, TypeError, KeyError) as exc:
                    log.warning("a Bot Framework signing key cannot be read: %s", exc)
                    return None
                endorsements = key.get("endorsements")
                return public, [e for e in endorsements or [] if isinstance(e, str)]
        return None


TOKENS_KEPT = 1000  # verified tokens remembered (the Bot Connector reuses one for an hour)


class TokenValidator:
    """Checks the bearer token of an inbound activity (see the module's docstring).

    A token whose signature, issuer, audience and lifetime checked out is remembered, keyed by
    the exact token, with its claims and its key's endorsements, until it expires: the same
    token again skips the signature check only. The activity-dependent checks (the channel the
    key is endorsed for, the serviceurl claim) and the expiry are made on every request."""

    def __init__(self, app_id: str, keys: SigningKeys, issuer: str = TOKEN_ISSUER) -> None:
        self.app_id = app_id
        self.keys = keys
        self.issuer = issuer
        self._verified: LRUDict[str, tuple[dict[str, Any], frozenset[str]]] = LRUDict(TOKENS_KEPT)
        self.now = time.time  # when a remembered token expires (PyJWT checks the others)

    async def claims(self, auth_header: str, channel_id: str, service_url: str) -> dict[str, Any]:
        """The token's verified claims; :class:`AuthFailed` (or :class:`AuthUnavailable`)."""
        if not auth_header.startswith("Bearer "):
            raise AuthFailed("no bearer token")
        token = auth_header[len("Bearer ") :].strip()
        hit = self._verified.get(token)
        if hit is not None:
            known, endorsed = hit
            if self.now() > float(known["exp"]) + CLOCK_SKEW:
                self._verified.pop(token, None)
                raise AuthFailed("ExpiredSignatureError: Signature has expired")
            return self._for_activity(dict(known), endorsed, channel_id, service_url)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthFailed(f"not a JWT: {exc}") from exc
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise AuthFailed("not an RS256 token with a key id")
        key, endorsements = await self.keys.get(header["kid"])
        endorsed = frozenset(endorsements)
        if channel_id not in endorsed:
            raise AuthFailed(f"the signing key is not endorsed for channel {channel_id!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthFailed(f"{type(exc).__name__}: {exc}") from exc
        if isinstance(claims.get("exp"), (int, float)):
            self._verified[token] = (dict(claims), endorsed)
        return self._for_activity(claims, endorsed, channel_id, service_url)

    @staticmethod
    def _for_activity(
        claims: dict[str, Any], endorsed: frozenset[str], channel_id: str, service_url: str
    ) -> dict[str, Any]:
        """The checks that depend on the activity the token came with."""
        if channel_id not in endorsed:
            raise AuthFailed(f"the signing key is not endorsed for channel {channel_id!r}")
        if not service_url or claims.get("serviceurl") != service_url:
            raise AuthFailed("the serviceurl claim does not match the activity's serviceUrl")
        return claims
