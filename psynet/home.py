"""Home-page panels. Domain apps register a provider in their AppConfig.ready(); the core calls them
without importing the apps. A provider takes (request) and returns a list of Panel."""
from dataclasses import dataclass, field

_providers = []


@dataclass
class Panel:
    title: str
    items: list = field(default_factory=list)  # [{"label":..., "url":..., "meta":...}]
    empty_text: str = ""
    order: int = 50


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request):
    panels = []
    for provider in _providers:
        panels.extend(provider(request) or [])
    return sorted(panels, key=lambda p: p.order)
