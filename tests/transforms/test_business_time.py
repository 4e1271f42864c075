from datetime import UTC, date, datetime

from transforms.schema import as_of_end, business_today


def test_a_night_is_fixed_at_the_end_of_its_business_day_in_the_business_zone():
    assert as_of_end(date(2026, 11, 25), "Asia/Shanghai") == datetime(2026, 11, 25, 16, tzinfo=UTC)
    assert as_of_end(date(2026, 11, 25), "UTC") == datetime(2026, 11, 26, tzinfo=UTC)


def test_the_default_business_date_is_today_in_the_business_zone_not_in_utc():
    half_past_midnight_in_shanghai = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    assert business_today("Asia/Shanghai", half_past_midnight_in_shanghai) == date(2026, 11, 26)
    assert business_today("UTC", half_past_midnight_in_shanghai) == date(2026, 11, 25)
