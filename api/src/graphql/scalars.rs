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
