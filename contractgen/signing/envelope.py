"""``signers.json``: per contract, who signs, in which order, and where their fields are anchored.

A script posts it to the e-signature service's API (see the README for one example per
service); contractgen itself never calls a service. The signers come from
:func:`contractgen.assemble.contract.signature_block`, the same list the documents print.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from contractgen.engagement import Engagement
from contractgen.output import safe_folder_name
from contractgen.signing.anchors import KINDS, anchor
from contractgen.toolkit import Toolkit

FILE = "signers.json"

# DocuSign finds fields by anchor strings the request names: the tab list of each kind.
_DOCUSIGN_TABS = {"signature": "signHereTabs", "name": "fullNameTabs", "date": "dateSignedTabs",
                  "initials": "initialHereTabs"}


def envelope(engagements: Sequence[Engagement], kit: Toolkit, service: str, formats: Iterable[str],
             initials: bool) -> dict[str, Any]:
    """The envelope manifest of a campaign's contracts for one service."""
    from contractgen.assemble.contract import signature_block

    formats = tuple(formats)
    documents = []
    for e in engagements:
        block = signature_block(e, kit.strings(e.spec.campaign.language))
        folder = safe_folder_name(e.deal.slug)
        signers = []
        for order, s in enumerate(block.signatories, start=1):
            # The fields each signer has: a name field only where the panel leaves the name blank.
            kinds = [k for k in KINDS if (k != "name" or s.name is None) and (k != "initials" or initials)]
            entry: dict[str, Any] = {
                "role": s.key, "name": s.name, "email": s.email, "party": s.party, "routing_order": order,
                "anchors": {k: anchor(service, k, order, 1 if k == "initials" else None) for k in kinds},
            }
            if service == "docusign":
                entry["tabs"] = {_DOCUSIGN_TABS[k]: [{"anchorString": anchor(service, k, order), "anchorUnits": "pixels",
                                                      "anchorXOffset": "0", "anchorYOffset": "0",
                                                      "anchorIgnoreIfNotPresent": "false"}] for k in kinds}
            signers.append(entry)
        documents.append({
            "influencer": e.influencer.handle,
            "files": [f"{folder}/contract.{fmt}" for fmt in formats],
            "signers": signers,
        })
    spec = engagements[0].spec if engagements else None
    return {"service": service, "campaign": spec.campaign_id if spec else "", "documents": documents}


def envelope_bytes(data: dict[str, Any]) -> bytes:
    """Stable JSON bytes of an envelope manifest."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()
