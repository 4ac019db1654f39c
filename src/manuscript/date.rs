//! Dates as blogs write them, read in the book's time zone when they have no offset.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};

pub(crate) use crate::zone::Zone;
use crate::zone::parse_offset;

/// Reads `2025-09-26 09:21:44`, `2018-7-24 23:31:06`, `2016-10-13 8:09:35`, `2019-01-11 22:13`,
/// `2024-01-20`, `2019-12-01T21:57:40+08:00` and the like. An explicit offset is honoured;
/// otherwise the time is wall-clock time in `zone`.
pub(crate) fn parse_date(s: &str, zone: &Zone) -> Result<DateTime<FixedOffset>, String> {
    let s = s.trim();
    let bad = || {
        format!("`{s}` is not a date wenji understands")
    };
    let (date_part, rest) = split_at_time(s);
    let date = parse_ymd(date_part).ok_or_else(bad)?;
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    let (time, offset) = if rest.is_empty() {
        (NaiveTime::MIN, None)
    } else {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')).unwrap_or(rest.len());
        let time = parse_hms(&rest[..end]).ok_or_else(bad)?;
        let zone_text = rest[end..].trim();
        let offset = if zone_text.is_empty() {
            None
        } else if zone_text.eq_ignore_ascii_case("z") || zone_text.eq_ignore_ascii_case("utc") {
            Some(FixedOffset::east_opt(0).expect("zero offset"))
        } else {
            Some(parse_offset(zone_text).ok_or_else(bad)?)
        };
        (time, offset)
    };
    let naive = date.and_time(time);
    Ok(match offset {
        Some(offset) => offset
            .from_local_datetime(&naive)
            .single()
            .ok_or_else(bad)?,
        None => zone.resolve(naive),
    })
}

/// A date at the start of a file name: `2017-09-11-url-search-params.md`.
pub(crate) fn date_in_file_name(stem: &str) -> Option<NaiveDate> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut parts = stem.splitn(4, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let d = &d[..d.find(|c: char| !c.is_ascii_digit()).unwrap_or(d.len())];
    if y.len() != 4 || !digits(y) || !digits(m) || m.len() > 2 || !digits(d) || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn split_at_time(s: &str) -> (&str, &str) {
    match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let mut parts = s.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let all_digits = [y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !all_digits {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn parse_hms(s: &str) -> Option<NaiveTime> {
    let mut parts = s.split(':');
    let h: u32 = num(parts.next()?, 2)?;
    let m: u32 = num(parts.next()?, 2)?;
    let (sec, nano) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let nano = if frac.is_empty() {
                0
            } else {
                let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
                num(&digits, 9)?
            };
            (num(whole, 2)?, nano)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_nano_opt(h, m, sec, nano)
}

fn num(s: &str, max_len: usize) -> Option<u32> {
    (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> String {
        parse_date(s, &Zone::default()).unwrap().to_rfc3339()
    }

    #[test]
    fn every_form_in_inputs_md() {
        assert_eq!(utc("2025-09-26 09:21:44"), "2025-09-26T09:21:44+00:00");
        assert_eq!(utc("2018-7-24 23:31:06"), "2018-07-24T23:31:06+00:00");
        assert_eq!(utc("2016-10-13 8:09:35"), "2016-10-13T08:09:35+00:00");
        assert_eq!(utc("2019-01-11 22:13"), "2019-01-11T22:13:00+00:00");
        assert_eq!(utc("2024-01-20"), "2024-01-20T00:00:00+00:00");
        assert_eq!(utc("2019-12-01T21:57:40+08:00"), "2019-12-01T21:57:40+08:00");
        assert_eq!(utc("  2024-01-20  "), "2024-01-20T00:00:00+00:00");
    }

    #[test]
    fn other_common_forms() {
        assert_eq!(utc("2019-12-01T13:57:40Z"), "2019-12-01T13:57:40+00:00");
        assert_eq!(utc("2019-12-01 21:57:40 +0800"), "2019-12-01T21:57:40+08:00");
        assert_eq!(utc("2019/12/01 21:57"), "2019-12-01T21:57:00+00:00");
        assert_eq!(utc("2019-12-01T21:57:40.5+08:00"), "2019-12-01T21:57:40.500+08:00");
    }

    #[test]
    fn explicit_offset_is_applied_once() {
        // Hexo 4 shifted such dates twice; the instant must be 13:57:40 UTC.
        let d = parse_date("2019-12-01T21:57:40+08:00", &Zone::parse("Asia/Tokyo").unwrap()).unwrap();
        assert_eq!(d.naive_utc().to_string(), "2019-12-01 13:57:40");
    }

    #[test]
    fn naive_dates_use_the_book_zone() {
        let shanghai = Zone::parse("Asia/Shanghai").unwrap();
        let d = parse_date("2025-09-26 09:21:44", &shanghai).unwrap();
        assert_eq!(d.to_rfc3339(), "2025-09-26T09:21:44+08:00");
        let fixed = Zone::parse("-05:30").unwrap();
        assert_eq!(parse_date("2024-01-20", &fixed).unwrap().to_rfc3339(), "2024-01-20T00:00:00-05:30");
    }

    #[test]
    fn dst_gap_and_overlap_resolve() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 02:30 does not exist on 2024-03-10 in New York.
        assert_eq!(parse_date("2024-03-10 02:30", &ny).unwrap().to_rfc3339(), "2024-03-10T03:30:00-04:00");
        // 01:30 happens twice on 2024-11-03: the earlier one.
        assert_eq!(parse_date("2024-11-03 01:30", &ny).unwrap().to_rfc3339(), "2024-11-03T01:30:00-04:00");
        // A whole day skipped: Apia went from UTC−10 to UTC+14 after 2011-12-29, Kiritimati
        // from −10 to +14 after 1994-12-30. The day that never was lands on the next.
        let apia = Zone::parse("Pacific/Apia").unwrap();
        assert_eq!(parse_date("2011-12-30", &apia).unwrap().to_rfc3339(), "2011-12-31T00:00:00+14:00");
        assert_eq!(parse_date("2011-12-30 18:45", &apia).unwrap().to_rfc3339(), "2011-12-31T18:45:00+14:00");
        let kiritimati = Zone::parse("Pacific/Kiritimati").unwrap();
        assert_eq!(parse_date("1994-12-31 09:00", &kiritimati).unwrap().to_rfc3339(), "1995-01-01T09:00:00+14:00");
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for s in ["", "yesterday", "2024-13-01", "2024-02-30", "24-01-01", "2024-01-01 25:00", "2024-01-01 10:00 +99:00", "2024-01-01x"] {
            assert!(parse_date(s, &Zone::default()).is_err(), "{s} should fail");
        }
    }

    #[test]
    fn unknown_zone_is_an_error() {
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::default());
    }

    #[test]
    fn file_name_dates() {
        assert_eq!(date_in_file_name("2017-09-11-url-search-params"), NaiveDate::from_ymd_opt(2017, 9, 11));
        assert_eq!(date_in_file_name("2017-9-1"), NaiveDate::from_ymd_opt(2017, 9, 1));
        assert_eq!(date_in_file_name("hello-world"), None);
        assert_eq!(date_in_file_name("2017-02-30-x"), None);
    }
}
