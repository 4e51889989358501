"""Campaign specs: the models, loading with line numbers, and validation."""

from contractgen.spec.models import CampaignSpec
from contractgen.spec.validate import load_spec, validate_loaded

__all__ = ["CampaignSpec", "load_spec", "validate_loaded"]
