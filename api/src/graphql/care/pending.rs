//! `Viewer.pendingActions`: the viewer's own to-do list across their groups.

use async_graphql::{Context, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    domain::care::pending,
    graphql::{
        care::{
            admission::MembershipApplication,
            pledges::{Pledge, PledgeStanding},
            polls::Poll,
        },
        context::ContextExt,
        groups::types::Group,
        meetings::types::ActionCommitment,
    },
};

/// A pledge to accept (missing or expired) or to renew (expiring within 30 days).
#[derive(SimpleObject)]
pub struct PledgeToAccept {
    pub group: Group,
    pub pledge: Pledge,
    pub standing: PledgeStanding,
    pub valid_until: Option<DateTime<Utc>>,
}

/// A group where the viewer has not checked in since its last meeting.
#[derive(SimpleObject)]
pub struct CheckInDue {
    pub group: Group,
    pub last_meeting_at: DateTime<Utc>,
}

/// Each list holds at most 50 items.
#[derive(SimpleObject, Default)]
pub struct PendingActions {
    pub pledges: Vec<PledgeToAccept>,
    /// The viewer's own commitments still OPEN.
    pub commitments_to_review: Vec<ActionCommitment>,
    /// Open polls in the viewer's groups they have not voted in.
    pub polls_to_vote: Vec<Poll>,
    /// Undecided applications to the viewer's groups awaiting their vote.
    pub applications_to_vote: Vec<MembershipApplication>,
    pub check_ins_due: Vec<CheckInDue>,
    /// All of the above together.
    pub count: i32,
}

pub async fn viewer_pending(ctx: &Context<'_>) -> Result<PendingActions> {
    let Some(me) = ctx.viewer()?.person_id else {
        return Ok(PendingActions::default());
    };
    let p = pending::for_person(ctx.db()?, me, Utc::now()).await?;
    let count = p.pledges.len()
        + p.commitments.len()
        + p.polls.len()
        + p.applications.len()
        + p.check_ins.len();
    Ok(PendingActions {
        pledges: p
            .pledges
            .into_iter()
            .map(|d| PledgeToAccept {
                group: Group(d.group),
                pledge: Pledge(d.pledge),
                standing: d.standing.into(),
                valid_until: d.valid_until,
            })
            .collect(),
        commitments_to_review: p.commitments.into_iter().map(ActionCommitment).collect(),
        polls_to_vote: p.polls.into_iter().map(Poll).collect(),
        applications_to_vote: p
            .applications
            .into_iter()
            .map(MembershipApplication)
            .collect(),
        check_ins_due: p
            .check_ins
            .into_iter()
            .map(|d| CheckInDue {
                group: Group(d.group),
                last_meeting_at: d.last_meeting_at,
            })
            .collect(),
        count: i32::try_from(count).unwrap_or(i32::MAX),
    })
}
