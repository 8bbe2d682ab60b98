def build_scale(*, networks, rng, stdout):
    pass
