"""Campaign specs: the models, loading with line numbers, and validation.

The names below are imported on first use, so that importing one module of this package
(``contractgen.spec.codes`` from :mod:`contractgen.money`) does not import the others, which
import money in turn.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {"CampaignSpec": "contractgen.spec.models", "load_spec": "contractgen.spec.validate",
          "validate_loaded": "contractgen.spec.validate"}

__all__ = ["CampaignSpec", "load_spec", "validate_loaded"]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
