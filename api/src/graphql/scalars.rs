//! Custom scalars. They accept any string at the GraphQL layer and are validated by the
//! domain parsers in `domain::values`, so a bad value answers BAD_USER_INPUT with the exact
//! input field instead of a generic coercion error.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

macro_rules! string_scalar {
    ($(#[$doc:meta])* $rust:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $rust(pub String);

        #[Scalar(name = $name)]
        impl ScalarType for $rust {
            fn parse(value: Value) -> InputValueResult<Self> {
                match value {
                    Value::String(s) => Ok(Self(s)),
                    other => Err(InputValueError::expected_type(other)),
                }
            }

            fn to_value(&self) -> Value {
                Value::String(self.0.clone())
            }
        }
    };
}

string_scalar!(
    /// An IANA time zone name, e.g. `Europe/Berlin`.
    TimeZone,
    "TimeZone"
);
string_scalar!(
    /// A wall-clock time, `HH:MM` (24-hour).
    LocalTime,
    "LocalTime"
);
string_scalar!(
    /// An absolute http(s) URL.
    Url,
    "Url"
);

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Self)
                .map_err(|_| InputValueError::custom("a date is written YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A stress rating, 1 (calm) to 5 (very stressed). Checked by the service, so a value out of
/// range answers BAD_USER_INPUT naming the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StressRating(pub i32);

#[Scalar(name = "StressRating")]
impl ScalarType for StressRating {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map(Self)
                .ok_or_else(|| InputValueError::custom("a stress rating is a whole number")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}
