def build(stdout=None):
    pass
