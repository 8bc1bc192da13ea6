"""Performance in the permission matrix's world: two national standards (read by anyone with
a role), a local KPI of each CCG, fifteen months of each CCG's A&E figures (enough for SPC
limits) and a finished measurement import of each CCG."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from governance.models import Measurement, MeasurementImport, Standard, StandardThreshold

FIRST_MONTH = dt.date(2015, 1, 1)
MONTHS = 15


def _month(index: int) -> dt.date:
    month = FIRST_MONTH.month - 1 + index
    return dt.date(FIRST_MONTH.year + month // 12, month % 12 + 1, 1)


def _standard(code, name, *, group="ae", unit="percent", direction="higher", ccg=None,
              target=95):  # fmt: skip
    standard = Standard.objects.create(
        code=code, name=name, group=group, unit=unit, direction=direction, ccg=ccg
    )
    StandardThreshold.objects.create(
        standard=standard, value=Decimal(target), applies_from=dt.date(2010, 4, 1)
    )
    return standard


def performance_world(a, b, objects: dict, things: dict) -> dict:
    made = {
        "standard_a": _standard("ae-4-hours", "A&E attendances seen within 4 hours"),
        "standard_b": _standard(
            "rtt-incomplete-18-weeks",
            "RTT incomplete pathways within 18 weeks",
            group="rtt",
            target=92,
        ),  # fmt: skip
    }
    for name, ccg in (("a", a), ("b", b)):
        made[f"local_kpi_{name}"] = _standard(
            f"local-kpi-{ccg.ods_code.lower()}",
            f"Local KPI of {ccg.ods_code}",
            group="other",
            ccg=ccg,
            target=80,
        )
        record = MeasurementImport.objects.create(
            source_name=f"ae-{ccg.ods_code}.csv",
            ccg=ccg,
            status="succeeded",
            rows_read=MONTHS,
            created=MONTHS,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            latest_period=_month(MONTHS - 1),
            message=f"Read {MONTHS} rows: {MONTHS} measurements created.",
        )
        made[f"import_{name}"] = record
        rows = Measurement.objects.bulk_create(
            Measurement(
                standard=made["standard_a"],
                ccg=ccg,
                period_start=_month(i),
                numerator=Decimal(930 + (i % 3) * 5),
                denominator=Decimal(1000),
                value=Decimal(93 + (i % 3) * Decimal("0.5")),
                source="A&E SitReps",
                imported_by=record,
            )
            for i in range(MONTHS)
        )
        made[f"measurement_{name}"] = rows[-1]
    objects["standards"] = (made["standard_a"].code, made["standard_b"].code)
    objects["measurements"] = (made["measurement_a"].pk, made["measurement_b"].pk)
    objects["measurement-imports"] = (made["import_a"].pk, made["import_b"].pk)
    objects["dashboard"] = (a.ods_code, b.ods_code)  # the dashboard API, by ODS code
    return made
