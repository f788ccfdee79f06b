//! Input values parsed once at the edge into types that are valid by construction.
//! Each parser names the input field it reads, so errors carry `extensions.field`.

use std::str::FromStr;

use chrono::NaiveTime;

use crate::error::{AppError, AppResult};

/// Lower-case letters, digits and single hyphens; 3–64 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let s = raw.trim();
        let valid_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(3..=Self::MAX_CHARS).contains(&s.len())
            || !valid_chars
            || s.starts_with('-')
            || s.ends_with('-')
            || s.contains("--")
        {
            return Err(AppError::bad_input(
                field,
                "a slug is 3–64 lower-case letters, digits and single hyphens, e.g. `carers-north`",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Trimmed and lower-cased, so one address is one account however it is typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let s = raw.trim().to_lowercase();
        let bad = || AppError::bad_input(field, "enter an email address such as name@example.org");
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && c != '@');
        if s.len() > 254 || !domain_ok || !local_ok {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// At least 10 characters; no upper rule beyond a sane cap. Never logged.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(AppError::bad_input(
                field,
                format!("a password needs at least {} characters", Self::MIN_CHARS),
            ));
        }
        if n > 256 {
            return Err(AppError::bad_input(
                field,
                "a password may have at most 256 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An IANA time zone name such as `Europe/Berlin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeZone(String);

impl TimeZone {
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| {
                AppError::bad_input(
                    field,
                    format!("`{raw}` is not an IANA time zone such as Europe/London"),
                )
            })
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The key lists are ordered by: the name lower-cased (Unicode-aware, done here rather than
/// by the database so SQLite and PostgreSQL agree).
pub fn sort_key(name: &str) -> String {
    name.to_lowercase().chars().take(200).collect()
}

/// The longest text the group directory matches names and purposes against: a search box's
/// worth. Longer patterns only cost (SQLite refuses LIKE patterns over 50,000 bytes).
pub const MAX_FILTER_TEXT_CHARS: usize = 200;

/// "HH:MM", 24-hour.
pub fn local_time(field: &str, raw: &str) -> AppResult<String> {
    let t = raw.trim();
    if t.len() == 5 && NaiveTime::parse_from_str(t, "%H:%M").is_ok() {
        Ok(t.to_owned())
    } else {
        Err(AppError::bad_input(
            field,
            "a local time is written HH:MM, e.g. 18:30",
        ))
    }
}

/// An http(s) URL, at most 2,048 characters.
pub fn web_url(field: &str, raw: &str) -> AppResult<String> {
    let t = raw.trim();
    match url::Url::parse(t) {
        Ok(u)
            if matches!(u.scheme(), "https" | "http") && u.host().is_some() && t.len() <= 2048 =>
        {
            Ok(u.to_string())
        }
        _ => Err(AppError::bad_input(
            field,
            "enter a full http(s) address, e.g. https://meet.example.org/room",
        )),
    }
}

/// Required text: trimmed, not empty, at most `max` characters, no control characters other
/// than line breaks.
pub fn text(field: &str, raw: &str, max: usize) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(AppError::bad_input(field, "this cannot be empty"));
    }
    if t.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("at most {max} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::bad_input(
            field,
            "control characters are not allowed",
        ));
    }
    Ok(t.to_owned())
}

/// Optional text: blank becomes None.
pub fn optional_text(field: &str, raw: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => text(field, t, max).map(Some),
    }
}

/// A BCP 47 language tag, loosely: letters, digits and hyphens, 2–35 characters.
pub fn locale(field: &str, raw: &str) -> AppResult<String> {
    let t = raw.trim();
    let ok = (2..=35).contains(&t.len())
        && t.split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(t.to_owned())
    } else {
        Err(AppError::bad_input(
            field,
            "a locale is a language tag such as en or de-CH",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("slug", "carers-north").is_ok());
        for bad in ["ab", "Carers", "a--b", "-ab", "ab-", "a b c", "ümlaut"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("email", "  Ana@Example.ORG ")
                .unwrap()
                .as_str(),
            "ana@example.org"
        );
        for bad in ["ana", "ana@", "@x.org", "ana@x", "a b@x.org", "ana@x..org"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_and_times() {
        assert!(TimeZone::parse("tz", "Europe/Berlin").is_ok());
        assert!(TimeZone::parse("tz", "Mars/Olympus").is_err());
        assert!(local_time("t", "18:30").is_ok());
        assert!(local_time("t", "25:00").is_err());
        assert!(local_time("t", "6:30").is_err());
    }
}
