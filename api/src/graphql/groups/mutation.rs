use async_graphql::{Context, Object, Result, SimpleObject};

use super::{
    inputs::{
        CreateGroupInput, JoinGroupInput, LeaveGroupInput, MoveGroupInput, RemoveMemberInput,
        SetMembershipRoleInput, UpdateGroupInput,
    },
    types::{Group, Membership},
};
use crate::{
    domain::{
        groups, memberships,
        throttle::{self, Oracle},
    },
    graphql::{
        context::{ContextExt, signed_in},
        ids::{self, Kind},
    },
};

#[derive(Default)]
pub struct GroupMutation;

#[derive(SimpleObject)]
pub struct CreateGroupPayload {
    pub group: Group,
}

#[derive(SimpleObject)]
pub struct UpdateGroupPayload {
    pub group: Group,
}

#[derive(SimpleObject)]
pub struct MoveGroupPayload {
    pub group: Group,
}

#[Object]
impl GroupMutation {
    /// COORDINATOR of the cluster (or above) or ADMIN.
    async fn create_group(
        &self,
        ctx: &Context<'_>,
        input: CreateGroupInput,
    ) -> Result<CreateGroupPayload> {
        let access = signed_in(ctx).await?;
        let cluster = ids::decode(Kind::Cluster, "clusterId", &input.cluster_id)?;
        let db = ctx.db()?;
        let create = groups::create_group(db, &access, cluster, input.into_fields()?);
        let actors = throttle::actors(access.person_id, &ctx.viewer()?.client_addr);
        let g = throttle::guard(db, Oracle::SlugUnavailable, &actors, create).await?;
        Ok(CreateGroupPayload { group: Group(g) })
    }

    /// The group's facilitators and managers.
    async fn update_group(
        &self,
        ctx: &Context<'_>,
        input: UpdateGroupInput,
    ) -> Result<UpdateGroupPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let version = input.expected_version;
        let db = ctx.db()?;
        let update = groups::update_group(db, &access, id, version, input.into_fields()?);
        let actors = throttle::actors(access.person_id, &ctx.viewer()?.client_addr);
        let g = throttle::guard(db, Oracle::SlugUnavailable, &actors, update).await?;
        Ok(UpdateGroupPayload { group: Group(g) })
    }

    /// Managers of both the current and the new cluster.
    async fn move_group(
        &self,
        ctx: &Context<'_>,
        input: MoveGroupInput,
    ) -> Result<MoveGroupPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let cluster = ids::decode(Kind::Cluster, "clusterId", &input.cluster_id)?;
        let g = groups::move_group(ctx.db()?, &access, id, cluster, input.expected_version).await?;
        Ok(MoveGroupPayload { group: Group(g) })
    }
}

#[derive(Default)]
pub struct MembershipMutation;

#[derive(SimpleObject)]
pub struct JoinGroupPayload {
    /// ACTIVE, WAITLISTED (the group is full) or PENDING (admission by consent).
    pub membership: Membership,
}

#[derive(SimpleObject)]
pub struct LeaveGroupPayload {
    pub membership: Membership,
}

#[derive(SimpleObject)]
pub struct SetMembershipRolePayload {
    pub membership: Membership,
}

#[derive(SimpleObject)]
pub struct RemoveMemberPayload {
    pub membership: Membership,
}

#[Object]
impl MembershipMutation {
    async fn join_group(
        &self,
        ctx: &Context<'_>,
        input: JoinGroupInput,
    ) -> Result<JoinGroupPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let m = memberships::join_group(ctx.db()?, &access, id, input.statement).await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(JoinGroupPayload {
            membership: Membership(m),
        })
    }

    /// Frees the seat for the longest-waiting person on the waitlist.
    async fn leave_group(
        &self,
        ctx: &Context<'_>,
        input: LeaveGroupInput,
    ) -> Result<LeaveGroupPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let m = memberships::leave_group(ctx.db()?, &access, id).await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(LeaveGroupPayload {
            membership: Membership(m),
        })
    }

    /// The group's FACILITATOR or its managers.
    async fn set_membership_role(
        &self,
        ctx: &Context<'_>,
        input: SetMembershipRoleInput,
    ) -> Result<SetMembershipRolePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Membership, "membershipId", &input.membership_id)?;
        let m = memberships::set_membership_role(ctx.db()?, &access, id, input.role.into()).await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(SetMembershipRolePayload {
            membership: Membership(m),
        })
    }

    /// The group's facilitators or managers.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        input: RemoveMemberInput,
    ) -> Result<RemoveMemberPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Membership, "membershipId", &input.membership_id)?;
        let m = memberships::remove_member(ctx.db()?, &access, id).await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(RemoveMemberPayload {
            membership: Membership(m),
        })
    }
}
