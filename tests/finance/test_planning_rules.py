"""The planning rules file (finance/data/planning_rules.yaml) and `manage.py
load_planning_rules`: the shipped file's rules and sources, idempotent loading, a dry run
that writes nothing, and broken files refused with every problem named."""

from decimal import Decimal as D
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from commissioning.years import FinancialYear
from finance.models import PlanningRule, QippRagThreshold
from finance.planning_rules import (
    RULES_PATH,
    PlanningRulesError,
    check_rules,
    load_planning_rules,
    read_rules,
)
from tests.factories import CCGFactory


def run(*args) -> str:
    out = StringIO()
    call_command("load_planning_rules", *args, stdout=out)
    return out.getvalue()


def shipped() -> dict:
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def write(tmp_path, data, name="rules.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


# --- The shipped file -------------------------------------------------------------------------


def test_the_shipped_rules_per_year():
    rules = read_rules()
    got = {(r.year.label, r.code): (r.basis, r.rate, r.recurrent) for r in rules.rules}
    assert got == {
        ("2012/13", "insurance-risk-reserve"): ("percent-of-allocation", D("1"), True),
        ("2012/13", "operational-risk-reserve"): ("percent-of-allocation", D("1"), True),
        ("2013/14", "surplus"): ("percent-of-allocation", D("1"), True),
        ("2013/14", "contingency"): ("percent-of-allocation", D("0.5"), True),
        ("2013/14", "transformation-reserve"): ("percent-of-allocation", D("2"), False),
        ("2013/14", "running-cost-allowance"): ("per-head", D("25"), True),
        ("2016/17", "headroom"): ("percent-of-allocation", D("1"), False),
    }
    assert all(r.source for r in rules.rules)
    by_code = {(r.year.label, r.code): r for r in rules.rules}
    assert "seed 003" in by_code[("2013/14", "surplus")].source
    assert "West Mercia" in by_code[("2012/13", "insurance-risk-reserve")].description
    assert by_code[("2016/17", "headroom")].description.endswith("(check)")
    assert "(check)" not in by_code[("2013/14", "surplus")].description
    assert [r.order for r in rules.rules if r.year == FinancialYear(2013)] == [1, 2, 3, 4]


def test_the_default_rag_thresholds_are_the_products_own():
    default = read_rules().default_thresholds
    assert (default.green_from, default.amber_from) == (D("0"), D("-10"))
    assert "product's default" in default.source and "Editable" in default.source


# --- Loading ----------------------------------------------------------------------------------


def test_the_command_loads_then_changes_nothing(db):
    first = run()
    assert "Planning rules:           7 created, 0 updated, 0 unchanged" in first
    assert "Default RAG thresholds:   1 created, 0 updated, 0 unchanged" in first
    rows = list(PlanningRule.objects.order_by("pk").values())
    surplus = PlanningRule.objects.get(year=FinancialYear(2013), code="surplus")
    assert (surplus.rate, surplus.label, surplus.order) == (D("1"), "Surplus", 1)

    second = run()

    assert "Planning rules:           0 created, 0 updated, 7 unchanged" in second
    assert "Default RAG thresholds:   0 created, 0 updated, 1 unchanged" in second
    assert list(PlanningRule.objects.order_by("pk").values()) == rows
    assert QippRagThreshold.objects.count() == 1


def test_an_edited_rule_is_put_back_and_counted_as_updated(db):
    load_planning_rules()
    PlanningRule.objects.filter(code="contingency").update(rate=D("0.75"))
    QippRagThreshold.objects.filter(ccg__isnull=True).update(amber_from=D("-5"))

    report = load_planning_rules()

    assert (report.rules.updated, report.rules.unchanged) == (1, 6)
    assert report.outcomes[("2013/14", "contingency")] == "updated"
    assert report.threshold_outcome == "updated"
    assert PlanningRule.objects.get(code="contingency").rate == D("0.5")
    assert QippRagThreshold.objects.get(ccg__isnull=True).amber_from == D("-10")


def test_a_ccgs_own_thresholds_and_rules_not_in_the_file_are_left_alone(db):
    ccg = CCGFactory(ods_code="05L")
    own = QippRagThreshold.objects.create(ccg=ccg, green_from=D("-2"), amber_from=D("-15"))
    PlanningRule.objects.create(year=FinancialYear(2014), code="surplus", label="Surplus",
                                rate=D("1"))  # fmt: skip

    report = load_planning_rules()

    own.refresh_from_db()
    assert (own.green_from, own.amber_from) == (D("-2"), D("-15"))
    assert report.not_in_file == ["2014/15 surplus"]
    assert "Rules not in the file (left as they are): 2014/15 surplus" in report.lines()
    assert PlanningRule.objects.filter(year=FinancialYear(2014)).exists()


def test_a_dry_run_writes_nothing(db):
    out = run("--dry-run")
    assert "(dry run: nothing was changed)" in out
    assert "7 would be created" in out
    assert not PlanningRule.objects.exists() and not QippRagThreshold.objects.exists()
    load_planning_rules()
    PlanningRule.objects.filter(code="surplus").update(label="Changed")
    report = load_planning_rules(dry_run=True)
    assert report.rules.updated == 1
    assert PlanningRule.objects.get(code="surplus").label == "Changed"


# --- Broken files -----------------------------------------------------------------------------


def test_a_broken_file_is_refused_with_every_problem_and_nothing_written(db, tmp_path):
    data = shipped()
    data["rules"][0]["rate"] = "one"
    data["rules"][1]["basis"] = "per-practice"
    data["rules"][2]["year"] = "2013/15"
    data["rules"][3]["code"] = "Contingency Reserve"
    data["rules"][4]["colour"] = "red"
    data["rules"].append(dict(data["rules"][5]))  # running-cost-allowance twice
    data["rag_thresholds"]["default"] = {"green_from": -20, "amber_from": -10}
    path = write(tmp_path, data)

    with pytest.raises(CommandError) as refused:
        run(str(path))

    message = str(refused.value)
    assert message.startswith("rules.yaml: the planning rules file has 7 problems; nothing was")
    assert "- rule 1 (insurance-risk-reserve): the rate 'one' is not a number" in message
    assert "rule 2 (operational-risk-reserve): basis 'per-practice' is not one of" in message
    assert "rule 3 (surplus): '2013/15' is not a financial year" in message
    assert "the code 'Contingency Reserve' must be lower-case letters" in message
    assert "rule 5 (transformation-reserve): unknown keys colour (is one misspelt?)" in message
    assert (
        "rule 8 (running-cost-allowance): 2013/14 has a rule running-cost-allowance "
        "already (rule 6)" in message
    )
    assert "green_from -20.000 is below amber_from -10.000" in message
    assert not PlanningRule.objects.exists() and not QippRagThreshold.objects.exists()


@pytest.mark.parametrize(
    "content, problem",
    [
        ("rules: [\n  - year: 2013/14\n  code: x", "the file is not valid YAML at line"),
        ("- just a list", "must be a mapping with 'version', 'rules'"),
        ("version: '1'\nrules: []\n", "'rules' must be a list with at least one rule"),
        (
            "rules: [{year: 2013/14, code: surplus, label: Surplus, basis: per-head, rate: 1,"
            " source: x}]\n",
            "'version' is missing",
        ),
        (
            "version: '1'\nrules: [{year: 2013/14, code: surplus, label: Surplus, rate: 1.2345,"
            " basis: percent-of-allocation, source: x}]\n",
            "has more than 3 decimal places",
        ),
        (
            "version: '1'\nrules: [{year: 2013/14, code: surplus, label: Surplus, rate: -1,"
            " basis: percent-of-allocation}]\n",
            "missing source",
        ),
    ],
)
def test_unreadable_files_are_refused_in_words(db, tmp_path, content, problem):
    with pytest.raises(PlanningRulesError) as refused:
        load_planning_rules(write(tmp_path, content))
    assert problem in refused.value.message
    assert not PlanningRule.objects.exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(PlanningRulesError, match="the file cannot be opened"):
        read_rules(tmp_path / "nowhere.yaml")


def test_negative_rates_and_checks_that_are_not_booleans_are_refused():
    data = shipped()
    data["rules"][0]["rate"] = -1
    data["rules"][1]["check"] = "yes"
    with pytest.raises(PlanningRulesError) as refused:
        check_rules(data)
    assert refused.value.problems == [
        "rule 1 (insurance-risk-reserve): the rate -1.000 is negative",
        "rule 2 (operational-risk-reserve): check must be true or false",
    ]
