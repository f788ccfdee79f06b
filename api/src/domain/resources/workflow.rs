//! Creating and changing resources, and the review workflow:
//! DRAFT → (submitForReview) IN_REVIEW → (reviewResource) PUBLISHED or back to DRAFT;
//! GROUP resources may be published by their group's facilitators directly; any of them may
//! be ARCHIVED. Every content change writes a new immutable version.

use chrono::{DateTime, Utc};
use entity::{
    ResourceKind, ResourceStatus, ResourceVisibility, ReviewDecision, resource, resource_review,
    resource_tag, resource_version,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set, TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    content::{Content, ContentInput, ContentPatch},
    curates, editable_resource, visible_resource,
};
use crate::{
    domain::{
        access::Access,
        authz::require_person,
        begin,
        groups::core::visible_group,
        throttle::Oracle,
        umbrella::find_organisation,
        values::{Slug, optional_text},
    },
    error::{AppError, AppResult},
};

pub struct NewResource {
    pub organisation_id: Uuid,
    pub group_id: Option<Uuid>,
    /// None: made from the title.
    pub slug: Option<String>,
    pub kind: ResourceKind,
    pub visibility: ResourceVisibility,
    pub content: ContentInput,
}

/// Where a new resource (or an adaptation) will live: checked for the viewer.
pub struct Home {
    pub organisation_id: Uuid,
    pub group_id: Option<Uuid>,
    pub visibility: ResourceVisibility,
}

/// People of the organisation write for its library; a group's resource is written by its
/// active members (or curators). A GROUP resource needs its group.
pub async fn check_home(db: &impl ConnectionTrait, access: &Access, home: &Home) -> AppResult<()> {
    let org = find_organisation(db, home.organisation_id).await?;
    if !access.organisations().contains(&org.id) && !curates(access, org.id) {
        return Err(AppError::forbidden(
            "only people of the organisation add to its library",
        ));
    }
    match home.group_id {
        Some(group_id) => {
            let (g, _) = visible_group(db, access, group_id).await?;
            if g.organisation_id != org.id {
                return Err(AppError::bad_input(
                    "groupId",
                    "the group belongs to another organisation",
                ));
            }
            if !access.is_active_member(g.id) && !curates(access, org.id) {
                return Err(AppError::forbidden(
                    "only the group's active members add resources for it",
                ));
            }
        }
        None if home.visibility == ResourceVisibility::Group => {
            return Err(AppError::bad_input(
                "groupId",
                "a GROUP resource needs the group it is for",
            ));
        }
        None => {}
    }
    Ok(())
}

/// A slug from the title: ASCII letters and digits joined by single hyphens.
fn slug_from_title(title: &str) -> String {
    let mut out = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let base = out.trim_matches('-').to_owned();
    if base.len() < 3 {
        format!("resource-{base}").trim_matches('-').to_owned()
    } else {
        base
    }
}

async fn slug_taken(db: &impl ConnectionTrait, slug: &str) -> AppResult<bool> {
    Ok(resource::Entity::find()
        .filter(resource::Column::Slug.eq(slug))
        .count(db)
        .await?
        > 0)
}

/// The requested slug (CONFLICT when taken), or one made from the title with a random suffix.
pub async fn choose_slug(
    db: &impl ConnectionTrait,
    requested: Option<&str>,
    title: &str,
) -> AppResult<String> {
    if let Some(raw) = requested.filter(|s| !s.trim().is_empty()) {
        let slug = Slug::parse("slug", raw)?.into_inner();
        if slug_taken(db, &slug).await? {
            // Perhaps someone else's draft: the answer does not say whose (`throttle`).
            return Err(Oracle::SlugUnavailable.answer());
        }
        return Ok(slug);
    }
    // Always suffixed: taking the bare title slug when it is free would tell the caller,
    // by its absence, that someone's draft holds it — an oracle the throttle never sees,
    // since the call succeeds. Six random characters keep tries few however many
    // resources share a title.
    let base = slug_from_title(title);
    loop {
        // The last characters of a UUIDv7 are random.
        let id = Uuid::now_v7().simple().to_string();
        let suffix = &id[id.len() - 6..];
        let slug = format!("{base}-{suffix}");
        if !slug_taken(db, &slug).await? {
            return Ok(slug);
        }
    }
}

/// Keeps `resource_tags` equal to the resource's tags.
async fn write_tags(
    db: &impl ConnectionTrait,
    resource_id: Uuid,
    tags: &[String],
) -> AppResult<()> {
    resource_tag::Entity::delete_many()
        .filter(resource_tag::Column::ResourceId.eq(resource_id))
        .exec(db)
        .await?;
    if tags.is_empty() {
        return Ok(());
    }
    resource_tag::Entity::insert_many(tags.iter().map(|t| resource_tag::ActiveModel {
        resource_id: Set(resource_id),
        tag: Set(t.clone()),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Inserts a resource in DRAFT with its first version (shared by create and fork).
#[allow(clippy::too_many_arguments)] // each is one column of a new row
pub async fn insert_resource(
    db: &impl ConnectionTrait,
    home: &Home,
    slug: String,
    kind: ResourceKind,
    content: &Content,
    author_id: Uuid,
    derived_from: Option<(Uuid, i32)>,
    change_note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<resource::Model> {
    let id = Uuid::now_v7();
    let mut row = resource::Model {
        id,
        organisation_id: home.organisation_id,
        group_id: home.group_id,
        slug,
        kind,
        visibility: home.visibility,
        status: ResourceStatus::Draft,
        author_id: Some(author_id),
        derived_from_id: derived_from.map(|d| d.0),
        derived_from_version: derived_from.map(|d| d.1),
        version_number: 1,
        title: String::new(),
        summary: None,
        body: String::new(),
        url: None,
        language: String::new(),
        tags: String::new(),
        audience: None,
        duration_minutes: None,
        licence: String::new(),
        attribution: None,
        agenda_items: None,
        adoption_count: 0,
        rating_count: 0,
        rating_sum: 0,
        rating_score: 0,
        rating_released_count: 0,
        rating_released_sum: 0,
        created_at: now,
        updated_at: now,
        published_at: None,
    };
    content.apply(&mut row);
    let saved = row.into_active_model().reset_all().insert(db).await?;
    content
        .version(id, 1, change_note, author_id, now)
        .insert(db)
        .await?;
    write_tags(db, id, &content.tags).await?;
    Ok(saved)
}

pub async fn create_resource(
    db: &impl TransactionTrait,
    access: &Access,
    input: NewResource,
) -> AppResult<resource::Model> {
    let me = require_person(access)?;
    let content = Content::parse(input.kind, input.content)?;
    let home = Home {
        organisation_id: input.organisation_id,
        group_id: input.group_id,
        visibility: input.visibility,
    };
    let txn = begin(db).await?;
    check_home(&txn, access, &home).await?;
    let slug = choose_slug(&txn, input.slug.as_deref(), &content.title).await?;
    let saved = insert_resource(
        &txn,
        &home,
        slug,
        input.kind,
        &content,
        me,
        None,
        None,
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

/// May the viewer publish this resource without a curator's review? Its group's
/// facilitators may, for GROUP resources.
pub fn publishes_directly(access: &Access, r: &resource::Model) -> bool {
    r.visibility == ResourceVisibility::Group
        && (r.group_id.is_some_and(|g| access.runs_group(g)) || curates(access, r.organisation_id))
}

pub struct ResourceChange {
    pub resource_id: Uuid,
    pub expected_version: i32,
    pub content: ContentPatch,
    pub change_note: Option<String>,
}

/// A content change: a new version. Content that was under review or published goes back to
/// DRAFT (it needs review again) unless the editor publishes it directly.
pub async fn update_resource(
    db: &impl TransactionTrait,
    access: &Access,
    change: ResourceChange,
) -> AppResult<resource::Model> {
    let me = require_person(access)?;
    let change_note = optional_text("changeNote", change.change_note.as_deref(), 1000)?;
    let txn = begin(db).await?;
    let current =
        editable_resource(&txn, access, change.resource_id, "change this resource").await?;
    if current.version_number != change.expected_version {
        return Err(AppError::stale_version("the resource"));
    }
    if current.status == ResourceStatus::Archived {
        return Err(AppError::conflict(
            "an archived resource does not change; adapt it (forkResource) instead",
        ));
    }
    let content = Content::patched(current.kind, &current, change.content)?;
    if content == Content::of(&current) {
        return Ok(current);
    }
    if let Some(source) = current.derived_from_id {
        check_derivative(&txn, source, &current, &content).await?;
    }
    let now = Utc::now();
    let number = current.version_number + 1;
    let mut next = current.clone();
    content.apply(&mut next);
    next.version_number = number;
    next.updated_at = now;
    if matches!(
        current.status,
        ResourceStatus::InReview | ResourceStatus::Published
    ) && !publishes_directly(access, &current)
    {
        next.status = ResourceStatus::Draft;
    }
    let stays_published = next.status == ResourceStatus::Published;
    let mut active = next.into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::NotSet;
    active.published_at = sea_orm::ActiveValue::NotSet;
    active.adoption_count = sea_orm::ActiveValue::NotSet;
    active.rating_count = sea_orm::ActiveValue::NotSet;
    active.rating_sum = sea_orm::ActiveValue::NotSet;
    active.rating_score = sea_orm::ActiveValue::NotSet;
    active.rating_released_count = sea_orm::ActiveValue::NotSet;
    active.rating_released_sum = sea_orm::ActiveValue::NotSet;
    let written = resource::Entity::update_many()
        .set(active)
        .filter(resource::Column::Id.eq(current.id))
        .filter(resource::Column::VersionNumber.eq(change.expected_version))
        // A status change (review, archive) in between must not be undone.
        .filter(resource::Column::Status.eq(current.status))
        .exec(&txn)
        .await?;
    if written.rows_affected == 0 {
        return Err(AppError::stale_version("the resource"));
    }
    content
        .version(current.id, number, change_note, me, now)
        .insert(&txn)
        .await?;
    write_tags(&txn, current.id, &content.tags).await?;
    if stays_published {
        super::versions::release(&txn, current.id, number, Some(me), now).await?;
    }
    let saved = super::find_resource(&txn, current.id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Moves a resource from one of `from` to `to`, unless someone moved it meanwhile.
async fn transition(
    db: &impl ConnectionTrait,
    by: Option<Uuid>,
    r: &resource::Model,
    from: &[ResourceStatus],
    to: ResourceStatus,
    refusal: &str,
) -> AppResult<resource::Model> {
    if !from.contains(&r.status) {
        return Err(AppError::conflict(format!(
            "{refusal} (it is {})",
            r.status.as_str()
        )));
    }
    let now = Utc::now();
    let mut update = resource::Entity::update_many()
        .col_expr(resource::Column::Status, Expr::value(to.as_str()))
        .col_expr(resource::Column::UpdatedAt, Expr::value(now))
        .filter(resource::Column::Id.eq(r.id))
        .filter(resource::Column::Status.eq(r.status))
        .filter(resource::Column::VersionNumber.eq(r.version_number));
    if to == ResourceStatus::Published && r.published_at.is_none() {
        update = update.col_expr(resource::Column::PublishedAt, Expr::value(now));
    }
    if update.exec(db).await?.rows_affected == 0 {
        return Err(AppError::stale_version("the resource"));
    }
    if to == ResourceStatus::Published {
        super::versions::release(db, r.id, r.version_number, by, now).await?;
    }
    super::find_resource(db, r.id).await
}

pub struct Review {
    pub resource_id: Uuid,
    pub decision: ReviewDecision,
    pub comment: Option<String>,
}

/// A curator of the organisation who wrote neither the resource nor the version under review.
pub async fn review_resource(
    db: &impl TransactionTrait,
    access: &Access,
    review: Review,
) -> AppResult<(resource::Model, resource_review::Model)> {
    let me = require_person(access)?;
    let comment = optional_text("comment", review.comment.as_deref(), 2000)?;
    if review.decision == ReviewDecision::RequestChanges && comment.is_none() {
        return Err(AppError::bad_input(
            "comment",
            "say what should change when requesting changes",
        ));
    }
    let txn = begin(db).await?;
    let r = visible_resource(&txn, access, review.resource_id).await?;
    if !curates(access, r.organisation_id) {
        return Err(AppError::forbidden(
            "only the organisation's curators review resources",
        ));
    }
    let version_author = resource_version::Entity::find()
        .filter(resource_version::Column::ResourceId.eq(r.id))
        .filter(resource_version::Column::Number.eq(r.version_number))
        .one(&txn)
        .await?
        .and_then(|v| v.author_id);
    if r.author_id == Some(me) || version_author == Some(me) {
        return Err(AppError::forbidden(
            "you cannot review a resource you wrote; another curator must",
        ));
    }
    let to = match review.decision {
        ReviewDecision::Approve => ResourceStatus::Published,
        ReviewDecision::RequestChanges => ResourceStatus::Draft,
    };
    let saved = transition(
        &txn,
        Some(me),
        &r,
        &[ResourceStatus::InReview],
        to,
        "only a resource IN_REVIEW is reviewed",
    )
    .await?;
    let written = resource_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        resource_id: Set(r.id),
        version_number: Set(r.version_number),
        reviewer_id: Set(Some(me)),
        decision: Set(review.decision),
        comment: Set(comment),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok((saved, written))
}

/// A status change that needs nothing but the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// DRAFT → IN_REVIEW, by its editors.
    Submit,
    /// DRAFT or IN_REVIEW → PUBLISHED without review: GROUP resources, by the group's
    /// facilitators (or curators).
    Publish,
    /// Anything but ARCHIVED → ARCHIVED, by its editors.
    Archive,
}

pub async fn take_step(
    db: &impl TransactionTrait,
    access: &Access,
    resource_id: Uuid,
    step: Step,
) -> AppResult<resource::Model> {
    require_person(access)?;
    let txn = begin(db).await?;
    let r = visible_resource(&txn, access, resource_id).await?;
    let (from, to, refusal): (&[ResourceStatus], _, _) = match step {
        Step::Submit => {
            if !super::edits(access, &r) {
                return Err(AppError::forbidden("you may not submit this resource"));
            }
            (
                &[ResourceStatus::Draft],
                ResourceStatus::InReview,
                "only a DRAFT is submitted for review",
            )
        }
        Step::Publish => {
            if r.visibility != ResourceVisibility::Group {
                return Err(AppError::bad_input(
                    "resourceId",
                    "only GROUP resources are published without review; submit it for review",
                ));
            }
            if !publishes_directly(access, &r) {
                return Err(AppError::forbidden(
                    "only the group's facilitators publish its resources",
                ));
            }
            (
                &[ResourceStatus::Draft, ResourceStatus::InReview],
                ResourceStatus::Published,
                "only a DRAFT or a resource IN_REVIEW is published",
            )
        }
        Step::Archive => {
            if !super::edits(access, &r) {
                return Err(AppError::forbidden("you may not archive this resource"));
            }
            (
                &[
                    ResourceStatus::Draft,
                    ResourceStatus::InReview,
                    ResourceStatus::Published,
                ],
                ResourceStatus::Archived,
                "this resource is already archived",
            )
        }
    };
    let saved = transition(&txn, access.person_id, &r, from, to, refusal).await?;
    txn.commit().await?;
    Ok(saved)
}

/// An adaptation keeps honouring its original's licence when its content changes
/// (`licence::check_adaptation`, against the version it was adapted from).
async fn check_derivative(
    db: &impl ConnectionTrait,
    source_id: Uuid,
    derivative: &resource::Model,
    content: &Content,
) -> AppResult<()> {
    let (Some(number), Some(source)) = (
        derivative.derived_from_version,
        resource::Entity::find_by_id(source_id).one(db).await?,
    ) else {
        return Ok(());
    };
    let version = super::versions::find_version(db, source.id, number, "licence").await?;
    super::licence::check_adaptation(
        super::licence::Licence::stored(&version.licence),
        content.licence,
        source.organisation_id == derivative.organisation_id,
        content.attribution.is_some(),
    )
}
