"""Imported by the process builds are forked from: the library and rate card are loaded there
once, so every build starts with them (about 0.6 s a build saved), never reading them again."""

from contractgen.web.shared import kit, rates

kit().library  # noqa: B018 - loading is the point
rates()
