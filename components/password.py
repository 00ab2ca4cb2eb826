"""The password rule OpenSearch 2.12+ applies to the initial admin password (its security plugin's
defaults): at least 8 characters with an upper- and a lower-case letter, a digit and a special character,
and a zxcvbn score of at least 3 ("strong"). A weaker password makes the container exit at startup, so
the release never becomes Ready and `pulumi up` fails after Helm's timeout; modelplane refuses it first."""

from __future__ import annotations

import base64
import hashlib
import re

MIN_LENGTH = 8
STRONG_SCORE = 3
CLASSES = {"an upper-case letter": r"[A-Z]", "a lower-case letter": r"[a-z]", "a digit": r"[0-9]",
           "a special character": r"[^A-Za-z0-9]"}
BCRYPT_COST = 10
_STANDARD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# what a generated password always has (minimums per class; URL-, YAML- and shell-safe specials)
GENERATED = {"length": 32, "min_upper": 2, "min_lower": 2, "min_numeric": 2, "min_special": 2,
             "override_special": "-_.+~"}


def weakness(password: str, username: str = "admin") -> str | None:
    """Why OpenSearch would refuse this admin password, or None when it would accept it."""
    from zxcvbn import zxcvbn

    missing = [name for name, pattern in CLASSES.items() if not re.search(pattern, password)]
    if len(password) < MIN_LENGTH or missing:
        need = [f"at least {MIN_LENGTH} characters"] * (len(password) < MIN_LENGTH) + missing
        return f"too weak for OpenSearch's admin user: needs {', '.join(need)}"
    score = zxcvbn(password, user_inputs=[username])["score"]
    if score < STRONG_SCORE:
        return (f"too weak for OpenSearch's admin user: zxcvbn score {score} of 4, OpenSearch needs "
                f"{STRONG_SCORE} (\"strong\")")
    return None


def bcrypt_hash(password: str, pepper: str) -> str:
    """bcrypt with a salt derived from the password, so the hash — and the release — only change when the
    password does (a random salt would make every `pulumi up` update argocd-secret)."""
    import bcrypt

    digest = hashlib.sha256(f"{pepper}\0{password}".encode()).digest()[:16]
    salt = base64.b64encode(digest).rstrip(b"=").translate(bytes.maketrans(_STANDARD, _BCRYPT))
    return bcrypt.hashpw(password.encode(), b"$2b$%02d$" % BCRYPT_COST + salt).decode()
