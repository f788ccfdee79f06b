//! Pages of a group's care lists (polls, suggestions, applications), batched across groups:
//! one statement per list and page arguments, however many groups ask
//! (`domain::care::reads::care_pages`).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::Utc;
use uuid::Uuid;

use super::{PageLoader, batches};
use crate::{
    domain::{care::reads, pagination::PageArgs},
    error::AppError,
};

pub use crate::domain::care::reads::{CareList, CarePage};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CarePageKey {
    pub group: Uuid,
    pub list: CareList,
    pub args: PageArgs,
}

impl Loader<CarePageKey> for PageLoader {
    type Value = CarePage;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CarePageKey],
    ) -> Result<HashMap<CarePageKey, Self::Value>, AppError> {
        let now = Utc::now();
        let mut out = HashMap::new();
        for ((list, args), groups) in batches(keys, |k| ((k.list, k.args.clone()), k.group)) {
            let mut pages = reads::care_pages(&self.db, list, &groups, &args, now).await?;
            for group in groups {
                let page = pages.remove(&group).unwrap_or_else(|| list.empty());
                let args = args.clone();
                out.insert(CarePageKey { group, list, args }, page);
            }
        }
        Ok(out)
    }
}

/// The page of one of a group's lists, through the request's page loader.
pub async fn group_page(
    ctx: &async_graphql::Context<'_>,
    group: Uuid,
    list: CareList,
    args: PageArgs,
) -> Result<CarePage, AppError> {
    use crate::graphql::context::ContextExt;
    let key = CarePageKey { group, list, args };
    super::must(&ctx.loaders()?.pages, key, "care list page").await
}
