//! The book's time zone (book.toml's `time-zone`): what dates with no offset are read in.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone};

/// The time zone that dates without an offset are read in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset"))
    }
}

impl Zone {
    /// `UTC`, `+08:00`, `-0530` or an IANA name such as `Asia/Shanghai`.
    pub(crate) fn parse(s: &str) -> Result<Zone, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("utc") || s == "Z" {
            return Ok(Zone::default());
        }
        if let Some(offset) = parse_offset(s) {
            return Ok(Zone::Fixed(offset));
        }
        s.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone `{s}`"))
    }

    /// The instant a wall-clock time in this zone names: the earlier one in an overlap (clocks
    /// set back); in a gap (clocks set forward, by an hour or, as Apia in 2011, a whole day)
    /// the time read with the offset before the jump, as far past the gap's end as it was past
    /// its start.
    pub(crate) fn resolve(&self, naive: NaiveDateTime) -> DateTime<FixedOffset> {
        match self {
            Zone::Fixed(offset) => offset.from_utc_datetime(&(naive - *offset)),
            Zone::Named(tz) => match tz.from_local_datetime(&naive).earliest() {
                Some(local) => local.fixed_offset(),
                None => {
                    // No gap lasts two days: the offset then is the one before the jump.
                    let before = tz.offset_from_utc_datetime(&(naive - chrono::Duration::days(2))).fix();
                    tz.from_utc_datetime(&(naive - before)).fixed_offset()
                }
            },
        }
    }
}

/// `+08:00`, `+0800`, `+08`, `-05:30`.
pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = s[1..].replace(':', "");
    let (h, m) = match rest.len() {
        2 => (two_digits(&rest)?, 0),
        4 => (two_digits(&rest[..2])?, two_digits(&rest[2..])?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h as i32 * 3600 + m as i32 * 60))
}

fn two_digits(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}
