"""Working days (工作日) for the 公示 period: China's official holidays and adjusted working days
(调休) from ``chinese-calendar``; for a year the package does not know, weekends plus the days a
program setting lists. A pure core: dates in, dates and the reasons out."""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class PeriodEnd:
    end: date
    working_days: int
    skipped: tuple[str, ...]  # why each non-working day was skipped
    adjusted: tuple[str, ...]  # weekend days that count (调休上班)
    unknown_years: tuple[int, ...]  # years chinese-calendar does not know

    @property
    def explanation(self) -> str:
        """Why the period ends when it does, in one Chinese sentence for the page."""
        parts = [f"自开始之日起按{self.working_days}个工作日计算（开始当日如为工作日计入）"]
        if self.skipped:
            parts.append("跳过：" + "、".join(self.skipped))
        if self.adjusted:
            parts.append("调休上班计入：" + "、".join(self.adjusted))
        if self.unknown_years:
            years = "、".join(f"{y}年" for y in self.unknown_years)
            parts.append(f"{years}法定节假日未收录，按周末及系统设置的补充节假日计算")
        return "；".join(parts) + "。"


def _label(day: date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def is_working_day(
    day: date, extra_holidays=frozenset(), extra_workdays=frozenset()
) -> tuple[bool, str, bool]:
    """(working?, the reason when not / the holiday's name, whether the year is unknown)."""
    if day in extra_holidays:
        return False, "补充节假日", False
    if day in extra_workdays:
        return True, "补充工作日", False
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        weekend = day.weekday() >= 5
        return not weekend, "周末" if weekend else "", True
    if holiday:
        return False, _holiday_name(name) if name else "周末", False
    return True, "调休上班" if day.weekday() >= 5 else "", False


def _holiday_name(name) -> str:
    return _CN.get(str(name), "法定节假日")


_CN = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def period_end(start: date, working_days: int, extra_holidays=(), extra_workdays=()) -> PeriodEnd:
    """The last day of a period of ``working_days`` working days starting on ``start``."""
    if working_days < 1:
        raise ValueError("working_days must be positive")
    holidays, workdays = frozenset(extra_holidays), frozenset(extra_workdays)
    day, counted = start, 0
    skipped, adjusted, unknown = [], [], set()
    while True:
        working, why, unknown_year = is_working_day(day, holidays, workdays)
        if unknown_year:
            unknown.add(day.year)
        if working:
            counted += 1
            if why == "调休上班":
                adjusted.append(_label(day))
            if counted == working_days:
                return PeriodEnd(day, working_days, tuple(skipped), tuple(adjusted),
                                 tuple(sorted(unknown)))  # fmt: skip
        else:
            skipped.append(f"{_label(day)}{why}")
        day += timedelta(days=1)
