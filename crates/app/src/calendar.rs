//! Beijing civil dates from instants (UTC+8, no daylight saving).

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
}
