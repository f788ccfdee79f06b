use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{group, membership, pledge};

use crate::{
    domain::care::pledges::{self, Standing},
    error::AppError,
    graphql::{
        context::{ContextExt, signed_in},
        groups::types::{Group, Membership},
        ids::{self, Kind},
        loaders::care::{AcceptanceKey, ActiveMembersKey, CurrentPledgeKey},
        meetings::types::runs,
    },
};

/// One version of a group's confidentiality pledge.
#[derive(Clone)]
pub struct Pledge(pub pledge::Model);

#[Object]
impl Pledge {
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn text(&self) -> &str {
        &self.0.text
    }

    async fn published_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum PledgeStanding {
    Missing,
    Expired,
    ExpiringSoon,
}

impl From<Standing> for PledgeStanding {
    fn from(s: Standing) -> Self {
        match s {
            Standing::Missing => Self::Missing,
            Standing::Expired => Self::Expired,
            Standing::ExpiringSoon => Self::ExpiringSoon,
        }
    }
}

/// A member whose pledge needs attention.
#[derive(SimpleObject)]
pub struct PledgeStatusEntry {
    pub membership: Membership,
    pub standing: PledgeStanding,
    pub valid_until: Option<DateTime<Utc>>,
}

/// `Group.pledge`: the current version, for anyone who can see the group (people read it
/// before joining).
pub async fn group_pledge(ctx: &Context<'_>, g: &group::Model) -> Result<Option<Pledge>> {
    Ok(ctx
        .loaders()?
        .care
        .load_one(CurrentPledgeKey(g.id))
        .await?
        .map(Pledge))
}

async fn valid_until(ctx: &Context<'_>, m: &membership::Model) -> Result<Option<DateTime<Utc>>> {
    let loaders = ctx.loaders()?;
    let Some(current) = loaders.care.load_one(CurrentPledgeKey(m.group_id)).await? else {
        return Ok(None);
    };
    let key = AcceptanceKey {
        pledge: current.id,
        person: m.person_id,
    };
    Ok(loaders.care.load_one(key).await?.map(|a| a.valid_until))
}

/// `Membership.pledgeValidUntil`: for the member and the group's facilitators.
pub async fn membership_valid_until(
    ctx: &Context<'_>,
    m: &membership::Model,
) -> Result<Option<DateTime<Utc>>> {
    if ctx.viewer()?.person_id != Some(m.person_id) {
        let g = crate::graphql::loaders::must(
            &ctx.loaders()?.groups_unchecked,
            m.group_id,
            "membership without group",
        )
        .await?;
        if !runs(ctx, &g).await? {
            return Err(
                AppError::forbidden("a member's pledge is for them and the facilitators").into(),
            );
        }
    }
    valid_until(ctx, m).await
}

/// `Group.pledgeStatus`: active members whose pledge is missing, expired or expiring within 30
/// days; for the group's facilitators and managers.
pub async fn pledge_status(ctx: &Context<'_>, g: &group::Model) -> Result<Vec<PledgeStatusEntry>> {
    if !runs(ctx, g).await? {
        return Err(AppError::forbidden("pledge status is for the group's facilitators").into());
    }
    let loaders = ctx.loaders()?;
    let Some(current) = loaders.care.load_one(CurrentPledgeKey(g.id)).await? else {
        return Ok(Vec::new());
    };
    let members = loaders
        .care
        .load_one(ActiveMembersKey(g.id))
        .await?
        .unwrap_or_default();
    let keys: Vec<AcceptanceKey> = members
        .iter()
        .map(|m| AcceptanceKey {
            pledge: current.id,
            person: m.person_id,
        })
        .collect();
    let accepted = loaders.care.load_many(keys).await?;
    let now = Utc::now();
    Ok(members
        .into_iter()
        .filter_map(|m| {
            let until = accepted
                .get(&AcceptanceKey {
                    pledge: current.id,
                    person: m.person_id,
                })
                .map(|a| a.valid_until);
            pledges::standing(until, now).map(|s| PledgeStatusEntry {
                membership: Membership(m),
                standing: s.into(),
                valid_until: until,
            })
        })
        .collect())
}

#[derive(InputObject)]
pub struct PublishPledgeInput {
    pub group_id: ID,
    pub text: String,
}

#[derive(InputObject)]
pub struct AcceptPledgeInput {
    pub group_id: ID,
    /// Must be the current version.
    pub version: i32,
}

#[derive(SimpleObject)]
pub struct PublishPledgePayload {
    pub pledge: Pledge,
}

#[derive(SimpleObject)]
pub struct AcceptPledgePayload {
    pub group: Group,
    pub valid_until: DateTime<Utc>,
}

#[derive(Default)]
pub struct PledgeMutation;

#[Object]
impl PledgeMutation {
    /// A new version of the group's pledge (facilitators and managers).
    async fn publish_pledge(
        &self,
        ctx: &Context<'_>,
        input: PublishPledgeInput,
    ) -> Result<PublishPledgePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let p = pledges::publish(ctx.db()?, &access, id, &input.text).await?;
        Ok(PublishPledgePayload { pledge: Pledge(p) })
    }

    /// Accepts (or renews) the group's current pledge.
    async fn accept_pledge(
        &self,
        ctx: &Context<'_>,
        input: AcceptPledgeInput,
    ) -> Result<AcceptPledgePayload> {
        let access = signed_in(ctx).await?;
        let id = ids::decode(Kind::Group, "groupId", &input.group_id)?;
        let months = ctx.services()?.config.pledge_validity_months;
        let a = pledges::accept(ctx.db()?, &access, id, input.version, months).await?;
        let g = crate::domain::groups::core::find_group(ctx.db()?, id).await?;
        Ok(AcceptPledgePayload {
            group: Group(g),
            valid_until: a.valid_until,
        })
    }
}
