//! Per-request values resolvers read from the GraphQL context.

use std::sync::Arc;

use crate::db::Db;
use async_graphql::Context;

use super::{Services, loaders::Loaders};
use crate::{
    auth::Viewer,
    domain::access::{Access, Rights},
    error::{AppError, AppResult},
};

pub trait ContextExt {
    fn services(&self) -> AppResult<&Services>;
    fn db(&self) -> AppResult<&Db> {
        Ok(&self.services()?.db)
    }
    fn viewer(&self) -> AppResult<&Arc<Viewer>>;
    fn rights(&self) -> AppResult<&Arc<Rights>>;
    fn loaders(&self) -> AppResult<&Loaders>;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> AppResult<&Services> {
        self.data::<Services>()
            .map_err(|_| AppError::internal("services missing from context"))
    }

    fn viewer(&self) -> AppResult<&Arc<Viewer>> {
        self.data::<Arc<Viewer>>()
            .map_err(|_| AppError::internal("viewer missing from context"))
    }

    fn rights(&self) -> AppResult<&Arc<Rights>> {
        self.data::<Arc<Rights>>()
            .map_err(|_| AppError::internal("rights missing from context"))
    }

    fn loaders(&self) -> AppResult<&Loaders> {
        self.data::<Loaders>()
            .map_err(|_| AppError::internal("loaders missing from context"))
    }
}

/// The viewer's grants and memberships (loaded at most once per request).
pub async fn access(ctx: &Context<'_>) -> AppResult<Arc<Access>> {
    ctx.rights()?.get(ctx.db()?).await
}

/// After a mutation that changed the viewer's own grants or memberships.
pub async fn forget_access(ctx: &Context<'_>) -> AppResult<()> {
    ctx.rights()?.forget().await;
    Ok(())
}

/// Like `access`, but anonymous callers are turned away with UNAUTHENTICATED first, before
/// any input is looked at.
pub async fn signed_in(ctx: &Context<'_>) -> AppResult<Arc<Access>> {
    let access = access(ctx).await?;
    access.person_id.ok_or_else(AppError::unauthenticated)?;
    Ok(access)
}
