//! The `Viewer`: who is asking, extracted once per request from the bearer token.

use std::sync::Arc;

use sea_orm::ConnectionTrait;
use tokio::sync::OnceCell;
use uuid::Uuid;

pub use crate::domain::access::Access;
use crate::error::{AppError, AppResult};

#[derive(Debug)]
pub struct Viewer {
    pub person_id: Option<Uuid>,
    /// The client's address, for per-address limits.
    pub client_addr: String,
    access: OnceCell<Arc<Access>>,
}

impl Viewer {
    pub fn anonymous(client_addr: String) -> Self {
        Self {
            person_id: None,
            client_addr,
            access: OnceCell::new(),
        }
    }

    pub fn signed_in(person_id: Uuid, client_addr: String) -> Self {
        Self {
            person_id: Some(person_id),
            client_addr,
            access: OnceCell::new(),
        }
    }

    pub fn require_person(&self) -> AppResult<Uuid> {
        self.person_id.ok_or_else(AppError::unauthenticated)
    }

    /// Grants and memberships, loaded on first use and reused for the rest of the request.
    pub async fn access(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Access>> {
        self.access
            .get_or_try_init(|| async {
                match self.person_id {
                    None => Ok(Arc::new(Access::anonymous())),
                    Some(id) => Access::load(db, id).await.map(Arc::new),
                }
            })
            .await
            .cloned()
    }
}
