"""Private links: ``secrets.token_urlsafe(32)`` (256 bits) given once to the partner, only its SHA-256 kept."""
import hmac
import secrets

from .models import sha256_hex


def new_token():
    """(raw token for the e-mail, hash for the database)."""
    raw = secrets.token_urlsafe(32)
    return raw, sha256_hex(raw)


def hash_token(raw):
    return sha256_hex(raw or "")


def new_code():
    """A six-digit one-time signing code and its hash."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    return code, sha256_hex(code)


def code_matches(code, code_hash):
    return hmac.compare_digest(sha256_hex((code or "").strip()), code_hash)
