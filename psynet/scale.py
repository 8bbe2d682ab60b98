"""National-scale data builders: the core generates networks, users and psychologists; domain apps register
``builder(*, networks, rng, stdout)`` here (in AppConfig.ready()) to add their own volumes."""
_builders = []


def register_scale(builder):
    if builder not in _builders:
        _builders.append(builder)
    return builder


def run_scale_builders(**kwargs):
    for builder in _builders:
        builder(**kwargs)
