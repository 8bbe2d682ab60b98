def build_demo(stdout=None):
    pass
