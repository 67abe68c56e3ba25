//! Working-day calendar of Kazakhstan (P-13). Every deadline in the seeds is counted in
//! working days: review of an application within 2 working days (OV-2), discussion of a
//! passport for at least 10 working days (OB-2), and so on.
//!
//! The rules built in: Saturday and Sunday are days off; the public holidays of the Law
//! "On holidays in the Republic of Kazakhstan" and art. 85 of the Labour Code; when a
//! non-religious holiday falls on a day off, the next working day is a day off. Religious
//! holidays (Orthodox Christmas, Kurban Ait) are not carried over. The Government also moves
//! days by decree each year (a working Saturday for a bridging Monday): those are stored as
//! overrides, edited per year, and win over the rules.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Working,
    Weekend,
    Holiday,
    /// A day off carried over from a holiday that fell on a day off, or moved by decree.
    DayOffMoved,
    /// A Saturday or Sunday made working by decree.
    WorkdayMoved,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::WorkdayMoved)
    }

    pub fn code(self) -> &'static str {
        match self {
            DayKind::Working => "working",
            DayKind::Weekend => "weekend",
            DayKind::Holiday => "holiday",
            DayKind::DayOffMoved => "day_off_moved",
            DayKind::WorkdayMoved => "workday_moved",
        }
    }

    pub fn from_code(code: &str) -> Option<DayKind> {
        [
            DayKind::Working,
            DayKind::Weekend,
            DayKind::Holiday,
            DayKind::DayOffMoved,
            DayKind::WorkdayMoved,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// Fixed-date public holidays (month, day, carried over when on a day off).
const FIXED_HOLIDAYS: &[(u32, u32, bool)] = &[
    (1, 1, true),
    (1, 2, true),
    (1, 7, false), // Orthodox Christmas — religious, not carried over
    (3, 8, true),
    (3, 21, true),
    (3, 22, true),
    (3, 23, true),
    (5, 1, true),
    (5, 7, true),
    (5, 9, true),
    (7, 6, true),
    (8, 30, true),
    (10, 25, true), // Republic Day, a holiday again since 2022
    (12, 16, true),
];

/// First day of Kurban Ait, announced yearly; religious, not carried over. Years not listed
/// are entered by the administrator as overrides.
const KURBAN_AIT: &[(i32, u32, u32)] = &[
    (2023, 6, 28),
    (2024, 6, 16),
    (2025, 6, 6),
    (2026, 5, 27),
    (2027, 5, 16),
];

#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    overrides: BTreeMap<NaiveDate, DayKind>,
}

impl WorkingCalendar {
    pub fn new(overrides: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        WorkingCalendar {
            overrides: overrides.into_iter().collect(),
        }
    }

    /// The kind of a day by the built-in rules only.
    pub fn rule_kind(date: NaiveDate) -> DayKind {
        if is_holiday_by_rule(date) {
            return DayKind::Holiday;
        }
        if is_weekend(date) {
            return DayKind::Weekend;
        }
        if is_carried_over_day_off(date) {
            return DayKind::DayOffMoved;
        }
        DayKind::Working
    }

    pub fn kind(&self, date: NaiveDate) -> DayKind {
        self.overrides
            .get(&date)
            .copied()
            .unwrap_or_else(|| Self::rule_kind(date))
    }

    pub fn is_working(&self, date: NaiveDate) -> bool {
        self.kind(date).is_working()
    }

    /// The deadline `days` working days after `start` (the start day itself not counted):
    /// an application received on Friday with 2 working days is due on Tuesday.
    pub fn add_working_days(&self, start: NaiveDate, days: u32) -> NaiveDate {
        let mut date = start;
        let mut left = days;
        while left > 0 {
            date += Duration::days(1);
            if self.is_working(date) {
                left -= 1;
            }
        }
        date
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut date = from;
        while date < to {
            date += Duration::days(1);
            if self.is_working(date) {
                count += 1;
            }
        }
        count
    }

    /// Every day of the year that is not an ordinary working day, with its kind.
    pub fn days_off_and_exceptions(&self, year: i32) -> Vec<(NaiveDate, DayKind)> {
        let Some(mut date) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while date.year() == year {
            let kind = self.kind(date);
            let unusual = match kind {
                DayKind::Weekend => false,
                DayKind::Working => is_weekend(date),
                _ => true,
            };
            if unusual {
                out.push((date, kind));
            }
            date += Duration::days(1);
        }
        out
    }

    pub fn working_days_in_year(&self, year: i32) -> u32 {
        match NaiveDate::from_ymd_opt(year - 1, 12, 31).zip(NaiveDate::from_ymd_opt(year, 12, 31)) {
            Some((from, to)) => self.working_days_between(from, to),
            None => 0,
        }
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn is_holiday_by_rule(date: NaiveDate) -> bool {
    let fixed = FIXED_HOLIDAYS
        .iter()
        .any(|&(m, d, _)| date.month() == m && date.day() == d);
    let kurban = KURBAN_AIT
        .iter()
        .any(|&(y, m, d)| date.year() == y && date.month() == m && date.day() == d);
    fixed || kurban
}

/// A weekday that becomes a day off because a holiday fell on a Saturday or Sunday: each
/// such holiday, in date order, takes the next weekday that is neither a holiday nor already
/// taken (Nauryz on Saturday and Sunday gives Monday and Tuesday off).
fn is_carried_over_day_off(date: NaiveDate) -> bool {
    carried_over_days(date.year()).contains(&date)
}

fn carried_over_days(year: i32) -> Vec<NaiveDate> {
    let mut taken: Vec<NaiveDate> = Vec::new();
    let holidays_on_days_off = FIXED_HOLIDAYS
        .iter()
        .filter(|&&(_, _, carried)| carried)
        .filter_map(|&(m, d, _)| NaiveDate::from_ymd_opt(year, m, d))
        .filter(|date| is_weekend(*date));
    for holiday in holidays_on_days_off {
        let mut candidate = holiday + Duration::days(1);
        while is_weekend(candidate) || is_holiday_by_rule(candidate) || taken.contains(&candidate) {
            candidate += Duration::days(1);
        }
        taken.push(candidate);
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn fixed_holidays_and_weekends() {
        let cal = WorkingCalendar::default();
        assert_eq!(cal.kind(d(2026, 3, 23)), DayKind::Holiday); // Nauryz, Monday
        assert_eq!(cal.kind(d(2026, 11, 21)), DayKind::Weekend); // Saturday
        assert_eq!(cal.kind(d(2026, 11, 23)), DayKind::Working);
        assert_eq!(cal.kind(d(2026, 5, 27)), DayKind::Holiday); // Kurban Ait 2026
    }

    #[test]
    fn holiday_on_a_weekend_moves_to_next_working_day() {
        let cal = WorkingCalendar::default();
        // 2026-03-08 is a Sunday → Monday 2026-03-09 is a day off.
        assert_eq!(cal.kind(d(2026, 3, 9)), DayKind::DayOffMoved);
        // 2025-03-22 (Sat) and 03-23 (Sun) are Nauryz days → Mon 24 and Tue 25 are days off.
        assert_eq!(cal.kind(d(2025, 3, 24)), DayKind::DayOffMoved);
        assert_eq!(cal.kind(d(2025, 3, 25)), DayKind::DayOffMoved);
        assert_eq!(cal.kind(d(2025, 3, 26)), DayKind::Working);
        // Orthodox Christmas on Sunday 2024-01-07 is not carried over: Monday 8th works.
        assert_eq!(cal.kind(d(2024, 1, 8)), DayKind::Working);
    }

    #[test]
    fn deadlines_in_working_days() {
        let cal = WorkingCalendar::default();
        // Friday 2026-11-20 + 2 working days = Tuesday 2026-11-24.
        assert_eq!(cal.add_working_days(d(2026, 11, 20), 2), d(2026, 11, 24));
        // Across Independence Day (Wed 2026-12-16): Tue 15th + 2 = Fri 18th.
        assert_eq!(cal.add_working_days(d(2026, 12, 15), 2), d(2026, 12, 18));
        assert_eq!(
            cal.working_days_between(d(2026, 11, 20), d(2026, 11, 24)),
            2
        );
    }

    #[test]
    fn overrides_win_over_rules() {
        // A decree makes Saturday 2026-01-03 working and Friday 2026-01-02... here: a bridge day.
        let cal = WorkingCalendar::new([
            (d(2026, 1, 3), DayKind::WorkdayMoved),
            (d(2026, 11, 23), DayKind::DayOffMoved),
        ]);
        assert!(cal.is_working(d(2026, 1, 3)));
        assert!(!cal.is_working(d(2026, 11, 23)));
        assert_eq!(cal.add_working_days(d(2026, 11, 20), 1), d(2026, 11, 24));
    }

    #[test]
    fn a_year_has_about_247_working_days() {
        let cal = WorkingCalendar::default();
        let days = cal.working_days_in_year(2026);
        assert!((240..=252).contains(&days), "{days}");
    }
}
