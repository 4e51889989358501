"""contractgen: influencer-marketing contracts and creative briefs from one campaign spec."""

__version__ = "0.1.0"
