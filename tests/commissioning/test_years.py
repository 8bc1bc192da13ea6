import datetime as dt

import pytest

from commissioning.years import FinancialYear, span_label


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2015/16", 2015),
        ("2015-16", 2015),
        ("2015/2016", 2015),
        (" 1999/00 ", 1999),
        ("2099/00", 2099),
        ("2013", 2013),
        (2012, 2012),
    ],
)
def test_parse(text, start):
    assert FinancialYear.parse(text) == FinancialYear(start)


@pytest.mark.parametrize("text", ["2015/17", "2015/15", "15/16", "", "April 2015", "2015/2017"])
def test_parse_rejects_what_is_not_a_financial_year(text):
    with pytest.raises(ValueError, match="financial year"):
        FinancialYear.parse(text)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2015, 4, 1), "2015/16"),
        (dt.date(2016, 3, 31), "2015/16"),
        (dt.date(2016, 4, 1), "2016/17"),
        (dt.date(2000, 1, 15), "1999/00"),
    ],
)
def test_year_containing_a_day(day, label):
    assert FinancialYear.containing(day).label == label
    assert day in FinancialYear.containing(day)


def test_bounds_arithmetic_and_order():
    year = FinancialYear(2015)
    assert (year.start, year.end) == (dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    assert (year + 3).label == "2018/19"
    assert (year - 1).label == "2014/15"
    assert sorted([FinancialYear(2016), year]) == [year, FinancialYear(2016)]
    assert str(year) == "2015/16"


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (2015, 2018, "2015-19"),
        (2013, 2013, "2013/14"),
        (2014, 2015, "2014-16"),
        (1998, 2000, "1998-01"),
    ],
)
def test_span_label_is_how_plans_write_spans(first, last, label):
    assert span_label(FinancialYear(first), FinancialYear(last)) == label


def test_implausible_years_are_refused():
    with pytest.raises(ValueError):
        FinancialYear(15)


def test_the_form_field_cleans_a_label_to_a_financial_year():
    from commissioning.fields import FinancialYearFormField

    field = FinancialYearFormField()
    assert field.clean("2015/16") == FinancialYear(2015)
    assert field.widget_attrs(field.widget)["maxlength"] == "9"
