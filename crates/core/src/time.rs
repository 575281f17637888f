//! Time as our users read it: Beijing time (UTC+8, no daylight saving).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub fn beijing() -> FixedOffset {
    // 8 hours is always a valid offset.
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Milliseconds since the epoch, the form every timestamp is stored in.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn to_beijing(ms: i64) -> DateTime<FixedOffset> {
    beijing()
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| beijing().timestamp_millis_opt(0).unwrap())
}

/// The calendar date in Beijing at the given instant.
pub fn beijing_date(ms: i64) -> NaiveDate {
    to_beijing(ms).date_naive()
}

pub fn today() -> NaiveDate {
    beijing_date(now_ms())
}

/// `2026-11-21 14:05` in Beijing time.
pub fn format_ms(ms: i64) -> String {
    to_beijing(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-11-21T14:05` or `2026-11-21 14:05` read as Beijing time, in epoch milliseconds.
pub fn parse_beijing_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .and_then(|t| t.and_local_timezone(beijing()).single())
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_beijing_datetimes() {
        let ms = parse_beijing_datetime("2026-11-21T14:05").unwrap();
        assert_eq!(format_ms(ms), "2026-11-21 14:05");
        assert_eq!(parse_beijing_datetime("2026-11-21 14:05"), Some(ms));
        assert_eq!(parse_beijing_datetime("21/11/2026"), None);
    }

    #[test]
    fn late_evening_utc_is_next_day_in_beijing() {
        // 2026-11-21T17:00Z is 01:00 on the 22nd in Beijing.
        let ms = Utc
            .with_ymd_and_hms(2026, 11, 21, 17, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            beijing_date(ms),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert_eq!(format_ms(ms), "2026-11-22 01:00");
    }
}
