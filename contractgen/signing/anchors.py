"""The invisible anchor texts e-signature services turn into fields.

Each service finds fields in a document's text by its own syntax: DocuSign by an anchor
string the API request names (any unique text), Dropbox Sign by text tags ``[sig|req|signer1]``,
Documenso by placeholders ``{{signature, r1}}``, Adobe Acrobat Sign by text tags
``{{Sig1_es_:signer1:signature}}``. Signers are numbered in signing order from 1. Both
renderers write these strings in white where the field belongs.
"""

from __future__ import annotations

SERVICES = ("docusign", "dropbox", "documenso", "adobe")
KINDS = ("signature", "name", "date", "initials")

_DOCUSIGN = {"signature": "s", "name": "n", "date": "d", "initials": "i"}
_DROPBOX = {"signature": "sig", "name": "text", "date": "date", "initials": "initial"}
_ADOBE = {"signature": ("Sig", "signature"), "name": ("Name", "fullname"), "date": ("Date", "date"),
          "initials": ("Init", "initials")}


def anchor(service: str, kind: str, signer: int, page: int | None = None) -> str:
    """The anchor text of one field: ``kind`` of :data:`KINDS` for signer number ``signer``.

    ``page`` numbers initials fields, for services whose field names must be unique.
    """
    if service == "docusign":
        return f"\\{_DOCUSIGN[kind]}{signer}\\"
    if service == "dropbox":
        if kind == "name":  # Dropbox Sign has no name type: a required text field with a label
            return f"[text|req|signer{signer}|Name|name{signer}]"
        return f"[{_DROPBOX[kind]}|req|signer{signer}]"
    if service == "documenso":
        return "{{" + f"{kind}, r{signer}" + "}}"
    if service == "adobe":
        prefix, field_type = _ADOBE[kind]
        suffix = f"p{page}" if page is not None else ""
        return "{{" + f"{prefix}{signer}{suffix}_es_:signer{signer}:{field_type}" + "}}"
    raise ValueError(f"unknown e-signature service '{service}'; use one of {', '.join(SERVICES)}")
