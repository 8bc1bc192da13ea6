import datetime as dt

import pytest

from commissioning.years import FinancialYear
from priorities.models import quarter_end, quarter_of


@pytest.mark.parametrize(
    ("quarter", "end"),
    [(1, dt.date(2013, 6, 30)), (2, dt.date(2013, 9, 30)), (3, dt.date(2013, 12, 31)),
     (4, dt.date(2014, 3, 31))],
)  # fmt: skip
def test_quarter_ends(quarter, end):
    assert quarter_end(FinancialYear(2013), quarter) == end
    assert quarter_of(end) == (FinancialYear(2013), quarter)


def test_january_is_in_the_fourth_quarter_of_the_year_before():
    assert quarter_of(dt.date(2014, 1, 15)) == (FinancialYear(2013), 4)


def test_no_fifth_quarter():
    with pytest.raises(ValueError):
        quarter_end(FinancialYear(2013), 5)
