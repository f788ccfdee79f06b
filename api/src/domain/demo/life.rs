//! The demo network's group life: twelve weeks of held meetings with agendas, uneven
//! attendance, finalised records and commitments in every status, the coming eight weeks
//! planned by the rotation, and one facilitator who is carrying too much.

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use entity::{
    AssignedBy, AttendanceStatus, CadenceFrequency, CommitmentStatus, MeetingStatus, MeetingTheme,
    action_commitment, attendance, facilitator_load_report, group, group_review, meeting,
    meeting_record, membership,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::{
    domain::meetings::{
        agenda,
        cadence::{self, Cadence},
        rotation::{self, Candidate, Slot},
    },
    error::{AppError, AppResult},
};

/// Deterministic "randomness": the same demo every time.
pub(super) fn roll(a: usize, b: usize, salt: usize) -> usize {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ salt as u64;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x ^ (x >> 29)) as usize % 100
}

const TOPICS: &[&str] = &[
    "Sleep when you are on call",
    "Saying no without guilt",
    "Asking family for help",
    "Small rituals that restore",
    "When the paperwork piles up",
    "Boundaries with the people we care for",
    "Getting through the winter",
    "What went well this fortnight",
];

const COMMITMENTS: &[&str] = &[
    "Take a 20-minute walk three times this week",
    "Ask my sister to cover one evening",
    "Switch off work messages after 8 pm",
    "Write down one thing that went well each day",
    "Book the appointment I have been putting off",
    "Try the two-minute breathing exercise before bed",
];

fn starts(
    g: &group::Model,
    now: DateTime<Utc>,
    from_days: i64,
    to_days: i64,
) -> AppResult<Vec<DateTime<Utc>>> {
    let tz = chrono_tz::Tz::from_str(&g.timezone).map_err(AppError::internal)?;
    let today = now.with_timezone(&tz).date_naive();
    let (from, until) = (
        today + Duration::days(from_days),
        today + Duration::days(to_days),
    );
    match (g.cadence_weekday, g.cadence_local_start_time.as_deref()) {
        (Some(weekday), Some(time)) if g.cadence_frequency != CadenceFrequency::AdHoc => {
            let cadence = Cadence {
                frequency: g.cadence_frequency,
                weekday,
                week_of_month: g.cadence_week_of_month,
                local_start: NaiveTime::parse_from_str(time, "%H:%M")
                    .map_err(AppError::internal)?,
                tz,
            };
            Ok(cadence::occurrences(&cadence, None, from, until))
        }
        // Ad hoc groups meet every three weeks or so.
        _ => Ok((0..)
            .map(|i| from + Duration::days(3 + 21 * i))
            .take_while(|d| *d <= until)
            .filter_map(|d| cadence::to_utc(tz, d.and_hms_opt(18, 0, 0).unwrap_or_default()))
            .collect()),
    }
}

fn new_meeting(
    g: &group::Model,
    at: DateTime<Utc>,
    status: MeetingStatus,
    topic: Option<&str>,
) -> meeting::ActiveModel {
    let minutes = i64::from(g.cadence_duration_minutes);
    meeting::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(g.id),
        starts_at: Set(at),
        ends_at: Set(at + Duration::minutes(minutes)),
        timezone: Set(g.timezone.clone()),
        modality: Set(None),
        venue_name: Set(None),
        venue_area: Set(None),
        venue_address: Set(None),
        venue_location_notes: Set(None),
        venue_approximate: Set(None),
        conference_url: Set(None),
        status: Set(status),
        theme: Set(Some(MeetingTheme::ExperienceSharing)),
        topic: Set(topic.map(str::to_owned)),
        facilitator_id: Set(None),
        co_facilitator_id: Set(None),
        facilitator_assigned_by: Set(None),
        agenda: Set(agenda::to_json(&agenda::fitted(None, minutes))),
        cancel_reason: Set(None),
        cancelled_at: Set(None),
        from_cadence: Set(true),
        cadence_date: Set(None),
        version: Set(1),
        created_at: Set(at - Duration::days(14)),
        updated_at: Set(at),
    }
}

pub async fn populate(
    db: &impl ConnectionTrait,
    g: &group::Model,
    members: &[membership::Model],
    group_index: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let leads: Vec<&membership::Model> = members.iter().filter(|m| m.role.runs_group()).collect();
    let lead = |i: usize| leads.get(i % leads.len().max(1)).map(|m| m.id);
    let past = starts(g, now, -84, -1)?;
    let last = past.len().saturating_sub(1);
    let mut history: Vec<(Uuid, DateTime<Utc>)> = Vec::new();
    // Blocks seen so far: each new block goes to the next lead.
    let (mut block, mut seen_block) = (0usize, None);
    for (i, at) in past.iter().enumerate() {
        let topic = TOPICS[(i + group_index) % TOPICS.len()];
        let mut m = new_meeting(g, *at, MeetingStatus::Held, Some(topic));
        // The first group's lead facilitator has run every meeting: the at-risk example.
        // Everyone else follows the rotation's two-week blocks.
        let index = rotation::block_index(at.date_naive(), g.rotation_period_weeks);
        if seen_block != Some(index) {
            seen_block = Some(index);
            block += 1;
        }
        let facilitator = if group_index == 0 {
            lead(0)
        } else {
            lead(block)
        };
        m.facilitator_id = Set(facilitator);
        m.co_facilitator_id = Set(if group_index == 0 {
            lead(1)
        } else {
            lead(block + 1)
        }
        .filter(|c| Some(*c) != facilitator));
        m.facilitator_assigned_by = Set(Some(AssignedBy::Rotation));
        let m = m.insert(db).await?;
        if let Some(f) = facilitator {
            history.push((f, m.starts_at));
        }
        let mut present = Vec::new();
        for (k, member) in members.iter().enumerate() {
            // Each member has their own reliability: some come nearly always, some rarely.
            let reliability = [95, 90, 80, 65, 50][k % 5];
            let status = match roll(k, i, group_index) {
                r if r < reliability => AttendanceStatus::Present,
                r if r < reliability + (100 - reliability) / 2 => AttendanceStatus::Excused,
                _ => AttendanceStatus::Absent,
            };
            if status == AttendanceStatus::Present {
                present.push(member);
            }
            attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                meeting_id: Set(m.id),
                membership_id: Set(member.id),
                status: Set(status),
                recorded_by: Set(None),
                recorded_at: Set(m.ends_at),
            }
            .insert(db)
            .await?;
        }
        for (c, member) in present.iter().take(2).enumerate() {
            // Older commitments have been reviewed (every status appears); the latest are open.
            let status = if i == last {
                CommitmentStatus::Open
            } else {
                [
                    CommitmentStatus::Done,
                    CommitmentStatus::Partial,
                    CommitmentStatus::Done,
                    CommitmentStatus::NotDone,
                    CommitmentStatus::Dropped,
                ][roll(i, c, group_index + 7) % 5]
            };
            let reviewed = status != CommitmentStatus::Open;
            action_commitment::ActiveModel {
                id: Set(Uuid::now_v7()),
                meeting_id: Set(m.id),
                membership_id: Set(member.id),
                text: Set(COMMITMENTS[(i + c + group_index) % COMMITMENTS.len()].to_owned()),
                due_on: Set(None),
                status: Set(status),
                created_by: Set(None),
                review_note: Set(None),
                reviewed_by: Set(None),
                reviewed_at: Set(reviewed.then(|| m.starts_at + Duration::days(7))),
                created_at: Set(m.ends_at),
                updated_at: Set(m.ends_at),
            }
            .insert(db)
            .await?;
        }
        meeting_record::ActiveModel {
            id: Set(Uuid::now_v7()),
            meeting_id: Set(m.id),
            summary: Set(format!(
                "{} came. We talked about: {}.",
                present.len(),
                topic.to_lowercase()
            )),
            topics: Set(serde_json::to_string(&[topic]).map_err(AppError::internal)?),
            decisions: Set(
                serde_json::to_string(&["Keep the check-in round to one minute each"])
                    .map_err(AppError::internal)?,
            ),
            finalized_by: Set(None),
            finalized_at: Set(m.ends_at + Duration::hours(1)),
        }
        .insert(db)
        .await?;
    }
    // The coming eight weeks, planned by the rotation.
    let future = starts(g, now, 0, 56)?;
    let mut slots = Vec::new();
    for at in future.into_iter().filter(|t| *t > now) {
        let m = new_meeting(g, at, MeetingStatus::Scheduled, None)
            .insert(db)
            .await?;
        let tz = chrono_tz::Tz::from_str(&g.timezone).map_err(AppError::internal)?;
        slots.push(Slot {
            meeting_id: m.id,
            starts_at: at,
            local_date: at.with_timezone(&tz).date_naive(),
            manual: None,
        });
    }
    let candidates: Vec<Candidate> = leads
        .iter()
        .map(|l| {
            let mine: Vec<&(Uuid, DateTime<Utc>)> =
                history.iter().filter(|(f, _)| *f == l.id).collect();
            Candidate {
                membership_id: l.id,
                last: mine.iter().map(|(_, t)| *t).max(),
                count: mine.len() as u32,
                unavailable: Vec::new(),
                may_lead: true,
                may_co: true,
            }
        })
        .collect();
    let tz = chrono_tz::Tz::from_str(&g.timezone).map_err(AppError::internal)?;
    let history_leads = rotation::block_leads(
        history
            .iter()
            .map(|(f, at)| (at.with_timezone(&tz).date_naive(), *at, *f)),
        g.rotation_period_weeks,
    );
    let previous = rotation::Previous::from_leads(&history_leads);
    let max = u32::try_from(g.rotation_max_consecutive_blocks).unwrap_or(1);
    for a in rotation::plan(g.rotation_period_weeks, max, candidates, previous, &slots) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        meeting::Entity::update_many()
            .col_expr(meeting::Column::FacilitatorId, Expr::value(a.facilitator))
            .col_expr(
                meeting::Column::CoFacilitatorId,
                Expr::value(a.co_facilitator),
            )
            .col_expr(
                meeting::Column::FacilitatorAssignedBy,
                Expr::value(a.facilitator.map(|_| AssignedBy::Rotation)),
            )
            .filter(meeting::Column::Id.eq(a.meeting_id))
            .exec(db)
            .await?;
    }
    if group_index == 0
        && let Some(tired) = leads.first()
    {
        facilitator_load_report::ActiveModel {
            id: Set(Uuid::now_v7()),
            membership_id: Set(tired.id),
            rating: Set(4),
            note: Set(Some(
                "Running every session lately; could use a break.".to_owned(),
            )),
            created_at: Set(now - Duration::days(3)),
        }
        .insert(db)
        .await?;
    }
    // Half the groups have had their first-three-sessions review.
    if group_index % 2 == 1 {
        group_review::ActiveModel {
            id: Set(Uuid::now_v7()),
            group_id: Set(g.id),
            notes: Set("Settled well; the agenda works. Keep rotating the icebreaker.".to_owned()),
            reviewed_by: Set(None),
            created_at: Set(now - Duration::days(40)),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
