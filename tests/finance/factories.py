"""Finance records for tests, made through the finance services (as the product makes them)."""

from decimal import Decimal

from commissioning.years import FinancialYear
from finance import services
from finance.models import QippProgramme, QippScheme

YEAR = FinancialYear(2012)


def programme(ccg, name="Orthopaedics", order=0):
    return services.create(QippProgramme, user=None, ccg=ccg, name=name, order=order)


def scheme(ccg, reference="RB01", *, qipp_programme=None, year=YEAR, planned_saving="106000",
           months=None, actuals=(), **values):  # fmt: skip
    """A scheme with `months` (twelve plan figures; default the saving spread evenly) and
    actuals for the first months."""
    qipp_programme = qipp_programme or programme(ccg)
    saving = Decimal(planned_saving)
    made = services.create(QippScheme, user=None, ccg=ccg, year=year, reference=reference,
                           qipp_programme=qipp_programme, project=values.pop("project",
                           f"Project {reference}"), planned_saving=saving, **values)  # fmt: skip
    plans = months or [(saving / 12).quantize(Decimal("0.01"))] * 12
    for n, plan in enumerate(plans, start=1):
        actual = Decimal(actuals[n - 1]) if n <= len(actuals) else None
        services.record_month(made, n, user=None, plan=Decimal(plan), actual=actual)
    return made
