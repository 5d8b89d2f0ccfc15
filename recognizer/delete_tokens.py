"""Delete tokens: how an anonymous client proves a drawing is its own, without accounts.

The creation answer shows a random token once; the row keeps only its SHA-256, so a database dump or
an admin page cannot be used to delete anything. A plain (unsalted, fast) hash is enough: the token
is 256 random bits, not a password someone chose, so there is nothing to guess or to look up.
"""
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """(token to show once, hash to store)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """False without a token or without a stored hash (rows made before tokens, digits of numbers)."""
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)
