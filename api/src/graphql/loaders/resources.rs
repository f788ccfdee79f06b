//! Loaders for the resource repository: resources and versions by key, the lists hanging off
//! a resource, a group or a programme (each one statement per batch, filtered by what the
//! viewer may see), and their counts — over `domain::resources::reads`.

use std::{collections::HashMap, sync::Arc};

use crate::db::Db;
use async_graphql::dataloader::Loader;
use entity::{resource, resource_rating, resource_review, resource_version};
use uuid::Uuid;

use super::{PageLoader, batches};
use crate::{
    domain::{access::Rights, pagination::PageArgs, resources::reads},
    error::AppError,
};

pub use crate::domain::resources::reads::{ResourceList, ResourcePage};

pub struct ResourceLoader {
    pub(super) db: Db,
    /// The viewer, if signed in (their own ratings).
    pub(super) person: Option<Uuid>,
    pub(super) rights: Arc<Rights>,
}

/// A resource by id, if the viewer sees it (`reads::visible_by_ids`: the rule is in the
/// statement, so a draft never reaches someone who may not see it, whichever field asks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceKey(pub Uuid);

impl Loader<ResourceKey> for ResourceLoader {
    type Value = resource::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ResourceKey],
    ) -> Result<HashMap<ResourceKey, Self::Value>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = reads::visible_by_ids(&self.db, &access, &ids).await?;
        Ok(rows.into_iter().map(|r| (ResourceKey(r.id), r)).collect())
    }
}

// Rows by their own id; callers check them against their resource (`resource_node`).
keyed_by_id!(ResourceLoader, VersionById, resource_version);
keyed_by_id!(ResourceLoader, ReviewById, resource_review);
keyed_by_id!(ResourceLoader, AdoptionById, resource_adoption);
keyed_by_id!(ResourceLoader, RatingById, resource_rating);

/// One version of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VersionKey {
    pub resource: Uuid,
    pub number: i32,
}

impl Loader<VersionKey> for ResourceLoader {
    type Value = resource_version::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[VersionKey],
    ) -> Result<HashMap<VersionKey, Self::Value>, AppError> {
        let pairs: Vec<(Uuid, i32)> = keys.iter().map(|k| (k.resource, k.number)).collect();
        let found = reads::versions(&self.db, &pairs).await?;
        Ok(found
            .into_iter()
            .map(|((resource, number), v)| (VersionKey { resource, number }, v))
            .collect())
    }
}

/// The published version numbers of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReleasesOf(pub Uuid);
by_parent!(ResourceLoader, ReleasesOf, Vec<i32>, |db, ids| {
    reads::releases_of(db, &ids)
});

/// The reviews of a resource, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReviewsOf(pub Uuid);
by_parent!(
    ResourceLoader,
    ReviewsOf,
    Vec<resource_review::Model>,
    |db, ids| { reads::reviews_of(db, &ids) }
);

/// A programme's toolkit, in order (the resources themselves; callers filter by `sees`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ToolkitOf(pub Uuid);
by_parent!(
    ResourceLoader,
    ToolkitOf,
    Vec<resource::Model>,
    |db, ids| { reads::toolkits_of(db, &ids) }
);

/// The viewer's own rating of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerRatingOf(pub Uuid);

impl Loader<ViewerRatingOf> for ResourceLoader {
    type Value = resource_rating::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ViewerRatingOf],
    ) -> Result<HashMap<ViewerRatingOf, Self::Value>, AppError> {
        let Some(me) = self.person else {
            return Ok(HashMap::new());
        };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let found = reads::ratings_by(&self.db, me, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(r, rating)| (ViewerRatingOf(r), rating))
            .collect())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourcePageKey {
    pub list: ResourceList,
    pub parent: Uuid,
    pub args: PageArgs,
}

impl Loader<ResourcePageKey> for PageLoader {
    type Value = ResourcePage;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ResourcePageKey],
    ) -> Result<HashMap<ResourcePageKey, Self::Value>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let mut out = HashMap::new();
        for ((list, args), parents) in batches(keys, |k| ((k.list, k.args.clone()), k.parent)) {
            let mut pages = reads::resource_pages(&self.db, &access, list, &parents, &args).await?;
            for parent in parents {
                let page = pages.remove(&parent).unwrap_or_else(|| list.empty());
                let args = args.clone();
                out.insert(ResourcePageKey { list, parent, args }, page);
            }
        }
        Ok(out)
    }
}

/// How many items a list holds (all pages), for `totalCount`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceCountKey {
    pub list: ResourceList,
    pub parent: Uuid,
}

impl Loader<ResourceCountKey> for ResourceLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ResourceCountKey],
    ) -> Result<HashMap<ResourceCountKey, u64>, AppError> {
        let access = self.rights.get(&self.db).await?;
        let mut out = HashMap::new();
        for (list, parents) in batches(keys, |k| (k.list, k.parent)) {
            let counts = reads::resource_counts(&self.db, &access, list, &parents).await?;
            for parent in parents {
                let n = counts.get(&parent).copied().unwrap_or(0);
                out.insert(ResourceCountKey { list, parent }, n);
            }
        }
        Ok(out)
    }
}
