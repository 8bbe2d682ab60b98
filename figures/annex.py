"""The PDF annex "Key figures YEAR": from the snapshot when the report is validated, sent or archived (so the
PDF sent to INAMI/SPF shows the validated figures), else from today's data. Rendered by annual_reports.pdf."""
from . import selectors, tables


def annex_context(report):
    figures, snapshot = selectors.figures_for_report(report)
    labels = tables.key_figure_labels()
    return {
        "year": report.year, "snapshot": snapshot, "is_frozen": report.is_frozen,
        "has_data": figures.get("has_data", True),
        "key": [{"key": k, "label": labels[k], "value": tables.format_key(k, v)}
                for k, v in selectors.key_totals(figures).items()],
        "tables": list(tables.build_tables(figures).values()),
        "charts": tables.charts(figures),
    }
