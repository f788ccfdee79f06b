//! Resource objects: the resource, its versions, reviews, adoptions and the viewer's rating.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{resource, resource_adoption, resource_rating, resource_review, resource_version};
use uuid::Uuid;

use crate::{
    connection,
    domain::{
        meetings::agenda,
        pagination::{Page, PageArgs},
        resources::{content::tags_from_json, curates, edits, licence::Licence, ratings, sees},
    },
    error::AppResult,
    graphql::{
        accounts::types::Person,
        connection::Total,
        context::{ContextExt, access},
        enums::{ResourceKind, ResourceStatus, ResourceVisibility, ReviewDecision},
        groups::types::Group,
        ids::{self, Kind},
        loaders::{
            must,
            resources::{
                ReleasesOf, ResourceCountKey, ResourceKey, ResourceList, ResourcePage,
                ResourcePageKey, ReviewsOf, VersionKey, ViewerRatingOf,
            },
        },
        meetings::types::AgendaItem,
        umbrella::types::Organisation,
    },
};

/// The group, if the viewer may see it (the rule is in the loader's statement).
pub async fn visible_group(ctx: &Context<'_>, id: Uuid) -> AppResult<Option<entity::group::Model>> {
    ctx.loaders()?.groups.load_one(id).await
}

/// A resource by id, if the viewer sees it.
pub async fn visible_resource(ctx: &Context<'_>, id: Uuid) -> AppResult<Option<Resource>> {
    let found = ctx.loaders()?.resources.load_one(ResourceKey(id)).await?;
    let access = access(ctx).await?;
    Ok(found.filter(|r| sees(&access, r)).map(Resource))
}

/// A version the viewer may read: any, for the resource's editors; a published one for
/// everyone else who sees the resource.
async fn readable_version(
    ctx: &Context<'_>,
    r: &resource::Model,
    number: i32,
) -> AppResult<Option<ResourceVersion>> {
    let access = access(ctx).await?;
    if !sees(&access, r) {
        return Ok(None);
    }
    let loaders = ctx.loaders()?;
    if !edits(&access, r) {
        let released = loaders.resources.load_one(ReleasesOf(r.id)).await?;
        if !released.is_some_and(|n| n.contains(&number)) {
            return Ok(None);
        }
    }
    let key = VersionKey {
        resource: r.id,
        number,
    };
    Ok(loaders.resources.load_one(key).await?.map(ResourceVersion))
}

/// People's names go with their work only inside the organisation: everyone else sees the
/// owning group or organisation (the resource may be public; its authors are not).
async fn author(
    ctx: &Context<'_>,
    r: &resource::Model,
    author: Option<Uuid>,
) -> Result<Option<Person>> {
    let Some(author) = author else {
        return Ok(None);
    };
    let access = access(ctx).await?;
    let insider = access.person_id == Some(author)
        || access.organisations().contains(&r.organisation_id)
        || curates(&access, r.organisation_id);
    if !insider {
        return Ok(None);
    }
    Ok(ctx.loaders()?.people.load_one(author).await?.map(Person))
}

fn agenda_items(stored: Option<&str>) -> Option<Vec<AgendaItem>> {
    stored.map(|s| agenda::parse(s).into_iter().map(Into::into).collect())
}

/// Who a resource belongs to: its group (when the viewer may see the group) or else its
/// organisation.
pub struct ResourceOwner {
    organisation: entity::organisation::Model,
    group: Option<entity::group::Model>,
}

#[Object]
impl ResourceOwner {
    /// The group's or organisation's ID.
    async fn id(&self) -> ID {
        match &self.group {
            Some(g) => ids::encode(Kind::Group, g.id),
            None => ids::encode(Kind::Organisation, self.organisation.id),
        }
    }

    async fn name(&self) -> &str {
        self.group
            .as_ref()
            .map_or(self.organisation.name.as_str(), |g| g.name.as_str())
    }

    async fn organisation(&self) -> Organisation {
        Organisation(self.organisation.clone())
    }

    async fn group(&self) -> Option<Group> {
        self.group.clone().map(Group)
    }
}

/// Helpfulness ratings in aggregate, as last released. A release is made once
/// `CANOPY_PRIVACY_MIN_COHORT` established people (accounts at least 28 days old) rated or
/// changed their rating since the one before, and its figures carry differential-privacy
/// noise, drawn once and frozen, so that nobody's single rating can be read off the figures,
/// nor off their change. Ratings by newer accounts count from the first release after they
/// are 28 days old.
#[derive(SimpleObject)]
pub struct ResourceRatingSummary {
    /// The mean helpfulness (1–5, noisy) of the last release; null while `suppressed`.
    pub average: Option<f64>,
    /// How many ratings the last release counts (noisy, at least 1); 0 while `suppressed`.
    pub count: i32,
    /// Nothing released yet: fewer established people rated it than the privacy threshold.
    pub suppressed: bool,
}

/// A shared resource: a coping tool a group made, with its current content. Versions keep
/// every earlier state.
#[derive(Clone)]
pub struct Resource(pub resource::Model);

#[Object]
impl Resource {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Resource, self.0.id)
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn kind(&self) -> ResourceKind {
        self.0.kind.into()
    }

    async fn visibility(&self) -> ResourceVisibility {
        self.0.visibility.into()
    }

    async fn status(&self) -> ResourceStatus {
        self.0.status.into()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// Markdown.
    async fn body(&self) -> &str {
        &self.0.body
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// BCP 47.
    async fn language(&self) -> &str {
        &self.0.language
    }

    async fn tags(&self) -> Vec<String> {
        tags_from_json(&self.0.tags)
    }

    async fn audience(&self) -> Option<&str> {
        self.0.audience.as_deref()
    }

    async fn duration_minutes(&self) -> Option<i32> {
        self.0.duration_minutes
    }

    /// SPDX identifier: CC-BY-4.0, CC-BY-SA-4.0, CC-BY-NC-4.0, CC-BY-NC-SA-4.0, CC0-1.0 or
    /// ALL-RIGHTS-RESERVED.
    async fn licence(&self) -> &str {
        &self.0.licence
    }

    /// The licence's deed; null for ALL-RIGHTS-RESERVED.
    async fn licence_url(&self) -> Option<&'static str> {
        Licence::stored(&self.0.licence).uri()
    }

    async fn attribution(&self) -> Option<&str> {
        self.0.attribution.as_deref()
    }

    /// For AGENDA_TEMPLATE resources.
    async fn agenda_items(&self) -> Option<Vec<AgendaItem>> {
        agenda_items(self.0.agenda_items.as_deref())
    }

    /// The latest version's number (what `updateResource` takes as `expectedVersion`).
    async fn version_number(&self) -> i32 {
        self.0.version_number
    }

    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        Ok(Organisation(
            must(
                &ctx.loaders()?.organisations,
                self.0.organisation_id,
                "resource without organisation",
            )
            .await?,
        ))
    }

    /// The group it belongs to, when the viewer may see the group.
    async fn group(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        Ok(match self.0.group_id {
            Some(id) => visible_group(ctx, id).await?.map(Group),
            None => None,
        })
    }

    /// Its group when the viewer may see that group, otherwise its organisation.
    async fn owner(&self, ctx: &Context<'_>) -> Result<ResourceOwner> {
        let loaders = ctx.loaders()?;
        let (organisation, group) = futures_util::try_join!(
            must(
                &loaders.organisations,
                self.0.organisation_id,
                "resource without organisation"
            ),
            async {
                match self.0.group_id {
                    Some(id) => visible_group(ctx, id).await,
                    None => Ok(None),
                }
            }
        )?;
        Ok(ResourceOwner {
            organisation,
            group,
        })
    }

    /// Who wrote it: shown to people of its organisation only.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        author(ctx, &self.0, self.0.author_id).await
    }

    /// Every version for its editors; the published ones for everyone else. Newest first.
    async fn versions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ResourceVersionConnection> {
        let page = list_page(ctx, ResourceList::Versions, self.0.id, first, after).await?;
        let ResourcePage::Versions(page) = page else {
            return Ok(ResourceVersionConnection::new(
                Page::default(),
                Total::Known(0),
            ));
        };
        Ok(ResourceVersionConnection::new(
            page.map(ResourceVersion),
            Total::Resources(ResourceCountKey {
                list: ResourceList::Versions,
                parent: self.0.id,
            }),
        ))
    }

    /// One version (the latest without a number); null when the viewer may not read it.
    async fn version(
        &self,
        ctx: &Context<'_>,
        number: Option<i32>,
    ) -> Result<Option<ResourceVersion>> {
        Ok(readable_version(ctx, &self.0, number.unwrap_or(self.0.version_number)).await?)
    }

    /// Curators' decisions, the 50 newest first: for its editors and the organisation's
    /// curators.
    async fn reviews(&self, ctx: &Context<'_>) -> Result<Vec<ResourceReview>> {
        let access = access(ctx).await?;
        if !edits(&access, &self.0) {
            return Ok(Vec::new());
        }
        Ok(ctx
            .loaders()?
            .resources
            .load_one(ReviewsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .take(50)
            .map(ResourceReview)
            .collect())
    }

    /// How many groups adopted it (all of them, seen or not).
    async fn adoption_count(&self) -> i32 {
        self.0.adoption_count
    }

    /// The adoptions by groups the viewer may see, newest first.
    async fn adopted_by(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ResourceAdoptionConnection> {
        adoptions(ctx, ResourceList::AdoptedBy, self.0.id, first, after).await
    }

    /// The resource this one adapts, when the viewer may see it.
    async fn derived_from(&self, ctx: &Context<'_>) -> Result<Option<Resource>> {
        Ok(match self.0.derived_from_id {
            Some(id) => visible_resource(ctx, id).await?,
            None => None,
        })
    }

    /// The version of `derivedFrom` it was adapted from (null when that is not visible).
    async fn derived_from_version(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        Ok(match self.0.derived_from_id {
            Some(id) if visible_resource(ctx, id).await?.is_some() => self.0.derived_from_version,
            _ => None,
        })
    }

    /// Adaptations of it the viewer may see, newest first.
    async fn derivatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ResourceConnection> {
        let page = list_page(ctx, ResourceList::Derivatives, self.0.id, first, after).await?;
        let ResourcePage::Resources(page) = page else {
            return Ok(ResourceConnection::new(Page::default(), Total::Known(0)));
        };
        Ok(ResourceConnection::new(
            page.map(Resource),
            Total::Resources(ResourceCountKey {
                list: ResourceList::Derivatives,
                parent: self.0.id,
            }),
        ))
    }

    /// The released helpfulness ratings (see `ResourceRatingSummary`).
    async fn rating(&self) -> Result<ResourceRatingSummary> {
        Ok(match ratings::published(&self.0) {
            Some(p) => ResourceRatingSummary {
                average: Some(p.average_hundredths as f64 / 100.0),
                count: p.count,
                suppressed: false,
            },
            None => ResourceRatingSummary {
                average: None,
                count: 0,
                suppressed: true,
            },
        })
    }

    /// The viewer's own rating, if they rated it.
    async fn viewer_rating(&self, ctx: &Context<'_>) -> Result<Option<ResourceRating>> {
        Ok(ctx
            .loaders()?
            .resources
            .load_one(ViewerRatingOf(self.0.id))
            .await?
            .map(ResourceRating))
    }

    /// May the viewer change, submit or archive it?
    async fn viewer_can_edit(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(edits(&*access(ctx).await?, &self.0))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was first published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}

async fn list_page(
    ctx: &Context<'_>,
    list: ResourceList,
    parent: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<ResourcePage> {
    let args = PageArgs::new(first, after, None, None)?;
    Ok(ctx
        .loaders()?
        .pages
        .load_one(ResourcePageKey { list, parent, args })
        .await?
        .unwrap_or(ResourcePage::Resources(Page::default())))
}

/// A page of adoptions (of a resource, or by a group).
pub async fn adoptions(
    ctx: &Context<'_>,
    list: ResourceList,
    parent: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ResourceAdoptionConnection> {
    let page = list_page(ctx, list, parent, first, after).await?;
    let ResourcePage::Adoptions(page) = page else {
        return Ok(ResourceAdoptionConnection::new(
            Page::default(),
            Total::Known(0),
        ));
    };
    Ok(ResourceAdoptionConnection::new(
        page.map(ResourceAdoption),
        Total::Resources(ResourceCountKey { list, parent }),
    ))
}

connection!(
    ResourceConnection,
    ResourceEdge,
    Resource,
    "Shared resources."
);
connection!(
    ResourceVersionConnection,
    ResourceVersionEdge,
    ResourceVersion,
    "Versions of a resource."
);
connection!(
    ResourceAdoptionConnection,
    ResourceAdoptionEdge,
    ResourceAdoption,
    "Adoptions of resources by groups."
);

/// One immutable state of a resource's content.
#[derive(Clone)]
pub struct ResourceVersion(pub resource_version::Model);

impl ResourceVersion {
    /// The version's resource, read through the visible read: a resource the viewer may not
    /// see is NOT_FOUND (every path here checks it first), never an internal error.
    async fn visible_resource(&self, ctx: &Context<'_>) -> AppResult<resource::Model> {
        ctx.loaders()?
            .resources
            .load_one(ResourceKey(self.0.resource_id))
            .await?
            .ok_or_else(|| crate::error::AppError::not_found("resource"))
    }
}

#[Object]
impl ResourceVersion {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ResourceVersion, self.0.id)
    }

    async fn number(&self) -> i32 {
        self.0.number
    }

    async fn change_note(&self) -> Option<&str> {
        self.0.change_note.as_deref()
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    async fn body(&self) -> &str {
        &self.0.body
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    async fn language(&self) -> &str {
        &self.0.language
    }

    async fn tags(&self) -> Vec<String> {
        tags_from_json(&self.0.tags)
    }

    async fn audience(&self) -> Option<&str> {
        self.0.audience.as_deref()
    }

    async fn duration_minutes(&self) -> Option<i32> {
        self.0.duration_minutes
    }

    async fn licence(&self) -> &str {
        &self.0.licence
    }

    async fn attribution(&self) -> Option<&str> {
        self.0.attribution.as_deref()
    }

    async fn agenda_items(&self) -> Option<Vec<AgendaItem>> {
        agenda_items(self.0.agenda_items.as_deref())
    }

    /// Who wrote this version: shown to people of the resource's organisation only.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let r = self.visible_resource(ctx).await?;
        author(ctx, &r, self.0.author_id).await
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn resource(&self, ctx: &Context<'_>) -> Result<Resource> {
        Ok(Resource(self.visible_resource(ctx).await?))
    }
}

/// A curator's decision on a version submitted for review.
#[derive(Clone)]
pub struct ResourceReview(pub resource_review::Model);

#[Object]
impl ResourceReview {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ResourceReview, self.0.id)
    }

    async fn version_number(&self) -> i32 {
        self.0.version_number
    }

    async fn decision(&self) -> ReviewDecision {
        self.0.decision.into()
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn reviewer(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        Ok(match self.0.reviewer_id {
            Some(id) => ctx.loaders()?.people.load_one(id).await?.map(Person),
            None => None,
        })
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A group's use of a resource, pinned to one version.
#[derive(Clone)]
pub struct ResourceAdoption(pub resource_adoption::Model);

#[Object]
impl ResourceAdoption {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ResourceAdoption, self.0.id)
    }

    /// Null when the viewer may not see the resource.
    async fn resource(&self, ctx: &Context<'_>) -> Result<Option<Resource>> {
        Ok(visible_resource(ctx, self.0.resource_id).await?)
    }

    /// Null when the viewer may not see the group.
    async fn group(&self, ctx: &Context<'_>) -> Result<Option<Group>> {
        Ok(visible_group(ctx, self.0.group_id).await?.map(Group))
    }

    /// The pinned version's number.
    async fn version_number(&self) -> i32 {
        self.0.version_number
    }

    /// The pinned version, when the viewer may read it.
    async fn version(&self, ctx: &Context<'_>) -> Result<Option<ResourceVersion>> {
        let Some(r) = visible_resource(ctx, self.0.resource_id).await? else {
            return Ok(None);
        };
        Ok(readable_version(ctx, &r.0, self.0.version_number).await?)
    }

    async fn adopted_at(&self) -> DateTime<Utc> {
        self.0.adopted_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The viewer's rating of a resource.
#[derive(Clone)]
pub struct ResourceRating(pub resource_rating::Model);

#[Object]
impl ResourceRating {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ResourceRating, self.0.id)
    }

    /// 1 (not helpful) to 5 (very helpful).
    async fn helpfulness(&self) -> i32 {
        self.0.helpfulness
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The AGENDA_TEMPLATE resource a group's agenda template was copied from, if visible.
pub async fn group_template_resource(
    ctx: &Context<'_>,
    g: &entity::group::Model,
) -> Result<Option<Resource>> {
    Ok(match g.agenda_template_resource_id {
        Some(id) => visible_resource(ctx, id).await?,
        None => None,
    })
}

/// `node(id:)` for resource objects, through the same checks as the typed fields: a version
/// or review goes with its resource (reviews with its editors), an adoption with both its
/// resource and its group, a rating with the person who gave it.
pub async fn resource_node(
    ctx: &Context<'_>,
    kind: Kind,
    id: Uuid,
) -> AppResult<Option<crate::graphql::node::Node>> {
    use crate::graphql::{
        loaders::resources::{AdoptionById, RatingById, ReviewById, VersionById},
        node::Node,
    };
    let loaders = ctx.loaders()?;
    let access = access(ctx).await?;
    let visible = |resource_id: Uuid| visible_resource(ctx, resource_id);
    Ok(match kind {
        Kind::Resource => visible(id).await?.map(Node::Resource),
        Kind::ResourceVersion => match loaders.resources.load_one(VersionById(id)).await? {
            Some(v) => match visible(v.resource_id).await? {
                Some(r) => readable_version(ctx, &r.0, v.number)
                    .await?
                    .map(Node::ResourceVersion),
                None => None,
            },
            None => None,
        },
        Kind::ResourceReview => match loaders.resources.load_one(ReviewById(id)).await? {
            Some(r) => visible(r.resource_id)
                .await?
                .filter(|res| edits(&access, &res.0))
                .map(|_| Node::ResourceReview(ResourceReview(r))),
            None => None,
        },
        Kind::ResourceAdoption => match loaders.resources.load_one(AdoptionById(id)).await? {
            Some(a)
                if visible(a.resource_id).await?.is_some()
                    && visible_group(ctx, a.group_id).await?.is_some() =>
            {
                Some(Node::ResourceAdoption(ResourceAdoption(a)))
            }
            _ => None,
        },
        Kind::ResourceRating => loaders
            .resources
            .load_one(RatingById(id))
            .await?
            .filter(|r| access.person_id == Some(r.person_id))
            .map(|r| Node::ResourceRating(ResourceRating(r))),
        _ => None,
    })
}
