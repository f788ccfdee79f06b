//! `node(id:)` and `nodes(ids:)`: every object by global ID, through the same checks as the
//! typed fields. An object the viewer may not see is answered exactly like one that does not
//! exist: NOT_FOUND from `node`, null in `nodes`.

use async_graphql::{Context, ID, Interface, Object, Result};
use futures_util::future::try_join_all;

use crate::{
    domain::authz,
    error::{AppError, AppResult, found},
    graphql::{
        accounts::types::Person,
        context::{ContextExt, access},
        groups::types::{Group, Membership},
        ids::{self, Kind},
        meetings::types::{ActionCommitment, Attendance, Meeting, MeetingRecord, RecordAmendment},
        umbrella::types::{Cluster, Organisation, RoleGrant},
    },
};

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
#[allow(clippy::large_enum_variant)] // built once per resolved node, never stored
pub enum Node {
    Organisation(Organisation),
    Cluster(Cluster),
    Group(Group),
    Person(Person),
    Membership(Membership),
    RoleGrant(RoleGrant),
    Meeting(Meeting),
    Attendance(Attendance),
    MeetingRecord(MeetingRecord),
    RecordAmendment(RecordAmendment),
    ActionCommitment(ActionCommitment),
    CheckIn(crate::graphql::care::check_ins::CheckIn),
    Poll(crate::graphql::care::polls::Poll),
    Suggestion(crate::graphql::care::suggestions::Suggestion),
    MembershipApplication(crate::graphql::care::admission::MembershipApplication),
    BuddyPair(crate::graphql::care::buddies::BuddyPair),
    TrainingProgram(crate::graphql::training::types::TrainingProgram),
    Competency(crate::graphql::training::types::Competency),
    Workshop(crate::graphql::training::types::Workshop),
    WorkshopSession(crate::graphql::training::types::WorkshopSession),
    Enrollment(crate::graphql::training::types::Enrollment),
    Evidence(crate::graphql::training::types::Evidence),
    Certification(crate::graphql::training::types::Certification),
    Mentorship(crate::graphql::training::types::Mentorship),
    Resource(crate::graphql::resources::types::Resource),
    ResourceVersion(crate::graphql::resources::types::ResourceVersion),
    ResourceReview(crate::graphql::resources::types::ResourceReview),
    ResourceAdoption(crate::graphql::resources::types::ResourceAdoption),
    ResourceRating(crate::graphql::resources::types::ResourceRating),
}

pub const MAX_NODES: usize = 100;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        match resolve(ctx, &id).await? {
            Some(node) => Ok(Some(node)),
            None => Err(AppError::not_found("node").into()),
        }
    }

    /// Up to 100 IDs; each entry is null when not found or not visible.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                AppError::bad_input("ids", format!("at most {MAX_NODES} ids at once")).into(),
            );
        }
        Ok(try_join_all(ids.iter().map(|id| resolve(ctx, id))).await?)
    }
}

async fn cluster_path(ctx: &Context<'_>, cluster_id: uuid::Uuid) -> AppResult<Option<String>> {
    Ok(ctx
        .loaders()?
        .clusters
        .load_one(cluster_id)
        .await?
        .map(|c| c.path))
}

/// Someone is visible when the viewer could meet them through a group: one of their active
/// memberships is visible to the viewer (fellow members, facilitators of groups the viewer
/// can see, members of groups the viewer runs or manages). Everyone sees themself. All
/// lookups go through loaders, so `nodes(ids:)` over many people stays batched.
async fn person_visible(
    ctx: &Context<'_>,
    access: &crate::domain::access::Access,
    person_id: uuid::Uuid,
) -> AppResult<bool> {
    if access.person_id == Some(person_id) {
        return Ok(true);
    }
    let loaders = ctx.loaders()?;
    let memberships = loaders
        .person_memberships
        .load_one(person_id)
        .await?
        .unwrap_or_default();
    let groups = loaders
        .groups_unchecked
        .load_many(memberships.iter().map(|m| m.group_id))
        .await?;
    let clusters = loaders
        .clusters
        .load_many(groups.values().map(|g| g.cluster_id))
        .await?;
    Ok(memberships.iter().any(|m| {
        groups.get(&m.group_id).is_some_and(|g| {
            clusters
                .get(&g.cluster_id)
                .is_some_and(|c| authz::can_see_membership(access, m, g, &c.path))
        })
    }))
}

/// A group with its cluster path, for the checks below.
async fn group_with_path(
    ctx: &Context<'_>,
    group_id: uuid::Uuid,
) -> AppResult<Option<(entity::group::Model, String)>> {
    let Some(g) = ctx.loaders()?.groups_unchecked.load_one(group_id).await? else {
        return Ok(None);
    };
    Ok(cluster_path(ctx, g.cluster_id).await?.map(|path| (g, path)))
}

/// A meeting, if the viewer is an insider of its group.
async fn visible_meeting(
    ctx: &Context<'_>,
    access: &crate::domain::access::Access,
    meeting_id: uuid::Uuid,
) -> AppResult<Option<entity::meeting::Model>> {
    let Some(m) = ctx.loaders()?.meetings.load_one(meeting_id).await? else {
        return Ok(None);
    };
    let Some((g, path)) = group_with_path(ctx, m.group_id).await? else {
        return Ok(None);
    };
    Ok(crate::domain::meetings::can_see_meeting(access, &g, &path).then_some(m))
}

/// A membership's own data (attendance, commitments): the member, or the group's insiders
/// when `insiders` (else its facilitators and managers).
async fn membership_data_visible(
    ctx: &Context<'_>,
    access: &crate::domain::access::Access,
    membership_id: uuid::Uuid,
    insiders: bool,
) -> AppResult<bool> {
    let Some(m) = ctx.loaders()?.memberships.load_one(membership_id).await? else {
        return Ok(false);
    };
    if access.person_id == Some(m.person_id) {
        return Ok(true);
    }
    let Some((g, path)) = group_with_path(ctx, m.group_id).await? else {
        return Ok(false);
    };
    Ok(if insiders {
        authz::is_insider(access, &g, &path)
    } else {
        authz::can_run_group(access, &g, &path)
    })
}

async fn resolve(ctx: &Context<'_>, id: &ID) -> AppResult<Option<Node>> {
    let Some((kind, uuid)) = ids::decode_any(id) else {
        return Ok(None);
    };
    let loaders = ctx.loaders()?;
    let access = access(ctx).await?;
    Ok(match kind {
        Kind::Organisation => loaders
            .organisations
            .load_one(uuid)
            .await?
            .map(|o| Node::Organisation(Organisation(o))),
        Kind::Cluster => loaders
            .clusters
            .load_one(uuid)
            .await?
            .map(|c| Node::Cluster(Cluster(c))),
        // The visible read: a group the viewer may not see is absent, like a missing one.
        Kind::Group => loaders
            .groups
            .load_one(uuid)
            .await?
            .map(|g| Node::Group(Group(g))),
        Kind::Membership => {
            let Some(m) = loaders.memberships.load_one(uuid).await? else {
                return Ok(None);
            };
            let Some(g) = loaders.groups_unchecked.load_one(m.group_id).await? else {
                return Ok(None);
            };
            let Some(path) = cluster_path(ctx, g.cluster_id).await? else {
                return Ok(None);
            };
            authz::can_see_membership(&access, &m, &g, &path)
                .then_some(Node::Membership(Membership(m)))
        }
        Kind::Person => {
            if !person_visible(ctx, &access, uuid).await? {
                return Ok(None);
            }
            loaders
                .people
                .load_one(uuid)
                .await?
                .map(|p| Node::Person(Person(p)))
        }
        Kind::RoleGrant => {
            let Some(grant) = loaders.grants.load_one(uuid).await? else {
                return Ok(None);
            };
            let path = match grant.cluster_id {
                Some(c) => cluster_path(ctx, c).await?,
                None => None,
            };
            let visible = access.person_id == Some(grant.person_id)
                || authz::manages_place(&access, grant.organisation_id, path.as_deref());
            visible.then_some(Node::RoleGrant(RoleGrant(grant)))
        }
        Kind::Meeting => visible_meeting(ctx, &access, uuid)
            .await?
            .map(|m| Node::Meeting(Meeting(m))),
        Kind::Attendance => {
            let Some(a) = loaders.attendance.load_one(uuid).await? else {
                return Ok(None);
            };
            membership_data_visible(ctx, &access, a.membership_id, false)
                .await?
                .then_some(Node::Attendance(Attendance(a)))
        }
        Kind::MeetingRecord => {
            let Some(record) = loaders.records_by_id.load_one(uuid).await? else {
                return Ok(None);
            };
            visible_meeting(ctx, &access, record.meeting_id)
                .await?
                .map(|meeting| Node::MeetingRecord(MeetingRecord { record, meeting }))
        }
        Kind::RecordAmendment => {
            let Some(a) = loaders.amendments_by_id.load_one(uuid).await? else {
                return Ok(None);
            };
            let Some(record) = loaders.records_by_id.load_one(a.record_id).await? else {
                return Ok(None);
            };
            visible_meeting(ctx, &access, record.meeting_id)
                .await?
                .map(|_| Node::RecordAmendment(RecordAmendment(a)))
        }
        // Only ever the viewer's own: anyone else's is NOT_FOUND, whoever asks.
        Kind::CheckIn => {
            found(crate::domain::care::check_ins::own(ctx.db()?, &access, uuid).await)?
                .map(|c| Node::CheckIn(crate::graphql::care::check_ins::CheckIn(c)))
        }
        Kind::Poll => found(crate::domain::care::polls::visible(ctx.db()?, &access, uuid).await)?
            .map(|(p, _)| Node::Poll(crate::graphql::care::polls::Poll(p))),
        Kind::Suggestion => {
            found(crate::domain::care::suggestions::visible(ctx.db()?, &access, uuid).await)?
                .map(|s| Node::Suggestion(crate::graphql::care::suggestions::Suggestion(s)))
        }
        Kind::BuddyPair => {
            found(crate::domain::care::buddies::visible(ctx.db()?, &access, uuid).await)?
                .map(|p| Node::BuddyPair(crate::graphql::care::buddies::BuddyPair(p)))
        }
        Kind::Application => found(
            crate::domain::care::admission::visible(ctx.db()?, &access, uuid).await,
        )?
        .map(|(a, _, _)| {
            Node::MembershipApplication(crate::graphql::care::admission::MembershipApplication(a))
        }),
        Kind::TrainingProgram
        | Kind::Competency
        | Kind::Workshop
        | Kind::WorkshopSession
        | Kind::Enrollment
        | Kind::Evidence
        | Kind::Certification
        | Kind::Mentorship => {
            crate::graphql::training::types::training_node(ctx, kind, uuid).await?
        }
        Kind::Resource
        | Kind::ResourceVersion
        | Kind::ResourceReview
        | Kind::ResourceAdoption
        | Kind::ResourceRating => {
            crate::graphql::resources::types::resource_node(ctx, kind, uuid).await?
        }
        Kind::ActionCommitment => {
            let Some(c) = loaders.commitments.load_one(uuid).await? else {
                return Ok(None);
            };
            membership_data_visible(ctx, &access, c.membership_id, true)
                .await?
                .then_some(Node::ActionCommitment(ActionCommitment(c)))
        }
    })
}
