"""Demo-data builders. The core builds networks, people and psychologists; domain apps register their own
builder in AppConfig.ready() and seed_demo runs them in order, each idempotent."""
_builders = []


def register(order):
    def decorator(builder):
        _builders.append((order, builder))
        return builder

    return decorator


def run_all(stdout=None):
    for _, builder in sorted(_builders, key=lambda b: b[0]):
        builder(stdout=stdout)
