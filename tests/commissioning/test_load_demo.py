"""`manage.py load_demo`: the seed documents' facts, exactly; idempotent; refused in production."""

import copy
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Sum

from commissioning.access import Role
from commissioning.demo.loader import FactsError, load_demo, read_facts, spread
from commissioning.governing_body import check_composition
from commissioning.models import (
    CCG,
    CommissionedProvider,
    GoverningBodyMembership,
    Locality,
    Membership,
    PartnerOrganisation,
    Person,
    Practice,
    PracticeListSize,
    Provider,
)
from commissioning.models.people import SeatCategory

User = get_user_model()
LOADED_MODELS = [
    CCG,
    Locality,
    Practice,
    PracticeListSize,
    Provider,
    CommissionedProvider,
    PartnerOrganisation,
    Person,
    GoverningBodyMembership,
    User,
    Membership,
]


def run(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def dump() -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in LOADED_MODELS}


@pytest.fixture
def loaded(db):
    return run()


# --- CCGs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, name, population, as_of, region",
    [
        ("03L", "NHS Rotherham CCG", None, None, "South Yorkshire and Bassetlaw"),
        ("04R", "NHS Southern Derbyshire CCG", 525_000, None, "Derbyshire"),
        ("05A", "NHS Coventry and Rugby CCG", None, None, "Coventry and Warwickshire"),
        ("05L", "NHS Redditch and Bromsgrove CCG", 170_774, "2011-04-01", "West Mercia"),
    ],
)
def test_ccgs_load_with_the_seeds_figures(loaded, code, name, population, as_of, region):
    ccg = CCG.objects.get(ods_code=code)
    assert ccg.name == name
    assert ccg.population == population
    assert (ccg.population_as_of.isoformat() if ccg.population_as_of else None) == as_of
    assert ccg.region == region
    assert ccg.open_date.isoformat() == "2013-04-01"
    assert ccg.close_date is None and ccg.successor is None
    assert ccg.source_note.startswith("seed ")
    if population is None:
        assert ccg.population_note == "Not stated in the source documents"


def test_only_redditch_and_bromsgrove_has_an_address(loaded):
    assert CCG.objects.get(ods_code="05L").address.split("\n") == [
        "Hillview Medical Centre",
        "Bromsgrove Road",
        "Redditch",
        "B97 4RN",
    ]
    # Seed 001's Oak House address is the NHS England area team's, not Rotherham CCG's.
    assert CCG.objects.exclude(ods_code="05L").filter(address__gt="").count() == 0


def test_population_notes_cite_the_seed(loaded):
    assert "170,774 (April 2011)" in CCG.objects.get(ods_code="05L").population_note
    assert "just over 170,000" in CCG.objects.get(ods_code="05L").population_note
    assert "approximately 525,000" in CCG.objects.get(ods_code="04R").population_note


# --- Localities and practices ----------------------------------------------------------------

SOUTHERN_DERBYSHIRE = [
    ("Derby Advanced Commissioning", "DAC", 20, 169_000),
    ("Derby Commissioning Network", "DCN", 12, 145_000),
    ("Amber Valley and South Dales", "AVSD", 19, 161_000),
    ("South Derbyshire", "SD", 6, 50_000),
]


@pytest.mark.parametrize("name, code, practices, population", SOUTHERN_DERBYSHIRE)
def test_southern_derbyshire_localities(loaded, name, code, practices, population):
    locality = Locality.objects.get(ccg__ods_code="04R", name=name)
    assert (locality.code, locality.stated_practice_count, locality.population) == (
        code,
        practices,
        population,
    )
    assert "approx." in locality.population_note
    members = Practice.objects.filter(locality=locality)
    assert members.count() == practices
    assert all(p.is_placeholder and p.ods_code_is_stand_in for p in members)
    sizes = PracticeListSize.objects.filter(practice__locality=locality)
    assert sizes.count() == practices
    assert sizes.aggregate(total=Sum("patients"))["total"] == population
    assert max(s.patients for s in sizes) - min(s.patients for s in sizes) <= 1
    assert {s.source for s in sizes} == {
        "Placeholder: share of the locality population stated in seed 003"
    }
    assert {s.date.isoformat() for s in sizes} == {"2013-04-01"}


def test_southern_derbyshire_totals(loaded):
    practices = Practice.objects.filter(ccg__ods_code="04R")
    assert practices.count() == 57
    total = PracticeListSize.objects.filter(practice__ccg__ods_code="04R").aggregate(
        total=Sum("patients")
    )["total"]
    assert total == 525_000
    assert Locality.objects.filter(ccg__ods_code="04R").count() == 4
    first = practices.get(ods_code="Z94001")
    assert first.name == "Placeholder practice 1 (Derby Advanced Commissioning)"
    assert "gives only the number of practices" in first.source_note


R_AND_B_PRACTICES = [
    ("Barnt Green Surgery", "Barnt Green"),
    ("The Bridge Surgery", "Redditch"),
    ("Catshill Village Surgery", "Catshill"),
    ("Churchfields Surgery", "Bromsgrove"),
    ("Cornhill Surgery", "Rubery"),
    ("Crabbs Cross Medical Centre", "Redditch"),
    ("Crabbs Cross Surgery", "Redditch"),
    ("Davenal House Surgery", "Bromsgrove"),
    ("The Dow Surgery", "Redditch"),
    ("Elgar House Surgery", "Redditch"),
    ("The Glebeland Surgery", "Belbroughton"),
    ("Hillview Medical Centre", "Redditch"),
    ("Hollyoaks Medical Centre", "Wythall"),
    ("Hollywood Medical Practice", "Wythall"),
    ("Maple View Medical Practice", "Redditch"),
    ("New Road Surgery", "Bromsgrove"),
    ("New Road Surgery", "Rubery"),
    ("The Ridgeway Surgery", "Astwood Bank"),
    ("St Johns Surgery", "Bromsgrove"),
    ("St Stephens Surgery", "Redditch"),
    ("Winyates Health Centre", "Redditch"),
    ("Woodrow Medical Centre", "Redditch"),
]


def test_redditch_and_bromsgrove_has_its_22_named_practices(loaded):
    assert len(R_AND_B_PRACTICES) == 22
    practices = Practice.objects.filter(ccg__ods_code="05L").order_by("ods_code")
    assert [(p.name, p.town) for p in practices] == R_AND_B_PRACTICES
    assert [p.ods_code for p in practices] == [f"Z95{n:03d}" for n in range(1, 23)]
    for p in practices:
        assert p.ods_code_is_stand_in and not p.is_placeholder
        assert p.locality is None
        assert "seed 002 p6" in p.source_note and "stand-in" in p.source_note
    assert not PracticeListSize.objects.filter(practice__ccg__ods_code="05L").exists()


def test_rotherham_has_36_flagged_placeholders_without_list_sizes(loaded):
    practices = Practice.objects.filter(ccg__ods_code="03L")
    assert practices.count() == 36
    assert all(p.is_placeholder and p.ods_code_is_stand_in for p in practices)
    assert all(p.name.startswith("Placeholder practice ") for p in practices)
    assert sorted(p.ods_code for p in practices) == [f"Z93{n:03d}" for n in range(1, 37)]
    assert not PracticeListSize.objects.filter(practice__ccg__ods_code="03L").exists()
    assert not Locality.objects.filter(ccg__ods_code="03L").exists()


def test_coventry_and_rugby_has_no_practices_or_localities(loaded):
    assert not Practice.objects.filter(ccg__ods_code="05A").exists()
    assert not Locality.objects.filter(ccg__ods_code="05A").exists()


def test_placeholders_are_only_where_a_seed_gives_a_count(loaded):
    assert Practice.objects.filter(is_placeholder=True).count() == 57 + 36
    assert Practice.objects.count() == 57 + 36 + 22


# --- Providers and partners ------------------------------------------------------------------

PROVIDERS = {
    "RFR": ("The Rotherham NHS Foundation Trust", "acute", {"03L"}),
    "RXE": ("Rotherham Doncaster and South Humber NHS Foundation Trust", "mental-health", {"03L"}),
    "RHQ": ("Sheffield Teaching Hospitals NHS Foundation Trust", "acute", {"03L"}),
    "RCU": ("Sheffield Children's NHS Foundation Trust", "acute", {"03L"}),
    "RX8": ("Yorkshire Ambulance Service NHS Trust", "ambulance", {"03L"}),
    "RP5": ("Doncaster and Bassetlaw Hospitals NHS Foundation Trust", "acute", {"03L"}),
    "RTG": ("Derby Hospitals NHS Foundation Trust", "acute", {"04R"}),
    "RJF": ("Burton Hospitals NHS Foundation Trust", "acute", {"04R"}),
    "RX9": ("East Midlands Ambulance Service NHS Trust", "ambulance", {"04R"}),
    "RYG": ("Coventry and Warwickshire Partnership NHS Trust", "mental-health", {"05A"}),
    "RJC": ("South Warwickshire NHS Foundation Trust", "acute", {"05A"}),
    "RYA": ("West Midlands Ambulance Service NHS Foundation Trust", "ambulance", {"05A"}),
    "RWP": ("Worcestershire Acute Hospitals NHS Trust", "acute", {"05L"}),
    "R1A": ("Worcestershire Health and Care NHS Trust", "community", {"05L"}),
}


def test_every_provider_code_name_kind_and_link(loaded):
    assert set(Provider.objects.values_list("ods_code", flat=True)) == set(PROVIDERS)
    for code, (name, kind, ccgs) in PROVIDERS.items():
        provider = Provider.objects.get(ods_code=code)
        assert (provider.name, provider.kind) == (name, kind)
        assert "public NHS ODS register, not the seeds" in provider.source_note
        assert "The seeds name it:" in provider.source_note
        links = CommissionedProvider.objects.filter(provider=provider)
        assert {link.ccg.ods_code for link in links} == ccgs
        assert all("seed 00" in link.note for link in links)
    assert CommissionedProvider.objects.count() == len(PROVIDERS)


def test_rotherham_contract_values_are_quoted_from_seed_000(loaded):
    def note(code):
        return CommissionedProvider.objects.get(ccg__ods_code="03L", provider__ods_code=code).note

    assert note("RFR").startswith("£160M contract: £130M acute and hospital services, £30M")
    assert "£30M mental health" in note("RXE")
    assert "£20M for acute services" in note("RHQ") and "£20M for acute services" in note("RCU")


PARTNERS = {
    "03L": {
        ("Rotherham Metropolitan Borough Council", "local-authority"),
        ("Rotherham Health and Wellbeing Board", "health-and-wellbeing-board"),
        ("RMBC Select Commission", "scrutiny-committee"),
        ("Improving Lives Select Commission", "scrutiny-committee"),
    },
    "04R": {
        ("Derby City Council", "local-authority"),
        ("Derbyshire County Council", "local-authority"),
        ("Derby City Health and Wellbeing Board", "health-and-wellbeing-board"),
        ("Derbyshire Health and Wellbeing Board", "health-and-wellbeing-board"),
    },
    "05A": {
        ("Coventry City Council", "local-authority"),
        ("Coventry Health and Wellbeing Board", "health-and-wellbeing-board"),
    },
    "05L": {
        ("Worcestershire County Council", "local-authority"),
        ("Worcestershire Health and Wellbeing Board", "health-and-wellbeing-board"),
        ("Redditch Borough Council", "local-authority"),
        ("Bromsgrove District Council", "local-authority"),
        ("Health Overview and Social Care Committee", "scrutiny-committee"),
    },
}


@pytest.mark.parametrize("code", sorted(PARTNERS))
def test_partners(loaded, code):
    partners = PartnerOrganisation.objects.filter(ccg__ods_code=code)
    assert {(p.name, p.kind) for p in partners} == PARTNERS[code]
    assert all("eed 00" in p.note for p in partners)


# --- People and governing bodies -------------------------------------------------------------

R_AND_B_SEATS = [
    ("Dr Jonathan Wells", "Chair and Clinical Lead", "gp", True, True),
    ("Dr Richard Davies", "Assistant Clinical Chair", "gp", False, True),
    ("Dr Rupen Kulkarni", "Governing Body GP", "gp", False, True),
    ("Dr Edward Barrett", "Governing Body GP", "gp", False, True),
    ("Dr Stephen Miskin", "Governing Body GP", "gp", False, True),
    ("Dr David Law", "Governing Body GP", "gp", False, True),
    ("Dr Catherine McGregor", "Governing Body GP", "gp", False, True),
    ("Simon Hairsnape", "Chief Officer", "accountable-officer", False, True),
    ("Tony Hadfield", "Deputy Chair (Lay Member)", "lay-governance", False, True),
    ("Mary Walters", "Chief Finance Officer", "chief-finance-officer", False, True),
    ("Jo Galloway", "Lead Executive Nurse", "registered-nurse", False, True),
    ("Linda Pratt", "Lead Practice Manager", "practice-manager", False, True),
    ("Judy Adams", "PPI Lead (Lay Member)", "lay-ppi", False, True),
    (None, "Hospital Doctor", "secondary-care-doctor", False, True),
    ("Andrea Guest", "Head of Business Development and Operations", "officer", False, False),
    (
        "Karen Hunter",
        "Head of Corporate Affairs (Governing Body Secretary)",
        "officer",
        False,
        False,
    ),
    ("Bethan Flynn", "Executive Support", "officer", False, False),
    ("Margaret Jackson", "West Mercia Cluster Observer", "observer", False, False),
    ("Shaun Pike", "LMC Observer", "observer", False, False),
]


def test_redditch_and_bromsgrove_governing_body_in_seed_order(loaded):
    seats = GoverningBodyMembership.objects.filter(ccg__ods_code="05L").order_by("order")
    assert [
        (s.person.name if s.person else None, s.title, s.category, s.is_chair, s.voting)
        for s in seats
    ] == R_AND_B_SEATS
    assert [s.order for s in seats] == list(range(1, 20))
    wells = seats.get(person__name="Dr Jonathan Wells")
    assert "Community Services" in wells.lead_areas
    assert "does not state voting rights" in wells.note
    assert "Judy Adam" in Person.objects.get(ccg__ods_code="05L", name="Judy Adams").note


def test_redditch_and_bromsgrove_composition_warns_only_of_the_vacant_hospital_doctor(loaded):
    seats = GoverningBodyMembership.objects.filter(ccg__ods_code="05L").current()
    warnings = check_composition(seats)
    assert [w.code for w in warnings] == ["no-secondary-care-doctor"]
    assert "vacant" in warnings[0].message
    vacant = seats.get(person__isnull=True)
    assert vacant.category == SeatCategory.SECONDARY_CARE_DOCTOR and vacant.is_vacant


def test_other_ccgs_hold_only_the_people_their_seeds_name(loaded):
    people = {
        code: set(Person.objects.filter(ccg__ods_code=code).values_list("name", "job_title"))
        for code in ["03L", "04R", "05A"]
    }
    assert people == {
        "03L": {
            ("Dr David Tooth", "Rotherham CCG Chairman"),
            ("Ian Atkinson", "Deputy Chief Officer"),
            ("Lydia George", "Planning and Assurance Manager"),
        },
        "04R": {("Dr Sheila Newport", "CCG Chair")},
        "05A": {
            ("Juliet Hancox", "Chief Operating Officer"),
            ("Clare Hollingworth", "Chief Finance Officer"),
        },
    }
    tooth = GoverningBodyMembership.objects.get(ccg__ods_code="03L")
    assert tooth.person.name == "Dr David Tooth" and tooth.is_chair
    assert tooth.end_date is None and "no end date" in tooth.note
    assert "GP not stated" in tooth.note
    newport = GoverningBodyMembership.objects.get(ccg__ods_code="04R")
    assert newport.person.name == "Dr Sheila Newport" and "GP is not stated" in newport.note
    assert not GoverningBodyMembership.objects.filter(ccg__ods_code="05A").exists()


def test_the_report_shows_the_composition_warnings(loaded):
    assert "05L:\n    - No secondary care specialist doctor (the seat is vacant)." in loaded


# --- Demo users ------------------------------------------------------------------------------

DEMO_USERS = {
    "planner.rotherham": [("03L", Role.PLANNING_MANAGER)],
    "planner.derbyshire": [("04R", Role.PLANNING_MANAGER)],
    "board.rotherham": [("03L", Role.GOVERNING_BODY)],
    "scrutiny.rotherham": [("03L", Role.SCRUTINY)],
    "assurer": [(None, Role.ASSURER)],
    "admin": [],
}


def test_demo_users_log_in_with_the_demo_password_and_hold_their_roles(loaded, client):
    for username, memberships in DEMO_USERS.items():
        assert client.login(username=username, password="demo-password"), username
        client.logout()
        user = User.objects.get(username=username)
        held = [
            (m.ccg.ods_code if m.ccg else None, m.role)
            for m in Membership.objects.filter(user=user)
        ]
        assert held == memberships
        assert user.first_name == "Demo"
        assert user.is_superuser == user.is_staff == (username == "admin")
    assert not client.login(username="planner.rotherham", password="wrong")


def test_the_report_lists_the_logins_and_the_password_source(loaded):
    assert "settings.DEMO_PASSWORD, the default, 'demo-password'" in loaded
    for username in DEMO_USERS:
        assert f"\n  {username} " in loaded


def test_demo_password_setting_is_honoured(db, settings, client):
    settings.DEMO_PASSWORD = "a-different-demo-secret"
    output = run()
    assert client.login(username="board.rotherham", password="a-different-demo-secret")
    assert not client.login(username="board.rotherham", password="demo-password")
    assert "a-different-demo-secret" not in output
    assert "set by the DEMO_PASSWORD environment variable (not shown)" in output


# --- Idempotency -----------------------------------------------------------------------------


def test_second_run_changes_nothing(loaded):
    before = dump()
    output = run()
    assert dump() == before
    assert "Nothing changed." in output
    for line in output.splitlines():
        if "created" in line:
            assert "created 0, updated 0, unchanged" in line, line


def test_first_run_reports_what_it_created(loaded):
    assert "CCG" in loaded and "created 4, updated 0, unchanged 0" in loaded
    assert "Practice                 created 115, updated 0, unchanged 0" in loaded
    assert "Demo data loaded." in loaded


def test_a_drifted_fact_is_put_back_and_counted_as_updated(loaded):
    ccg = CCG.objects.get(ods_code="04R")
    version = ccg.version
    CCG.objects.filter(pk=ccg.pk).update(population=1)
    output = run()
    ccg.refresh_from_db()
    assert ccg.population == 525_000
    assert ccg.version == version + 1
    assert "CCG                      created 0, updated 1, unchanged 3" in output


def test_password_is_reset_only_when_it_differs(loaded):
    user = User.objects.get(username="planner.rotherham")
    user.set_password("changed-by-someone")
    user.save()
    run()
    user.refresh_from_db()
    assert user.check_password("demo-password")
    settled = user.password
    run()
    user.refresh_from_db()
    assert user.password == settled


# --- Production guard ------------------------------------------------------------------------


def test_refuses_under_production_settings(db, settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="IS_PRODUCTION is True.*--force"):
        run()
    assert not CCG.objects.exists()
    assert not User.objects.exists()


def test_runs_under_production_settings_with_force(db, settings):
    settings.IS_PRODUCTION = True
    run("--force")
    assert CCG.objects.count() == 4


# --- The facts file --------------------------------------------------------------------------


def test_every_fact_group_cites_a_seed():
    facts = read_facts()
    groups = [
        *facts["ccgs"],
        *facts["localities"],
        *facts["named_practices"],
        *facts["placeholder_practices"],
        *facts["providers"],
        *facts["partners"],
        *facts["people"],
    ]
    for group in groups:
        assert "seed 00" in group["source"], group


def test_a_list_that_contradicts_its_stated_count_is_refused(db):
    facts = copy.deepcopy(read_facts())
    facts["named_practices"][0]["items"].pop()
    with pytest.raises(FactsError, match="21 practices listed, 22 stated"):
        load_demo(facts)
    assert not CCG.objects.exists()  # one transaction: nothing half-loaded


@pytest.mark.parametrize(
    "total, parts, expected",
    [
        (169_000, 20, [8450] * 20),
        (145_000, 12, [12084] * 4 + [12083] * 8),
        (161_000, 19, [8474] * 13 + [8473] * 6),
        (50_000, 6, [8334] * 2 + [8333] * 4),
        (5, 5, [1] * 5),
    ],
)
def test_spread_splits_a_total_exactly(total, parts, expected):
    assert spread(total, parts) == expected
    assert sum(expected) == total
