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
    }
}
