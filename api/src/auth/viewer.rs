//! The `Viewer`: who is asking, extracted once per request from the bearer token. What they
//! may do is `domain::access::Rights`, kept beside it in the request's data.

use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Debug)]
pub struct Viewer {
    pub person_id: Option<Uuid>,
    /// The client's address, for per-address limits.
    pub client_addr: String,
}

impl Viewer {
    pub fn anonymous(client_addr: String) -> Self {
        Self {
            person_id: None,
            client_addr,
        }
    }

    /// The person a verified access token names (whose session the caller has checked).
    pub fn signed_in(person_id: Uuid, client_addr: String) -> Self {
        Self {
            person_id: Some(person_id),
            client_addr,
        }
    }

    pub fn require_person(&self) -> AppResult<Uuid> {
        self.person_id.ok_or_else(AppError::unauthenticated)
    }
}
