"""The demo step that writes the illustrative performance series (`governance.demo.series`).

Runs inside `manage.py load_demo` after the standards catalogue step: for each of the four
demo CCGs and each national standard, every month (or quarter) from April 2012 to March
2016, marked `illustrative=True` with the source "Illustrative demo data". Written in bulk:
one read of what is there, then `bulk_create` for new rows and `bulk_update` for illustrative
rows whose figures differ; a second run changes nothing. Measurements that are not
illustrative (imported real figures) are never overwritten.
"""

from __future__ import annotations

from django.utils import timezone

from commissioning.demo.loader import LoadContext, Tally
from commissioning.models import CCG, Provider

from ..models import Frequency, Measurement, Standard
from . import series

DEMO_CCGS = ("03L", "04R", "05A", "05L")
BATCH = 1000
FIELDS = ("value", "numerator", "denominator", "source")


def key_of(standard_id, ccg_id, provider_id, period_type, period_start) -> tuple:
    return (standard_id, ccg_id, provider_id, period_type, period_start)


def wanted_rows(standards, ccgs: dict[str, CCG], providers: dict[str, Provider]):
    """Every illustrative row as an unsaved Measurement, keyed like `key_of`."""
    wanted = {}
    for standard in standards:
        thresholds = sorted(standard.thresholds.all(), key=lambda row: row.applies_from)
        threshold = thresholds[0] if thresholds else None
        target = None if threshold is None or threshold.value is None else float(threshold.value)
        for code, ccg in ccgs.items():
            for row in series.series_for(
                code, standard.code, unit=standard.unit, direction=standard.direction,
                quarterly=standard.frequency == Frequency.QUARTERLY, target=target,
            ):  # fmt: skip
                provider = providers.get(row.provider) if row.provider else None
                if row.provider and provider is None:
                    continue  # the provider is not loaded: keep the CCG's own figures only
                measurement = Measurement(
                    standard=standard,
                    ccg=ccg,
                    provider=provider,
                    period_type=row.period_type,
                    period_start=row.period_start,
                    numerator=row.numerator,
                    denominator=row.denominator,
                    value=row.value,
                    source=series.SOURCE,
                    illustrative=True,
                )
                key = key_of(standard.pk, ccg.pk, getattr(provider, "pk", None),
                             row.period_type, row.period_start)  # fmt: skip
                wanted[key] = measurement
    return wanted


def write_series(ccgs: dict[str, CCG]) -> Tally:
    """Create or update the illustrative series of `ccgs`; returns what it did."""
    tally = Tally()
    if not Standard.objects.national().exists():
        from ..catalogue import load_catalogue

        load_catalogue()
    standards = list(Standard.objects.national().prefetch_related("thresholds"))
    providers = {
        p.ods_code: p for p in Provider.objects.filter(ods_code__in=series.providers_named())
    }
    wanted = wanted_rows(standards, ccgs, providers)
    existing = {
        key_of(m.standard_id, m.ccg_id, m.provider_id, m.period_type, m.period_start): m
        for m in Measurement.objects.filter(
            ccg__in=list(ccgs.values()), standard__in=standards
        ).only(
            "id",
            "standard",
            "ccg",
            "provider",
            "period_type",
            "period_start",
            "illustrative",
            *FIELDS,
        )  # fmt: skip
    }
    new, changed, now = [], [], timezone.now()
    for key, measurement in wanted.items():
        current = existing.get(key)
        if current is None:
            new.append(measurement)
        elif not current.illustrative:
            tally.unchanged += 1  # real figures win over illustrative ones
        elif any(getattr(current, name) != getattr(measurement, name) for name in FIELDS):
            for name in FIELDS:
                setattr(current, name, getattr(measurement, name))
            current.updated_at = now
            changed.append(current)
        else:
            tally.unchanged += 1
    Measurement.objects.bulk_create(new, batch_size=BATCH)
    Measurement.objects.bulk_update(changed, [*FIELDS, "updated_at"], batch_size=BATCH)
    tally.created, tally.updated = len(new), len(changed)
    return tally


def load_demo_series(ctx: LoadContext) -> None:
    """Demo step (after the catalogue): the illustrative series of the four demo CCGs."""
    ccgs = {code: ctx.ccgs[code] for code in DEMO_CCGS if code in ctx.ccgs}
    tally = write_series(ccgs)
    total = ctx.report.tallies.setdefault(Measurement._meta.object_name, Tally())
    total.created += tally.created
    total.updated += tally.updated
    total.unchanged += tally.unchanged


def register_demo_step() -> None:
    """Register the step after the catalogue's: registering the catalogue step here too keeps
    it first whichever order `ready()` calls them in (a name registered again keeps its
    place)."""
    from commissioning.demo.loader import register_step

    from ..catalogue import register_demo_step as register_catalogue

    register_catalogue()
    register_step(load_demo_series, "governance-performance-series")
