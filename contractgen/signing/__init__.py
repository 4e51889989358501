"""Signing and after: e-signature anchors and envelopes, sealing and verifying contract PDFs."""
