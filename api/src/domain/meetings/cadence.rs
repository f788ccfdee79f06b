//! Occurrences of a group's cadence: local dates and wall-clock times in the group's IANA zone,
//! turned into UTC instants one by one, so a weekly 18:30 stays 18:30 across DST changes.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use entity::{CadenceFrequency, Weekday};

pub struct Cadence {
    pub frequency: CadenceFrequency,
    pub weekday: Weekday,
    /// MONTHLY: 1–4, or -1 for the last such weekday of the month.
    pub week_of_month: Option<i32>,
    pub local_start: NaiveTime,
    pub tz: Tz,
}

pub fn chrono_weekday(day: Weekday) -> chrono::Weekday {
    match day {
        Weekday::Monday => chrono::Weekday::Mon,
        Weekday::Tuesday => chrono::Weekday::Tue,
        Weekday::Wednesday => chrono::Weekday::Wed,
        Weekday::Thursday => chrono::Weekday::Thu,
        Weekday::Friday => chrono::Weekday::Fri,
        Weekday::Saturday => chrono::Weekday::Sat,
        Weekday::Sunday => chrono::Weekday::Sun,
    }
}

/// The UTC instant of a local wall-clock time. In the autumn's repeated hour the earlier
/// instant is taken; in the spring's skipped hour, the same clock time an hour later.
pub fn to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

fn first_on_or_after(date: NaiveDate, day: chrono::Weekday) -> NaiveDate {
    let ahead =
        (7 + day.num_days_from_monday() as i64 - date.weekday().num_days_from_monday() as i64) % 7;
    date + Duration::days(ahead)
}

fn nth_weekday_of_month(year: i32, month: u32, day: chrono::Weekday, n: i32) -> Option<NaiveDate> {
    if n == -1 {
        let next_month = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }?;
        let last = next_month - Duration::days(1);
        let back = (7 + last.weekday().num_days_from_monday() as i64
            - day.num_days_from_monday() as i64)
            % 7;
        return Some(last - Duration::days(back));
    }
    let first = first_on_or_after(NaiveDate::from_ymd_opt(year, month, 1)?, day);
    let date = first + Duration::weeks(i64::from(n - 1));
    (date.month() == month).then_some(date)
}

/// Local dates of the cadence from `from` through `until`, inclusive. BIWEEKLY cadences keep
/// the fortnight of `anchor` (an earlier meeting day) when there is one.
pub fn dates(
    cadence: &Cadence,
    anchor: Option<NaiveDate>,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<NaiveDate> {
    let day = chrono_weekday(cadence.weekday);
    let mut out = Vec::new();
    match cadence.frequency {
        CadenceFrequency::Weekly | CadenceFrequency::Biweekly => {
            let step = if cadence.frequency == CadenceFrequency::Weekly {
                7
            } else {
                14
            };
            let mut date = first_on_or_after(from, day);
            if let (CadenceFrequency::Biweekly, Some(anchor)) = (cadence.frequency, anchor) {
                let anchor = first_on_or_after(anchor, day);
                if (date - anchor).num_days().rem_euclid(14) != 0 {
                    date += Duration::days(7);
                }
            }
            while date <= until {
                out.push(date);
                date += Duration::days(step);
            }
        }
        CadenceFrequency::Monthly => {
            let n = cadence.week_of_month.unwrap_or(1);
            let (mut year, mut month) = (from.year(), from.month());
            while NaiveDate::from_ymd_opt(year, month, 1).is_some_and(|d| d <= until) {
                if let Some(date) = nth_weekday_of_month(year, month, day, n)
                    && date >= from
                    && date <= until
                {
                    out.push(date);
                }
                (year, month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
            }
        }
        CadenceFrequency::AdHoc => {}
    }
    out
}

/// Start instants (UTC) of the occurrences from `from` through `until`.
pub fn occurrences(
    cadence: &Cadence,
    anchor: Option<NaiveDate>,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<DateTime<Utc>> {
    dates(cadence, anchor, from, until)
        .into_iter()
        .filter_map(|d| to_utc(cadence.tz, d.and_time(cadence.local_start)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cadence(frequency: CadenceFrequency, weekday: Weekday, tz: Tz) -> Cadence {
        Cadence {
            frequency,
            weekday,
            week_of_month: Some(-1),
            local_start: NaiveTime::from_hms_opt(18, 30, 0).unwrap(),
            tz,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_weekly_berlin_meeting_keeps_its_local_time_across_the_october_change() {
        let c = cadence(
            CadenceFrequency::Weekly,
            Weekday::Thursday,
            chrono_tz::Europe::Berlin,
        );
        let starts = occurrences(&c, None, date(2026, 10, 15), date(2026, 11, 5));
        let local: Vec<String> = starts
            .iter()
            .map(|t| {
                t.with_timezone(&chrono_tz::Europe::Berlin)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect();
        assert_eq!(
            local,
            [
                "2026-10-15 18:30",
                "2026-10-22 18:30",
                "2026-10-29 18:30",
                "2026-11-05 18:30"
            ]
        );
        // Summer time is UTC+2, winter time UTC+1: the UTC hour moves, the local one does not.
        assert_eq!(starts[1].format("%H:%M").to_string(), "16:30");
        assert_eq!(starts[2].format("%H:%M").to_string(), "17:30");
    }

    #[test]
    fn biweekly_keeps_its_fortnight_and_monthly_finds_the_last_weekday() {
        let c = cadence(CadenceFrequency::Biweekly, Weekday::Monday, chrono_tz::UTC);
        let d = dates(
            &c,
            Some(date(2026, 11, 2)),
            date(2026, 11, 10),
            date(2026, 12, 31),
        );
        assert_eq!(
            d,
            [
                date(2026, 11, 16),
                date(2026, 11, 30),
                date(2026, 12, 14),
                date(2026, 12, 28)
            ]
        );
        let m = cadence(CadenceFrequency::Monthly, Weekday::Friday, chrono_tz::UTC);
        let d = dates(&m, None, date(2026, 11, 1), date(2027, 1, 31));
        assert_eq!(
            d,
            [date(2026, 11, 27), date(2026, 12, 25), date(2027, 1, 29)]
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_an_hour_later() {
        let tz = chrono_tz::Europe::Berlin;
        let local = date(2027, 3, 28).and_hms_opt(2, 30, 0).unwrap();
        let t = to_utc(tz, local).unwrap();
        assert_eq!(t.with_timezone(&tz).format("%H:%M").to_string(), "03:30");
    }
}
