"""Working days on the Chinese calendar: holidays and make-up workdays (调休)."""

from datetime import date

from shared.workdays import WorkCalendar

cal = WorkCalendar()


def test_national_day_week_is_not_working_and_make_up_saturday_is():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up workdays.
    assert not cal.is_workday(date(2025, 10, 1))
    assert not cal.is_workday(date(2025, 10, 8))
    assert cal.is_workday(date(2025, 9, 28))
    assert cal.is_workday(date(2025, 10, 11))


def test_five_working_days_across_the_national_day_holiday():
    # From Friday 26 Sept 2025: 28 (Sun, make-up), 29, 30 Sept, then 9, 10 Oct.
    assert cal.add_workdays(date(2025, 9, 26), 5) == date(2025, 10, 10)
    assert cal.workdays_between(date(2025, 9, 26), date(2025, 10, 10)) == 5
    assert cal.subtract_workdays(date(2025, 10, 10), 5) == date(2025, 9, 26)


def test_unknown_year_falls_back_to_weekends_and_operator_overrides():
    far = WorkCalendar(extra_holidays=[date(2099, 1, 1)], extra_workdays=[date(2099, 1, 3)])
    assert not far.is_workday(date(2099, 1, 1))  # Thursday, declared a holiday
    assert far.is_workday(date(2099, 1, 2))  # Friday
    assert far.is_workday(date(2099, 1, 3))  # Saturday, declared a make-up workday
    assert not far.is_workday(date(2099, 1, 4))  # Sunday
    parsed = WorkCalendar.from_strings("2099-01-01, 2099-01-02", "2099-01-03")
    assert parsed.extra_holidays == {date(2099, 1, 1), date(2099, 1, 2)}
    assert parsed.extra_workdays == {date(2099, 1, 3)}


def test_a_services_calendar_overrides_come_from_its_own_environment_variables(monkeypatch):
    from pydantic_settings import SettingsConfigDict

    from shared.service import ServiceSettings
    from shared.workdays import CalendarSettings

    class Settings(ServiceSettings, CalendarSettings):
        model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore")

    assert Settings().calendar().extra_holidays == frozenset()
    monkeypatch.setenv("PROBE_EXTRA_HOLIDAYS", "2099-01-01, 2099-01-02")
    monkeypatch.setenv("PROBE_EXTRA_WORKDAYS", "2099-01-03")
    calendar = Settings().calendar()
    assert calendar.extra_holidays == {date(2099, 1, 1), date(2099, 1, 2)}
    assert not calendar.is_workday(date(2099, 1, 2)) and calendar.is_workday(date(2099, 1, 3))
