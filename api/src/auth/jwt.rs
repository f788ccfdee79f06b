//! Access tokens: HS256 JWTs with every registered claim checked.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    config::Config,
    error::{AppError, AppResult},
};

/// Distinguishes access tokens from any other token signed with the same key.
pub const ACCESS_TYP: &str = "access";
const LEEWAY_SECS: u64 = 10;

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
    pub typ: String,
    /// The session (refresh-token family) the token was issued in: ending the session ends
    /// its access tokens at once, not when they expire.
    pub sid: Uuid,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl JwtKeys {
    pub fn new(config: &Config) -> AppResult<Self> {
        let secret = config.jwt_secret.expose();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[config.jwt_issuer.as_str()]);
        validation.set_audience(&[config.jwt_audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: chrono::Duration::from_std(config.access_token_ttl).map_err(AppError::internal)?,
        })
    }

    pub fn issue(&self, person_id: Uuid, session_id: Uuid) -> AppResult<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let expires = now + self.ttl;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: person_id,
            exp: expires.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::now_v7(),
            typ: ACCESS_TYP.to_owned(),
            sid: session_id,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, expires))
    }

    /// Any failure is the same to the client: the token is not acceptable.
    pub fn verify(&self, token: &str) -> AppResult<AccessClaims> {
        let data =
            decode::<AccessClaims>(token, &self.decoding, &self.validation).map_err(|e| {
                tracing::debug!(error = %e, "rejected access token");
                AppError::Unauthenticated("the access token is invalid or expired".to_owned())
            })?;
        if data.claims.typ != ACCESS_TYP {
            return Err(AppError::Unauthenticated("not an access token".to_owned()));
        }
        Ok(data.claims)
    }
}
