//! Facilitator load and burnout signals: how much each facilitator has carried lately, and
//! their own, explicitly shared rating.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{MeetingStatus, facilitator_load_report, group, meeting, membership};
use sea_orm::{ActiveModelTrait, Set, TransactionSession as _, TransactionTrait};
use std::str::FromStr;
use uuid::Uuid;

use crate::{
    domain::{
        access::Access, authz::require_person, groups::core::visible_group, values::optional_text,
    },
    error::{AppError, AppResult},
};

/// More meetings than this in the last 8 weeks is a risk signal.
pub const MAX_MEETINGS_8_WEEKS: i32 = 4;
/// A self-reported load at or above this is a risk signal.
pub const HIGH_SELF_REPORT: i32 = 4;
/// Meetings and self-reports count for this long.
pub const WINDOW_WEEKS: i64 = 8;
/// How far back the block runs are read: enough for the rotation policies groups use.
pub const HISTORY_WEEKS: i64 = 16;

/// What the load of a group's facilitators is computed from.
#[derive(Clone, Debug, Default)]
pub struct LoadData {
    /// The group's active facilitators and co-facilitators.
    pub facilitators: Vec<membership::Model>,
    /// Meetings of the last `HISTORY_WEEKS` up to now (enough for 8 weeks and the block runs).
    pub meetings: Vec<meeting::Model>,
    /// Self-reports of the last `WINDOW_WEEKS`.
    pub reports: Vec<facilitator_load_report::Model>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoadEntry {
    pub membership: membership::Model,
    pub meetings_last_8_weeks: i32,
    pub consecutive_blocks: i32,
    pub last_facilitated_at: Option<DateTime<Utc>>,
    pub self_reported_load: Option<i32>,
    pub at_risk: bool,
    pub reasons: Vec<String>,
}

/// The load of each facilitating membership, from the group's meetings up to `now` (not
/// cancelled) and the latest self-report of the last 8 weeks.
pub fn compute(
    g: &group::Model,
    facilitators: Vec<membership::Model>,
    meetings: &[meeting::Model],
    reports: &[facilitator_load_report::Model],
    now: DateTime<Utc>,
) -> Vec<LoadEntry> {
    let tz = chrono_tz::Tz::from_str(&g.timezone).unwrap_or(chrono_tz::UTC);
    let since = now - Duration::weeks(WINDOW_WEEKS);
    let past: Vec<&meeting::Model> = meetings
        .iter()
        .filter(|m| {
            m.status != MeetingStatus::Cancelled && m.starts_at <= now && m.facilitator_id.is_some()
        })
        .collect();
    let leads = super::rotation::block_leads(
        past.iter().filter_map(|m| {
            m.facilitator_id
                .map(|f| (m.starts_at.with_timezone(&tz).date_naive(), m.starts_at, f))
        }),
        g.rotation_period_weeks,
    );
    let mut latest_report: HashMap<Uuid, &facilitator_load_report::Model> = HashMap::new();
    for r in reports.iter().filter(|r| r.created_at >= since) {
        let newer = latest_report
            .get(&r.membership_id)
            .is_none_or(|seen| r.created_at > seen.created_at);
        if newer {
            latest_report.insert(r.membership_id, r);
        }
    }
    facilitators
        .into_iter()
        .map(|membership| {
            let mine: Vec<&&meeting::Model> =
                past.iter().filter(|m| m.facilitator_id == Some(membership.id)).collect();
            let recent = mine.iter().filter(|m| m.starts_at >= since).count() as i32;
            let consecutive = leads.iter().take_while(|(_, lead)| *lead == membership.id).count() as i32;
            let self_reported = latest_report.get(&membership.id).map(|r| r.rating);
            let mut reasons = Vec::new();
            if recent > MAX_MEETINGS_8_WEEKS {
                reasons.push(format!("facilitated {recent} meetings in the last 8 weeks (more than {MAX_MEETINGS_8_WEEKS})"));
            }
            if consecutive > g.rotation_max_consecutive_blocks {
                reasons.push(format!(
                    "{consecutive} blocks in a row (the rotation policy allows {})",
                    g.rotation_max_consecutive_blocks
                ));
            }
            if let Some(rating) = self_reported.filter(|r| *r >= HIGH_SELF_REPORT) {
                reasons.push(format!("reported a load of {rating} out of 5"));
            }
            LoadEntry {
                meetings_last_8_weeks: recent,
                consecutive_blocks: consecutive,
                last_facilitated_at: mine.iter().map(|m| m.starts_at).max(),
                self_reported_load: self_reported,
                at_risk: !reasons.is_empty(),
                reasons,
                membership,
            }
        })
        .collect()
}

/// A facilitator shares how heavy the role feels (1–5); only they can report for themself.
pub async fn report_load(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    rating: i32,
    note: Option<String>,
) -> AppResult<facilitator_load_report::Model> {
    let me = require_person(access)?;
    if !(1..=5).contains(&rating) {
        return Err(AppError::bad_input(
            "rating",
            "a rating is 1 (light) to 5 (too much)",
        ));
    }
    let note = optional_text("note", note.as_deref(), 1000)?;
    let txn = crate::domain::begin(db).await?;
    let (g, _) = visible_group(&txn, access, group_id).await?;
    let mine = crate::domain::groups::core::active_membership(&txn, g.id, me)
        .await?
        .filter(|m| m.role.runs_group())
        .ok_or_else(|| AppError::forbidden("only the group's facilitators report their load"))?;
    let saved = facilitator_load_report::ActiveModel {
        id: Set(Uuid::now_v7()),
        membership_id: Set(mine.id),
        rating: Set(rating),
        note: Set(note),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}
