"""Render step for tracking pages: one sealed page per tracked case (SPEC section 11).

From the build secret and a case id (and its epoch) come two independent values:
- the page's **address**, 128 bits of HMAC-SHA256, so a page can be neither guessed
  nor enumerated, and says nothing of the case id;
- its **key**, 256 bits from HKDF-SHA256, which travels only in the link's #fragment.
The content is encrypted with AES-GCM under that key and bound to the address; the page
decrypts it with the browser's own WebCrypto. The nonce is derived from the key and the
content (a synthetic IV), so the same record builds the same bytes, and a key never
meets one nonce with two different contents. Raising a case's epoch changes both
address and key: the old link opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import jinja2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from markupsafe import Markup

from decision_paths.model.tracking import TRACKING_FOLDER
from decision_paths.plan import views as v

_LABEL = b"decision-paths tracking v1"
_TEMPLATES = Path(__file__).parent / "templates"
_SCRIPT = (_TEMPLATES / "tracking.js").read_text(encoding="utf-8")
_STYLE = (_TEMPLATES / "tracking.css").read_text(encoding="utf-8")


def _subject(case: str, epoch: int) -> bytes:
    return f"{epoch}\0{case}".encode()


def tracking_address(secret: bytes, case: str, epoch: int) -> str:
    """32 hex digits: the page's folder under t/."""
    digest = hmac.new(secret, _LABEL + b" address\0" + _subject(case, epoch), hashlib.sha256).digest()
    return digest[:16].hex()


def tracking_key(secret: bytes, case: str, epoch: int) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL + b" key\0" + _subject(case, epoch))
    return hkdf.derive(secret)


def fragment(key: bytes) -> str:
    """The key as the link's #fragment: base64url without padding (43 characters)."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


def tracking_path(secret: bytes, case: str, epoch: int) -> str:
    """The page's URL path in the client site, with the key: ``t/ADDRESS/#KEY``."""
    address = tracking_address(secret, case, epoch)
    return f"{TRACKING_FOLDER}/{address}/#{fragment(tracking_key(secret, case, epoch))}"


def seal(key: bytes, address: str, plaintext: bytes) -> str:
    """nonce || AES-GCM(ciphertext, tag), base64url; the address is the associated data."""
    nonce = hmac.new(key, b"nonce\0" + plaintext, hashlib.sha256).digest()[:12]
    box = nonce + AESGCM(key).encrypt(nonce, plaintext, address.encode("ascii"))
    return base64.urlsafe_b64encode(box).rstrip(b"=").decode("ascii")


def unseal(key: bytes, address: str, sealed: str) -> bytes:
    """The inverse of ``seal`` (the tests read every page back with it)."""
    box = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    return AESGCM(key).decrypt(box[:12], box[12:], address.encode("ascii"))


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def tracking_files(
    pages: tuple[v.TrackingView, ...], secret: bytes, env: jinja2.Environment, words: Mapping[str, str]
) -> Iterator[tuple[str, bytes]]:
    """(path in the site, bytes) of every tracking page."""
    content = env.get_template("tracking-content.html")
    shell = env.get_template("tracking.html")
    for page in pages:
        address = tracking_address(secret, page.case, page.epoch)
        plaintext = content.render(page=page, w=words).encode("utf-8")
        html = shell.render(
            language=page.language,
            w=words,
            address=address,
            sealed=seal(tracking_key(secret, page.case, page.epoch), address, plaintext),
            script=Markup(_SCRIPT),  # noqa: S704 - our own file, hashed into the page's CSP
            style=Markup(_STYLE),  # noqa: S704 - likewise
            script_hash=_csp_hash(_SCRIPT),
            style_hash=_csp_hash(_STYLE),
        )
        yield os.path.join(TRACKING_FOLDER, address, "index.html"), html.encode("utf-8")
