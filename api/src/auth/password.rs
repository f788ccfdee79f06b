//! argon2id hashing, always off the async runtime.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher as _, PasswordVerifier},
};

use crate::{
    config::Argon2Params,
    error::{AppError, AppResult},
};

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// Verified against when the email is unknown, so that answer takes as long as a wrong
    /// password and does not reveal which emails have accounts.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(cost: Argon2Params) -> AppResult<Self> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
            .map_err(AppError::internal)?;
        let dummy_hash = hash_with(&params, "canopy-dummy-password-for-timing")?;
        Ok(Self {
            params,
            dummy_hash: dummy_hash.into(),
        })
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || hash_with(&params, &password))
            .await
            .map_err(AppError::internal)?
    }

    /// Hashes synchronously; for the demo loader and CLI only.
    pub fn hash_blocking(&self, password: &str) -> AppResult<String> {
        hash_with(&self.params, password)
    }

    /// `stored: None` means "no such account": the work is done anyway and the answer is false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        // The parameters travel in the PHC string, so old hashes keep verifying after a change.
        let ok = tokio::task::spawn_blocking(move || {
            Argon2::default()
                .verify_password(password.as_bytes(), stored.as_str())
                .is_ok()
        })
        .await
        .map_err(AppError::internal)?;
        Ok(known && ok)
    }
}

fn hash_with(params: &Params, password: &str) -> AppResult<String> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}
