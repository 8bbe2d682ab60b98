"""Demo and national-scale data for billing (filled in below)."""


def build(stdout=None):
    from .loader import load_rules

    load_rules()


def build_scale(*, networks, rng, stdout=None):
    return None
