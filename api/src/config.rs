//! Typed settings from `CANOPY_*` environment variables, validated once at start.

use std::{fmt, time::Duration};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Cost parameters for argon2id. Production defaults follow OWASP (19 MiB, 2 passes); tests
/// turn them down through the same variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// Bytes that must never be printed.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub env: Environment,
    pub database_url: String,
    pub database_max_connections: u32,
    /// A pooled connection idle this long is closed (down to one).
    pub database_idle_timeout: Duration,
    pub bind: String,
    pub jwt_secret: Secret,
    /// True when no secret was configured and a random one was made (development only).
    pub jwt_secret_generated: bool,
    /// Key of the keyed hashes that stop a second anonymous answer (feedback receipts). Falls
    /// back to the JWT secret; a separate, stable key survives rotating that secret.
    pub receipt_key: Secret,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub privacy_min_cohort: u32,
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    pub max_fields: usize,
    pub execution_timeout: Duration,
    /// How long a request's loaders wait for sibling fields to add keys before sending a
    /// batch (`docs/data-layer.md`, "Batching").
    pub batch_delay: Duration,
    pub introspection: bool,
    pub auto_migrate: bool,
    pub log_format: LogFormat,
    pub shutdown_timeout: Duration,
    pub argon2: Argon2Params,
    pub login_max_failures: u32,
    /// How long an acceptance of a group's confidentiality pledge lasts.
    pub pledge_validity_months: u32,
    /// How long a buddy pair lasts before it ends by itself.
    pub buddy_pair_days: u32,
    pub trust_proxy_headers: bool,
    /// Where clients reach this service (no trailing slash): the ids of Open Badges are
    /// `<public_url>/credentials/<id>`.
    pub public_url: String,
}

/// One clear line saying which variable is wrong and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://canopy.db?mode=rwc";
const MIN_SECRET_BYTES: usize = 32;

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// For commands that never sign tokens (`migrate`): a missing secret is not an error even
    /// in production; a short one still is.
    pub fn from_env_without_secret() -> Result<Self, ConfigError> {
        Self::read(|key| std::env::var(key).ok(), false)
    }

    /// Reads settings through `lookup`, so tests can pass a map instead of the process env.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::read(lookup, true)
    }

    fn read(
        lookup: impl Fn(&str) -> Option<String>,
        needs_secret: bool,
    ) -> Result<Self, ConfigError> {
        let get = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let env = match get("CANOPY_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "CANOPY_ENV must be `development` or `production`, not `{other}`"
                )));
            }
        };

        let (jwt_secret, jwt_secret_generated) = match get("CANOPY_JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_SECRET_BYTES => (secret.into_bytes(), false),
            Some(secret) => {
                return Err(ConfigError(format!(
                    "CANOPY_JWT_SECRET is {} bytes; it must be at least {MIN_SECRET_BYTES} bytes",
                    secret.len()
                )));
            }
            None if env == Environment::Production && needs_secret => {
                return Err(ConfigError(
                    "CANOPY_JWT_SECRET is required when CANOPY_ENV=production".to_owned(),
                ));
            }
            None => (random_secret()?, true),
        };

        let receipt_key = match get("CANOPY_RECEIPT_KEY") {
            Some(key) if key.len() >= MIN_SECRET_BYTES => key.into_bytes(),
            Some(key) => {
                return Err(ConfigError(format!(
                    "CANOPY_RECEIPT_KEY is {} bytes; it must be at least {MIN_SECRET_BYTES} bytes",
                    key.len()
                )));
            }
            None => jwt_secret.clone(),
        };

        let log_format = match get("CANOPY_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "CANOPY_LOG_FORMAT must be `pretty` or `json`, not `{other}`"
                )));
            }
        };

        let config = Self {
            env,
            database_url: get("CANOPY_DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            database_max_connections: number(
                &get,
                "CANOPY_DATABASE_MAX_CONNECTIONS",
                10,
                1..=1000,
            )?,
            database_idle_timeout: duration(
                &get,
                "CANOPY_DATABASE_IDLE_TIMEOUT",
                crate::db::Pool::IDLE_TIMEOUT.as_secs(),
            )?,
            bind: get("CANOPY_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            jwt_secret: Secret::new(jwt_secret),
            jwt_secret_generated,
            receipt_key: Secret::new(receipt_key),
            jwt_issuer: get("CANOPY_JWT_ISSUER").unwrap_or_else(|| "canopy".to_owned()),
            jwt_audience: get("CANOPY_JWT_AUDIENCE").unwrap_or_else(|| "canopy-api".to_owned()),
            access_token_ttl: duration(&get, "CANOPY_ACCESS_TOKEN_TTL", 15 * 60)?,
            refresh_token_ttl: duration(&get, "CANOPY_REFRESH_TOKEN_TTL", 30 * 24 * 3600)?,
            privacy_min_cohort: number(&get, "CANOPY_PRIVACY_MIN_COHORT", 5, 2..=1000)?,
            max_body_bytes: number(&get, "CANOPY_MAX_BODY_BYTES", 256 * 1024, 1024..=16 << 20)?,
            max_depth: number(&get, "CANOPY_MAX_DEPTH", 12, 2..=64)?,
            max_complexity: number(&get, "CANOPY_MAX_COMPLEXITY", 1000, 10..=1_000_000)?,
            max_aliases: number(&get, "CANOPY_MAX_ALIASES", 30, 0..=1000)?,
            max_directives: number(&get, "CANOPY_MAX_DIRECTIVES", 5, 0..=1000)?,
            max_fields: number(&get, "CANOPY_MAX_FIELDS", 200, 1..=10_000)?,
            execution_timeout: duration(&get, "CANOPY_EXECUTION_TIMEOUT", 10)?,
            batch_delay: Duration::from_micros(number(
                &get,
                "CANOPY_BATCH_DELAY_US",
                100,
                0..=20_000,
            )?),
            introspection: boolean(
                &get,
                "CANOPY_INTROSPECTION",
                env == Environment::Development,
            )?,
            // Production replicas must not race to migrate: there it is a one-shot step.
            auto_migrate: boolean(&get, "CANOPY_AUTO_MIGRATE", env == Environment::Development)?,
            log_format,
            shutdown_timeout: duration(&get, "CANOPY_SHUTDOWN_TIMEOUT", 25)?,
            argon2: Argon2Params {
                memory_kib: number(&get, "CANOPY_ARGON2_MEMORY_KIB", 19 * 1024, 8..=4 << 20)?,
                iterations: number(&get, "CANOPY_ARGON2_ITERATIONS", 2, 1..=100)?,
                parallelism: number(&get, "CANOPY_ARGON2_PARALLELISM", 1, 1..=16)?,
            },
            login_max_failures: number(&get, "CANOPY_LOGIN_MAX_FAILURES", 5, 1..=1000)?,
            pledge_validity_months: number(&get, "CANOPY_PLEDGE_VALIDITY_MONTHS", 12, 1..=60)?,
            buddy_pair_days: number(&get, "CANOPY_BUDDY_PAIR_DAYS", 90, 7..=365)?,
            trust_proxy_headers: boolean(&get, "CANOPY_TRUST_PROXY_HEADERS", false)?,
            public_url: public_url(
                get("CANOPY_PUBLIC_URL"),
                &get("CANOPY_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            )?,
        };
        if config.argon2.memory_kib < 8 * config.argon2.parallelism {
            return Err(ConfigError(
                "CANOPY_ARGON2_MEMORY_KIB must be at least 8 × CANOPY_ARGON2_PARALLELISM"
                    .to_owned(),
            ));
        }
        if config.env == Environment::Production && config.argon2.memory_kib < 19 * 1024 {
            return Err(ConfigError(
                "CANOPY_ARGON2_MEMORY_KIB below 19456 is refused in production".to_owned(),
            ));
        }
        Ok(config)
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// An http(s) origin with an optional path; defaults to `http://<CANOPY_BIND>`.
fn public_url(raw: Option<String>, bind: &str) -> Result<String, ConfigError> {
    let Some(raw) = raw else {
        return Ok(format!("http://{bind}"));
    };
    let url = raw.trim().trim_end_matches('/');
    let valid = (url.starts_with("https://") || url.starts_with("http://"))
        && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty())
        && !url.contains(char::is_whitespace);
    if !valid {
        return Err(ConfigError(
            "CANOPY_PUBLIC_URL must be an http(s) URL, e.g. https://canopy.example.org".to_owned(),
        ));
    }
    Ok(url.to_owned())
}

fn random_secret() -> Result<Vec<u8>, ConfigError> {
    let mut bytes = vec![0u8; 48];
    getrandom::fill(&mut bytes)
        .map_err(|e| ConfigError(format!("cannot generate a JWT secret: {e}")))?;
    Ok(bytes)
}

fn number<T>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let Some(raw) = get(key) else {
        return Ok(default);
    };
    let value: T = raw
        .parse()
        .map_err(|_| ConfigError(format!("{key} must be a number, not `{raw}`")))?;
    if !range.contains(&value) {
        return Err(ConfigError(format!(
            "{key} must be between {} and {}, not {value}",
            range.start(),
            range.end()
        )));
    }
    Ok(value)
}

fn boolean(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(key).as_deref() {
        None => Ok(default),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some("false" | "0" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError(format!(
            "{key} must be true or false, not `{other}`"
        ))),
    }
}

/// Seconds, or a number with a unit: `90s`, `15m`, `12h`, `30d`.
fn duration(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default_secs: u64,
) -> Result<Duration, ConfigError> {
    let Some(raw) = get(key) else {
        return Ok(Duration::from_secs(default_secs));
    };
    let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => raw.split_at(i),
        None => (raw.as_str(), "s"),
    };
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    let value: u64 = digits.parse().unwrap_or(0);
    const MAX_SECS: u64 = 400 * 86_400;
    if factor == 0 || value == 0 || value.saturating_mul(factor) > MAX_SECS {
        return Err(ConfigError(format!(
            "{key} must be a duration from 1 s to 400 d such as 900, 15m, 12h or 30d, not `{raw}`"
        )));
    }
    Ok(Duration::from_secs(value * factor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn a_short_secret_is_refused_with_one_clear_line() {
        let err = config(&[
            ("CANOPY_ENV", "production"),
            ("CANOPY_JWT_SECRET", "0123456789"),
        ])
        .unwrap_err();
        assert_eq!(
            err.0,
            "CANOPY_JWT_SECRET is 10 bytes; it must be at least 32 bytes"
        );
    }

    #[test]
    fn production_requires_a_secret() {
        assert!(config(&[("CANOPY_ENV", "production")]).is_err());
        let dev = config(&[]).unwrap();
        assert!(dev.jwt_secret_generated);
        assert!(dev.introspection);
    }

    #[test]
    fn the_pool_shrinks_after_twenty_idle_seconds_unless_told_otherwise() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_idle_timeout, Duration::from_secs(20));
        let c = config(&[("CANOPY_DATABASE_IDLE_TIMEOUT", "2m")]).unwrap();
        assert_eq!(c.database_idle_timeout, Duration::from_secs(120));
        assert!(config(&[("CANOPY_DATABASE_IDLE_TIMEOUT", "0")]).is_err());
    }

    #[test]
    fn durations_take_units() {
        let c = config(&[("CANOPY_ACCESS_TOKEN_TTL", "10m")]).unwrap();
        assert_eq!(c.access_token_ttl, Duration::from_secs(600));
        assert!(config(&[("CANOPY_ACCESS_TOKEN_TTL", "soon")]).is_err());
    }

    #[test]
    fn the_secret_is_redacted_in_debug_output() {
        let c = config(&[("CANOPY_JWT_SECRET", "a-very-long-secret-that-is-32-bytes!")]).unwrap();
        assert!(!format!("{c:?}").contains("a-very-long-secret"));
    }
}
