def build(*, networks, rng, stdout=None):
    pass
