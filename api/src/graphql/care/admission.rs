//! Admission by consent: applications, the members' votes on them, and their outcome.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{ApplicationStatus as Stored, membership_application};

use crate::graphql::loaders::{
    CountKey,
    care_lists::{CareList, CarePage, group_page},
};
use crate::{
    connection,
    domain::{care::admission, pagination::PageArgs},
    error::{AppError, AppResult},
    graphql::{
        accounts::types::Person,
        connection::Total,
        context::{ContextExt, signed_in},
        enums::{ApplicationStatus, ConsentVote},
        groups::types::Group,
        ids::{self, Kind},
        loaders::{
            care::{ActiveMembersKey, ApplicationVotesKey},
            must,
        },
        meetings::types::{require_insider, runs},
    },
};

/// A request to join a BY_CONSENT group, made by the applicant or proposed by a member.
#[derive(Clone)]
pub struct MembershipApplication(pub membership_application::Model);

/// Where the votes stand. No field says who voted how.
#[derive(SimpleObject)]
pub struct ApplicationTally {
    pub consents: i32,
    pub objections: i32,
    pub abstentions: i32,
    /// Consents that approve it (with no objection standing).
    pub quorum: i32,
}

impl MembershipApplication {
    async fn group_model(&self, ctx: &Context<'_>) -> AppResult<entity::group::Model> {
        must(
            &ctx.loaders()?.groups_unchecked,
            self.0.group_id,
            "application without group",
        )
        .await
    }

    async fn votes(&self, ctx: &Context<'_>) -> AppResult<Vec<entity::application_vote::Model>> {
        Ok(ctx
            .loaders()?
            .care
            .load_one(ApplicationVotesKey(self.0.id))
            .await?
            .unwrap_or_default())
    }

    fn is_applicant(&self, ctx: &Context<'_>) -> AppResult<bool> {
        Ok(ctx.viewer()?.person_id == Some(self.0.person_id))
    }
}

#[Object]
impl MembershipApplication {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Application, self.0.id)
    }

    async fn group(&self, ctx: &Context<'_>) -> Result<Group> {
        Ok(Group(self.group_model(ctx).await?))
    }

    async fn applicant(&self, ctx: &Context<'_>) -> Result<Person> {
        let p = must(&ctx.loaders()?.people, self.0.person_id, "applicant").await?;
        Ok(Person(p))
    }

    /// The member who proposed the applicant; null when they applied themselves.
    async fn proposed_by(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = self.0.proposed_by else {
            return Ok(None);
        };
        Ok(ctx.loaders()?.people.load_one(id).await?.map(Person))
    }

    async fn statement(&self) -> Option<&str> {
        self.0.statement.as_deref()
    }

    async fn status(&self) -> ApplicationStatus {
        self.0.status_at(Utc::now()).into()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When an undecided application lapses.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        match self.0.status_at(Utc::now()) {
            Stored::Expired => Some(self.0.expires_at),
            _ => self.0.decided_at,
        }
    }

    /// For the group's members and managers; the applicant sees the status only.
    async fn tally(&self, ctx: &Context<'_>) -> Result<ApplicationTally> {
        let g = self.group_model(ctx).await?;
        if self.is_applicant(ctx)? {
            return Err(AppError::forbidden("the applicant sees the status, not the votes").into());
        }
        require_insider(ctx, &g, "tallies").await?;
        // Only the votes of people still active stand, as when the application is decided.
        let active: std::collections::HashSet<uuid::Uuid> = ctx
            .loaders()?
            .care
            .load_one(ActiveMembersKey(g.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.person_id)
            .collect();
        let votes: Vec<_> = self
            .votes(ctx)
            .await?
            .into_iter()
            .filter(|v| active.contains(&v.person_id))
            .collect();
        let count = |v: entity::ConsentVote| {
            i32::try_from(votes.iter().filter(|x| x.vote == v).count()).unwrap_or(i32::MAX)
        };
        Ok(ApplicationTally {
            consents: count(entity::ConsentVote::Consent),
            objections: count(entity::ConsentVote::Object),
            abstentions: count(entity::ConsentVote::Abstain),
            quorum: admission::quorum(&g),
        })
    }

    /// The viewer's own vote.
    async fn viewer_vote(&self, ctx: &Context<'_>) -> Result<Option<ConsentVote>> {
        let Some(me) = ctx.viewer()?.person_id else {
            return Ok(None);
        };
        Ok(self
            .votes(ctx)
            .await?
            .iter()
            .find(|v| v.person_id == me)
            .map(|v| v.vote.into()))
    }

    /// Why members object, without who: for the group's facilitators and managers.
    async fn objection_reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let g = self.group_model(ctx).await?;
        if self.is_applicant(ctx)? || !runs(ctx, &g).await? {
            return Err(AppError::forbidden("objections are for the facilitators").into());
        }
        let mut reasons: Vec<String> = self
            .votes(ctx)
            .await?
            .into_iter()
            .filter_map(|v| v.reason)
            .collect();
        reasons.sort();
        Ok(reasons)
    }
}

connection!(
    MembershipApplicationConnection,
    MembershipApplicationEdge,
    MembershipApplication,
    "A page of applications."
);

/// `Group.applications`: newest first, for the group's members and managers. PENDING means
/// still open (not yet expired).
pub async fn group_applications(
    ctx: &Context<'_>,
    g: &entity::group::Model,
    status: Option<ApplicationStatus>,
    args: PageArgs,
) -> Result<MembershipApplicationConnection> {
    require_insider(ctx, g, "applications").await?;
    let list = CareList::Applications(status.map(Into::into));
    let CarePage::Applications(page) = group_page(ctx, g.id, list, args).await? else {
        return Err(AppError::internal("applications page of another kind").into());
    };
    let total = Total::Batched(CountKey::CareList { group: g.id, list });
    Ok(MembershipApplicationConnection::new(
        page.map(MembershipApplication),
        total,
    ))
}

/// `Viewer.applications`: the viewer's own, newest first.
pub async fn viewer_applications(
    ctx: &Context<'_>,
    args: PageArgs,
) -> Result<MembershipApplicationConnection> {
    let access = crate::graphql::context::access(ctx).await?;
    let (found, total) = admission::own_applications(ctx.db()?, &access, &args).await?;
    Ok(MembershipApplicationConnection::new(
        found.map(MembershipApplication),
        Total::Known(total),
    ))
}

#[derive(InputObject)]
pub struct ProposeMemberInput {
    pub group_id: ID,
    pub person_id: ID,
    /// Why they would fit; the group discussed it beforehand.
    pub statement: Option<String>,
}

#[derive(InputObject)]
pub struct VoteOnApplicationInput {
    pub application_id: ID,
    pub vote: ConsentVote,
    /// Required with OBJECT; read by the facilitators only.
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct DeclineApplicationInput {
    pub application_id: ID,
}

#[derive(SimpleObject)]
pub struct ProposeMemberPayload {
    pub application: MembershipApplication,
}

#[derive(SimpleObject)]
pub struct VoteOnApplicationPayload {
    pub application: MembershipApplication,
}

#[derive(SimpleObject)]
pub struct DeclineApplicationPayload {
    pub application: MembershipApplication,
}

#[derive(Default)]
pub struct AdmissionMutation;

#[Object]
impl AdmissionMutation {
    /// An active member proposes someone for a BY_CONSENT group.
    async fn propose_member(
        &self,
        ctx: &Context<'_>,
        input: ProposeMemberInput,
    ) -> Result<ProposeMemberPayload> {
        let access = signed_in(ctx).await?;
        let group = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let person = ids::decode(Kind::Person, "personId", &input.person_id)?;
        let a = admission::propose(ctx.db()?, &access, group, person, input.statement).await?;
        Ok(ProposeMemberPayload {
            application: MembershipApplication(a),
        })
    }

    /// CONSENT, OBJECT (with a reason) or ABSTAIN; changeable until the application is
    /// decided. Approves it once consents reach the quorum with no objection.
    async fn vote_on_application(
        &self,
        ctx: &Context<'_>,
        input: VoteOnApplicationInput,
    ) -> Result<VoteOnApplicationPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Application, "applicationId", &input.application_id)?;
        let a = admission::vote(ctx.db()?, &access, id, input.vote.into(), input.reason).await?;
        crate::graphql::context::forget_access(ctx).await?;
        Ok(VoteOnApplicationPayload {
            application: MembershipApplication(a),
        })
    }

    /// A facilitator (or manager) declines an undecided application.
    async fn decline_application(
        &self,
        ctx: &Context<'_>,
        input: DeclineApplicationInput,
    ) -> Result<DeclineApplicationPayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Application, "applicationId", &input.application_id)?;
        let a = admission::decline(ctx.db()?, &access, id).await?;
        Ok(DeclineApplicationPayload {
            application: MembershipApplication(a),
        })
    }
}
