//! Beijing civil dates from instants (UTC+8, no daylight saving), and working days on the
//! calendar of public holidays and make-up working days (调休) kept as data.

use std::collections::HashMap;

/// Milliseconds Beijing time is ahead of UTC.
const OFFSET_MS: i64 = 8 * 3_600_000;

/// The Beijing date of an instant as (year, month, day).
pub fn beijing_date(now_ms: i64) -> (i64, u32, u32) {
    let days = (now_ms + OFFSET_MS).div_euclid(86_400_000);
    civil_from_days(days)
}

/// The Beijing date as YYYYMMDD.
pub fn beijing_yyyymmdd(now_ms: i64) -> u32 {
    let (y, m, d) = beijing_date(now_ms);
    (y.clamp(0, 9_999) as u32) * 10_000 + m * 100 + d
}

/// Parses `YYYY-MM-DD` as noon of that day in Beijing (a date without a time of day).
pub fn beijing_noon_ms(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let days = days_from_civil(y, m, d)?;
    Some(days * 86_400_000 + 12 * 3_600_000 - OFFSET_MS)
}

/// The Beijing day number (days since 1970-01-01) of an instant.
pub fn beijing_day(ms: i64) -> i64 {
    (ms + OFFSET_MS).div_euclid(86_400_000)
}

/// The instant Beijing day `day` begins (00:00).
pub fn beijing_day_start_ms(day: i64) -> i64 {
    day * 86_400_000 - OFFSET_MS
}

/// YYYYMMDD of a day number.
pub fn yyyymmdd_of_day(day: i64) -> u32 {
    let (y, m, d) = civil_from_days(day);
    (y.clamp(0, 9_999) as u32) * 10_000 + m * 100 + d
}

/// The day number of YYYYMMDD, when it is a real date.
pub fn day_of_yyyymmdd(v: i64) -> Option<i64> {
    days_from_civil(v / 10_000, (v / 100 % 100) as u32, (v % 100) as u32)
}

/// The start (00:00 Beijing) of a day typed as YYYY-MM-DD or YYYYMMDD: when rule data takes
/// effect.
pub fn start_of_beijing_day(s: &str) -> Option<i64> {
    let day = parse_yyyymmdd(s)?;
    let iso = format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100);
    Some(beijing_noon_ms(&iso)? - 12 * 3_600_000)
}

/// Parses `YYYY-MM-DD` (or `YYYYMMDD`) as YYYYMMDD, when it is a real date.
pub fn parse_yyyymmdd(s: &str) -> Option<i64> {
    let digits: String = s.trim().chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    day_of_yyyymmdd(v).map(|_| v)
}

/// Parses `YYYY-MM-DDTHH:MM` (or with a space) as an instant in Beijing time.
pub fn parse_beijing_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00"));
    let (h, m) = time.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(beijing_noon_ms(date)? + (h - 12) * 3_600_000 + m * 60_000)
}

/// An instant as Beijing `YYYY-MM-DD HH:MM`.
pub fn beijing_datetime_text(ms: i64) -> String {
    let (y, m, d) = beijing_date(ms);
    let minutes = (ms + OFFSET_MS).rem_euclid(86_400_000) / 60_000;
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// Working days: Monday to Friday, except the holidays and plus the make-up working days
/// of the calendar data.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    overrides: HashMap<u32, bool>,
}

impl WorkCalendar {
    /// A calendar from (YYYYMMDD, is a working day) entries.
    pub fn new(entries: impl IntoIterator<Item = (u32, bool)>) -> Self {
        Self { overrides: entries.into_iter().collect() }
    }

    /// True when Beijing day `day` is a working day.
    pub fn is_workday(&self, day: i64) -> bool {
        match self.overrides.get(&yyyymmdd_of_day(day)) {
            Some(w) => *w,
            // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
            None => (day + 3).rem_euclid(7) < 5,
        }
    }

    /// The end (midnight) of the `n`-th working day after the day of `start_ms`; a step
    /// begun on any day has all of its `n` following working days.
    pub fn add_working_days(&self, start_ms: i64, n: i64) -> i64 {
        let mut day = beijing_day(start_ms);
        let mut left = n.max(0);
        // A year holds far more than enough working days; the bound only guards bad data.
        let mut guard = 0;
        while left > 0 && guard < 3_660 {
            day += 1;
            guard += 1;
            if self.is_workday(day) {
                left -= 1;
            }
        }
        beijing_day_start_ms(day + 1)
    }
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_midnight_is_utc_sixteen() {
        assert_eq!(beijing_date(0), (1970, 1, 1));
        // 2026-11-29 15:59:59 UTC is 23:59:59 in Beijing; one second later it is the 30th.
        let t = 1_795_967_999_000;
        assert_eq!(beijing_yyyymmdd(t), 20_261_129);
        assert_eq!(beijing_yyyymmdd(t + 1_000), 20_261_130);
        assert_eq!(beijing_date(951_782_400_000), (2000, 2, 29));
        let noon = beijing_noon_ms("2026-11-29").unwrap();
        assert_eq!(beijing_date(noon), (2026, 11, 29));
        assert_eq!(noon % 86_400_000, 4 * 3_600_000, "12:00 in Beijing is 04:00 UTC");
        assert!(beijing_noon_ms("2026-02-30").is_none());
        assert!(beijing_noon_ms("nonsense").is_none());
    }

    fn at(date: &str, hour: i64) -> i64 {
        beijing_noon_ms(date).unwrap() + (hour - 12) * 3_600_000
    }

    #[test]
    fn working_days_skip_holidays_and_count_make_up_saturdays() {
        // 2026 National Day: 1–7 October off, Saturday 10 October a working day (调休).
        let mut entries: Vec<(u32, bool)> = (20_261_001..=20_261_007).map(|d| (d, false)).collect();
        entries.push((20_261_010, true));
        let cal = WorkCalendar::new(entries);
        let sat = day_of_yyyymmdd(20_261_010).unwrap();
        assert!(cal.is_workday(sat) && !cal.is_workday(sat + 1), "the 调休 Saturday works, Sunday does not");
        assert!(!cal.is_workday(day_of_yyyymmdd(20_261_005).unwrap()), "a holiday Monday is off");
        // Sent on Wednesday 30 September: the 8th (Thu), the 9th (Fri) and the 10th (Sat).
        let due = cal.add_working_days(at("2026-09-30", 10), 3);
        assert_eq!(due, at("2026-10-11", 0), "due at the end of the make-up Saturday");
        // Without the calendar data the same three days end on Monday 5 October.
        assert_eq!(WorkCalendar::default().add_working_days(at("2026-09-30", 10), 3), at("2026-10-06", 0));
        // Zero working days: the end of the same day.
        assert_eq!(cal.add_working_days(at("2026-11-30", 9), 0), at("2026-12-01", 0));
        assert_eq!(parse_yyyymmdd("2026-10-10"), Some(20_261_010));
        assert_eq!(parse_yyyymmdd("2026-02-30"), None);
        assert_eq!(parse_beijing_datetime("2026-10-11T00:00"), Some(at("2026-10-11", 0)));
        assert_eq!(parse_beijing_datetime("2026-10-11 09:30"), Some(at("2026-10-11", 9) + 30 * 60_000));
        assert_eq!(parse_beijing_datetime("2026-10-11T25:00"), None);
    }
}
