"""Renderers: one Document → DOCX bytes or PDF bytes."""
