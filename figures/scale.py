"""National-scale data of the figures app (generate_scale_data): information moments and operating costs for
every generated network, and the figures snapshots of the validated, sent and archived reports (so the federal
overview has national totals to show)."""
import datetime as dt
import time
from decimal import Decimal

from .models import AudienceType, FiguresSnapshot, InformationMoment, OperatingCost

MOMENTS_PER_NETWORK_YEAR = 12


def build(*, networks, rng, stdout=None):
    from annual_reports.models import AnnualReport

    from . import selectors

    started = time.perf_counter()
    ids = [n.pk for n in networks]
    InformationMoment.objects.filter(network_id__in=ids).delete()
    OperatingCost.objects.filter(network_id__in=ids).delete()
    audiences = list(AudienceType.values)
    moments, costs = [], []
    for network in networks:
        for year in (2022, 2023, 2024):
            for i in range(MOMENTS_PER_NETWORK_YEAR):
                moments.append(InformationMoment(
                    network=network, date=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    place=f"Salle {i}", audience_type=rng.choice(audiences), participants=rng.randint(5, 60),
                    topic="Présentation de l'offre", cost=Decimal(rng.randint(0, 400))))
            costs.append(OperatingCost(network=network, year=year, date=dt.date(year, 12, 1),
                                       amount=Decimal(rng.randint(2000, 20000)), purpose="Frais de fonctionnement"))
    InformationMoment.objects.bulk_create(moments, batch_size=2000)
    OperatingCost.objects.bulk_create(costs, batch_size=2000)
    FiguresSnapshot.objects.filter(network_id__in=ids).delete()
    snapshots = []
    for report in AnnualReport.objects.filter(network_id__in=ids, status__in=["validated", "sent", "archived"]
                                              ).select_related("network"):
        figures = selectors.network_year_figures(report.network, report.year)
        snapshots.append(FiguresSnapshot(report=report, network=report.network, year=report.year, figures=figures,
                                         totals=selectors.key_totals(figures)))
    FiguresSnapshot.objects.bulk_create(snapshots, batch_size=200)
    if stdout:
        stdout.write(f"figures: {len(moments)} information moments, {len(costs)} cost claims, "
                     f"{len(snapshots)} snapshots in {time.perf_counter() - started:.1f} s")
