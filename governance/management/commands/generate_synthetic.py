"""`manage.py generate_synthetic`: an England-scale synthetic data set for benchmarks.

Hundreds of CCGs, thousands of practices and years of monthly measurements for every national
standard: at the defaults 200 CCGs with 3 providers each (a pool of 300), 7,000 practices and
72 months (six years) of the CCG's own figures and each provider's, about 1.3 million rows.
With `--plans` (the default) every CCG also gets its content (governance/synthetic/):
a published strategic plan with sections, statements, priorities, commitments and actions
with progress updates, success measures, milestones, a consultation and versions;
programmes; a financial plan, contracts, a pooled budget and QIPP schemes with monthly
figures; risks with reviews and actions; a governing body with members, meetings, agenda
items, resolutions and actions, an audit committee, assurance checkpoints. `--no-plans` makes
the organisations and measurements only. The per-CCG sizes have options (--priorities,
--risks, ...).

Everything it makes is clearly synthetic: CCG codes Z00 to ZZZ and names "Synthetic CCG ...",
practice codes Z00001 to Z89999 (the demo's stand-in practices use Z93 to Z95), provider codes
Z0001 upwards, measurements marked illustrative with the source "Synthetic benchmark data",
content named "Synthetic ..." and marked illustrative where the model can say so.
Deterministic for a given --seed. Rows are written with `bulk_create` in batches, a
transaction per group of CCGs, with progress and timings printed. Refuses to run with
production settings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commissioning.models import CCG, CommissionedProvider, Practice, Provider
from finance.models import PlanningRule
from finance.planning_rules import load_planning_rules
from governance.catalogue import load_catalogue
from governance.demo.series import SPECS, Spec, add_months, quantize
from governance.models import Frequency, Measurement, Standard, Unit
from governance.synthetic import ContentMaker, Sizes, delete_content

SOURCE = "Synthetic benchmark data"
CCG_NAME = "Synthetic CCG"
PROVIDER_NAME = "Synthetic NHS Trust"
PRACTICE_NAME = "Synthetic practice"
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CCGS = len(DIGITS) ** 2  # Z00 to ZZZ
MAX_PRACTICES = 89_999  # Z00001 to Z89999
MAX_PROVIDERS = 9_999  # Z0001 to Z9999
CCGS_PER_TRANSACTION = 10
SIZE_HELP = {
    "sections": "Plan sections per CCG",
    "statements": "Plan statements per CCG",
    "priorities": "Priorities per plan",
    "commitments": "Commitments per priority",
    "actions": "Actions per commitment (each with a progress update)",
    "milestones": "Plan milestones per CCG",
    "comments": "Consultation comments per plan",
    "programmes": "Transformational programmes per CCG",
    "qipp_programmes": "QIPP programmes per CCG",
    "qipp_schemes": "QIPP schemes per CCG (each with 12 monthly figures)",
    "risks": "Risks per CCG (each with a review and 2 actions)",
    "members": "Governing body members per CCG",
    "meetings": "Governing body meetings per CCG",
    "agenda_items": "Agenda items per meeting",
    "checkpoints": "NHS England assurance checkpoints per CCG",
}


def ccg_code(number: int) -> str:
    """The number-th synthetic CCG code (0-based): Z00, Z01, ... ZZZ."""
    return "Z" + DIGITS[number // len(DIGITS)] + DIGITS[number % len(DIGITS)]


def provider_code(number: int) -> str:
    return f"Z{number + 1:04d}"


def practice_code(number: int) -> str:
    return f"Z{number + 1:05d}"


def month_arg(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--start '{text}' is not a month: write it like 2012-04") from None


def synthetic_ccgs():
    return CCG.objects.filter(name__startswith=CCG_NAME, ods_code__startswith="Z")


class Generator:
    """Values for one CCG's providers and the CCG itself, drawn from one seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic figures, not secrets

    def spec(self, standard: Standard) -> Spec:
        if standard.code in SPECS:
            return SPECS[standard.code]
        return Spec(90.0, 2.0, 100) if standard.unit == Unit.PERCENT else Spec(0.5, 0.0)

    def percent(self, spec: Spec, offset: float, months_in: int, winter: bool) -> float:
        value = spec.level + offset + spec.trend * months_in / 12 + self.rng.gauss(0, spec.noise)
        if winter:
            value -= spec.winter
        return min(100.0, max(0.0, value))

    def count(self, rate: float) -> int:
        limit, count, product = math.exp(-rate), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count


class Command(BaseCommand):
    help = (
        "Make an England-scale synthetic data set for benchmarks: CCGs (codes Z00 to ZZZ), "
        "practices, providers and measurements for every national standard and month, in bulk. "
        "Refuses to run with production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ccgs", type=int, default=200, help="CCGs (default 200)")
        parser.add_argument(
            "--practices", type=int, default=7000, help="GP practices (default 7,000)"
        )
        parser.add_argument(
            "--months", type=int, default=72, help="Months of measurements (default 72)"
        )
        parser.add_argument(
            "--providers-per-ccg", type=int, default=3,
            help="Providers each CCG's figures are broken down by (default 3)",
        )  # fmt: skip
        parser.add_argument("--start", default="2012-04", help="First month (default 2012-04)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1)")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Rows per INSERT (default 5,000)"
        )
        parser.add_argument(
            "--replace", action="store_true",
            help="Delete the synthetic data already there first (otherwise refuse)",
        )  # fmt: skip
        parser.add_argument(
            "--plans", action=argparse.BooleanOptionalAction, default=True,
            help="Also make every CCG's plans, priorities, finance, QIPP, risks, committees "
            "and assurance (default; --no-plans: organisations and measurements only)",
        )  # fmt: skip
        defaults = Sizes()
        for name in Sizes.names():
            default = getattr(defaults, name)
            flag = "--" + name.replace("_", "-")
            help_text = f"{SIZE_HELP[name]} (default {default})"
            parser.add_argument(flag, type=int, default=default, help=help_text)

    def handle(self, *args, **options):
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError(
                "Refusing to generate synthetic data: this is a production configuration "
                "(settings.IS_PRODUCTION is True)."
            )
        self.check_sizes(options)
        started = time.perf_counter()
        self.batch_size = options["batch_size"]
        start = month_arg(options["start"])
        if synthetic_ccgs().exists():
            if not options["replace"]:
                raise CommandError(
                    "Synthetic data is there already: run with --replace to make it again."
                )
            self.step("Deleted the synthetic data already there", self.delete_existing)
        standards = self.standards()
        ccgs = self.step("Created CCGs", lambda: self.create_ccgs(options["ccgs"], options["seed"]))
        practices = self.step(
            "Created practices", lambda: self.create_practices(ccgs, options["practices"])
        )
        links = self.step(
            "Linked CCGs to providers",
            lambda: self.create_providers(ccgs, options["providers_per_ccg"]),
        )
        rows = self.create_measurements(
            ccgs, links, standards, start, options["months"], options["seed"]
        )
        content = {}
        if options["plans"]:
            sizes = Sizes(**{name: options[name] for name in Sizes.names()})
            content = self.create_content(ccgs, links, sizes, options["seed"])
        elapsed = time.perf_counter() - started
        made = "".join(f", {count:,} {name}" for name, count in content.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic data set: {len(ccgs):,} CCGs, {practices:,} practices, "
                f"{len({p.pk for ps in links.values() for p in ps}):,} providers, "
                f"{rows:,} measurements of {len(standards)} standards{made} "
                f"in {elapsed:.1f} s."
            )
        )

    # --- Checks and steps ---------------------------------------------------------------------

    def check_sizes(self, options) -> None:
        limits = {
            "ccgs": (1, MAX_CCGS),
            "practices": (0, MAX_PRACTICES),
            "months": (1, 600),
            "providers_per_ccg": (0, 50),
            "batch_size": (1, 100_000),
            **{name: (0, 1000) for name in Sizes.names()},
        }
        for name, (low, high) in limits.items():
            if not low <= options[name] <= high:
                flag = "--" + name.replace("_", "-")
                raise CommandError(f"{flag} must be between {low:,} and {high:,}")
        needed = math.ceil(options["ccgs"] * options["providers_per_ccg"] / 2)
        if needed > MAX_PROVIDERS:
            raise CommandError(f"Too many providers ({needed:,}): at most {MAX_PROVIDERS:,}")

    def step(self, label: str, action):
        began = time.perf_counter()
        result = action()
        count = f": {len(result):,}" if isinstance(result, list | dict) else ""
        count = f": {result:,}" if isinstance(result, int) else count
        self.stdout.write(f"{label}{count} ({time.perf_counter() - began:.1f} s)")
        return result

    def delete_existing(self):
        ccgs = synthetic_ccgs()
        with transaction.atomic():
            Measurement.objects.filter(ccg__in=ccgs).delete()
            Practice.objects.filter(ccg__in=ccgs).delete()
            delete_content(ccgs)
            CommissionedProvider.objects.filter(ccg__in=ccgs).delete()
            Provider.objects.filter(name__startswith=PROVIDER_NAME, ods_code__startswith="Z",
                                    ccg_links__isnull=True).delete()  # fmt: skip
            ccgs.delete()

    def standards(self) -> list[Standard]:
        if not Standard.objects.national().exists():
            report = self.step("Loaded the standards catalogue", load_catalogue)
            self.stdout.write(f"  {report.lines()[1]}")
        return list(Standard.objects.national().order_by("group", "order", "code"))

    def create_ccgs(self, count: int, seed: int) -> list[CCG]:
        codes = [ccg_code(n) for n in range(count)]
        taken = set(CCG.objects.filter(ods_code__in=codes).values_list("ods_code", flat=True))
        if taken:
            raise CommandError(
                f"CCG codes meant for synthetic CCGs are in use: {', '.join(sorted(taken)[:5])}"
            )
        rng = random.Random(seed)  # noqa: S311 - synthetic figures, not secrets
        ccgs = [
            CCG(
                ods_code=code,
                name=f"{CCG_NAME} {code}",
                short_name=f"Synthetic {code}",
                region="Synthetic region",
                population=rng.randrange(100_000, 700_000, 1000),
                source_note="Synthetic benchmark data made by manage.py generate_synthetic.",
            )
            for code in codes
        ]
        CCG.objects.bulk_create(ccgs, batch_size=self.batch_size)
        return list(synthetic_ccgs().filter(ods_code__in=codes).order_by("ods_code"))

    def create_practices(self, ccgs: list[CCG], count: int) -> int:
        codes = [practice_code(n) for n in range(count)]
        if Practice.objects.filter(ods_code__in=codes[:1] + codes[-1:]).exists():
            raise CommandError("Practice codes meant for synthetic practices are in use.")
        practices = [
            Practice(
                ods_code=code,
                name=f"{PRACTICE_NAME} {number + 1} ({ccgs[number % len(ccgs)].ods_code})",
                town="Synthetic town",
                ccg=ccgs[number % len(ccgs)],
                commissioner_code=ccgs[number % len(ccgs)].ods_code,
                source_note="Synthetic benchmark data",
            )
            for number, code in enumerate(codes)
        ]
        Practice.objects.bulk_create(practices, batch_size=self.batch_size)
        return len(practices)

    def create_providers(self, ccgs: list[CCG], per_ccg: int) -> dict[int, list[Provider]]:
        """A pool of providers, each shared by neighbouring CCGs (as acute trusts are)."""
        pool_size = math.ceil(len(ccgs) * per_ccg / 2) if per_ccg else 0
        codes = [provider_code(n) for n in range(pool_size)]
        existing = {
            p.ods_code: p
            for p in Provider.objects.filter(ods_code__in=codes, name__startswith=PROVIDER_NAME)
        }
        if Provider.objects.filter(ods_code__in=codes).exclude(
            name__startswith=PROVIDER_NAME
        ).exists():  # fmt: skip
            raise CommandError("Provider codes meant for synthetic providers are in use.")
        new = [
            Provider(
                ods_code=code,
                name=f"{PROVIDER_NAME} {code}",
                kind="acute",
                source_note="Synthetic benchmark data",
            )  # fmt: skip
            for code in codes
            if code not in existing
        ]
        Provider.objects.bulk_create(new, batch_size=self.batch_size)
        pool = list(Provider.objects.filter(ods_code__in=codes).order_by("ods_code"))
        links, chosen = [], {}
        for index, ccg in enumerate(ccgs):
            first = index * per_ccg // 2
            picked = [pool[(first + k) % len(pool)] for k in range(per_ccg)] if pool else []
            picked = list({p.pk: p for p in picked}.values())
            chosen[ccg.pk] = picked
            links += [CommissionedProvider(ccg=ccg, provider=p, note="Synthetic") for p in picked]
        CommissionedProvider.objects.bulk_create(links, batch_size=self.batch_size)
        return chosen

    # --- Plans, priorities, finance, governance ---------------------------------------------

    def create_content(self, ccgs, links, sizes: Sizes, seed: int) -> dict[str, int]:
        if not PlanningRule.objects.exists():  # national reference data the finance pages read
            report = self.step("Loaded the planning rules", load_planning_rules)
            self.stdout.write("  " + " ".join(report.lines()[1].split()))
        maker = ContentMaker(sizes, seed, self.batch_size)
        began = time.perf_counter()
        for first in range(0, len(ccgs), CCGS_PER_TRANSACTION):
            group = ccgs[first : first + CCGS_PER_TRANSACTION]
            with transaction.atomic():
                maker.make(group, links)
            elapsed = time.perf_counter() - began
            self.stdout.write(
                f"Plans and the rest: {first + len(group):,}/{len(ccgs):,} CCGs, "
                f"{sum(maker.counts.values()):,} rows ({elapsed:.1f} s)"
            )
        return maker.counts

    # --- Measurements -------------------------------------------------------------------------

    def create_measurements(self, ccgs, links, standards, start, months, seed) -> int:
        generator = Generator(seed)
        periods = {
            Frequency.MONTHLY: [add_months(start, n) for n in range(months)],
            Frequency.QUARTERLY: [
                add_months(start, n)
                for n in range(months)
                if add_months(start, n).month in (1, 4, 7, 10) and n + 2 < months
            ],  # fmt: skip
        }
        total, began = 0, time.perf_counter()
        for first in range(0, len(ccgs), CCGS_PER_TRANSACTION):
            group = ccgs[first : first + CCGS_PER_TRANSACTION]
            rows = []
            for ccg in group:
                for standard in standards:
                    rows += self.series(generator, ccg, links.get(ccg.pk, []), standard, start,
                                        periods[standard.frequency])  # fmt: skip
            with transaction.atomic():
                Measurement.objects.bulk_create(rows, batch_size=self.batch_size)
            total += len(rows)
            done = first + len(group)
            elapsed = time.perf_counter() - began
            self.stdout.write(
                f"Measurements: {done:,}/{len(ccgs):,} CCGs, {total:,} rows "
                f"({elapsed:.1f} s, {total / elapsed if elapsed else 0:,.0f} rows/s)"
            )
        return total

    def series(self, generator: Generator, ccg: CCG, providers, standard, start, periods):
        spec = generator.spec(standard)
        scale = (ccg.population or 250_000) / 100_000
        offset = generator.rng.gauss(0, 1.0)
        quarter = standard.frequency == Frequency.QUARTERLY
        period_type = "quarter" if quarter else "month"
        shares = self.shares(generator, len(providers))
        rows = []
        for period in periods:
            months_in = (period.year - start.year) * 12 + period.month - start.month
            winter = period.month in (12, 1, 2, 3)
            parts = []
            for provider, share in zip(providers or [None], shares, strict=True):
                if standard.unit == Unit.PERCENT:
                    value = generator.percent(spec, offset, months_in, winter)
                    denominator = max(1, round(spec.volume * scale * share * (3 if quarter else 1)))
                    numerator = round(value / 100 * denominator)
                    parts.append((provider, Decimal(numerator), Decimal(denominator)))
                else:
                    count = generator.count(spec.level * scale * share)
                    parts.append((provider, Decimal(count), None))
            if providers:
                rows += [self.row(standard, ccg, p, period_type, period, n, d) for p, n, d in parts]
            numerator = sum(n for _, n, _ in parts)
            denominator = None if standard.unit != Unit.PERCENT else sum(d for _, _, d in parts)
            rows.append(self.row(standard, ccg, None, period_type, period, numerator, denominator))
        return rows

    @staticmethod
    def shares(generator: Generator, count: int) -> list[float]:
        if count == 0:
            return [1.0]
        weights = [generator.rng.uniform(0.5, 1.5) for _ in range(count)]
        return [weight / sum(weights) for weight in weights]

    @staticmethod
    def row(standard, ccg, provider, period_type, period, numerator, denominator) -> Measurement:
        if denominator is None:
            value, numerator = numerator, None
        else:
            value = quantize(numerator * 100 / denominator)
        return Measurement(
            standard_id=standard.pk, ccg_id=ccg.pk, provider_id=provider and provider.pk,
            period_type=period_type, period_start=period, numerator=numerator,
            denominator=denominator, value=value, source=SOURCE, illustrative=True,
        )  # fmt: skip
