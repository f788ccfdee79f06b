//! The `Viewer`: who is asking, extracted once per request from the bearer token.

use std::sync::Arc;

use sea_orm::ConnectionTrait;
use tokio::sync::Mutex;
use uuid::Uuid;

pub use crate::domain::access::Access;
use crate::error::{AppError, AppResult};

#[derive(Debug)]
pub struct Viewer {
    pub person_id: Option<Uuid>,
    /// The session the access token was issued in; checked live with the rights.
    session_id: Option<Uuid>,
    /// The client's address, for per-address limits.
    pub client_addr: String,
    /// Loaded on first use; held under the lock while loading so concurrent resolvers wait
    /// for one statement instead of each sending their own.
    access: Mutex<Option<Arc<Access>>>,
}

impl Viewer {
    pub fn anonymous(client_addr: String) -> Self {
        Self {
            person_id: None,
            session_id: None,
            client_addr,
            access: Mutex::new(None),
        }
    }

    /// The viewer behind a verified access token, with their rights loaded in the same
    /// statement that checks the person exists and the session is live. `None` — no such
    /// person, or a session that has ended — is refused like any bad token.
    pub async fn signed_in(
        db: &impl ConnectionTrait,
        person_id: Uuid,
        session_id: Uuid,
        client_addr: String,
    ) -> AppResult<Option<Self>> {
        let Some(access) = Access::load(db, person_id, session_id).await? else {
            return Ok(None);
        };
        Ok(Some(Self {
            person_id: Some(person_id),
            session_id: Some(session_id),
            client_addr,
            access: Mutex::new(Some(Arc::new(access))),
        }))
    }

    pub fn require_person(&self) -> AppResult<Uuid> {
        self.person_id.ok_or_else(AppError::unauthenticated)
    }

    /// Grants and memberships, loaded on first use and reused for the rest of the request.
    pub async fn access(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Access>> {
        let mut cached = self.access.lock().await;
        if let Some(access) = cached.as_ref() {
            return Ok(access.clone());
        }
        let access = match (self.person_id, self.session_id) {
            (Some(person), Some(session)) => Arc::new(
                Access::load(db, person, session)
                    .await?
                    .ok_or_else(|| AppError::Unauthenticated("the session has ended".to_owned()))?,
            ),
            _ => Arc::new(Access::anonymous()),
        };
        *cached = Some(access.clone());
        Ok(access)
    }

    /// After a mutation that changed the viewer's own grants or memberships: the rest of the
    /// request (the payload, later mutations) must see the new rights, not the old ones.
    pub async fn forget_access(&self) {
        *self.access.lock().await = None;
    }
}
