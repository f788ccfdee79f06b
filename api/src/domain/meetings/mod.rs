//! A group's meetings: scheduling (by hand or from the cadence), changes, cancellation and
//! agendas. Attendance, the shared record and commitments live in their own files.

pub mod agenda;
pub mod attendance;
pub mod cadence;
pub mod commitments;
pub mod load;
pub mod metric_reads;
pub mod metrics;
pub mod reads;
pub mod records;
pub mod reviews;
pub mod rotation;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use entity::{
    CadenceFrequency, GroupStatus, MeetingStatus, MeetingTheme, Modality, cluster, group, meeting,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession as _, TransactionTrait, sea_query::Expr,
};
use std::str::FromStr;
use uuid::Uuid;

use super::{
    access::Access,
    authz::{self, can_run_group, is_insider, require_person},
    groups::{
        Patch, VenueFields,
        core::{runnable_group, visible_group},
    },
    values::{optional_text, web_url},
};
use crate::error::{AppError, AppResult};
use agenda::AgendaItem;

/// How far ahead meetings may be generated from the cadence.
pub const MAX_WEEKS_AHEAD: i64 = 26;

/// Meetings belong to the group's insiders: its active members and its managers.
pub fn can_see_meeting(access: &Access, group: &group::Model, cluster_path: &str) -> bool {
    is_insider(access, group, cluster_path)
}

/// A meeting with its group and the group's cluster, NOT_FOUND unless the viewer is an
/// insider of the group.
pub async fn visible_meeting(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<(meeting::Model, group::Model, cluster::Model)> {
    let m = meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("meeting"))?;
    let (g, c) = visible_group(db, access, m.group_id)
        .await
        .map_err(|e| e.hidden_as("meeting"))?;
    if !can_see_meeting(access, &g, &c.path) {
        return Err(AppError::not_found("meeting"));
    }
    Ok((m, g, c))
}

/// A meeting the viewer may run (facilitators and managers of its group).
pub async fn runnable_meeting(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
    action: &str,
) -> AppResult<(meeting::Model, group::Model)> {
    let (m, g, c) = visible_meeting(db, access, id).await?;
    authz::check(true, can_run_group(access, &g, &c.path), "meeting", action)?;
    Ok((m, g))
}

pub struct MeetingFields {
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: Option<i32>,
    pub theme: Patch<MeetingTheme>,
    pub topic: Patch<String>,
    pub modality: Patch<Modality>,
    pub venue: Patch<VenueFields>,
    pub conference_url: Patch<String>,
}

fn check_duration(minutes: i64) -> AppResult<()> {
    if (15..=480).contains(&minutes) {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "durationMinutes",
            "a meeting lasts 15 to 480 minutes",
        ))
    }
}

/// Applies the fields to a meeting (new or stored), validating each.
fn apply(mut m: meeting::Model, f: MeetingFields) -> AppResult<meeting::Model> {
    let duration = f
        .duration_minutes
        .map(i64::from)
        .unwrap_or_else(|| m.duration_minutes());
    check_duration(duration)?;
    if let Some(start) = f.starts_at {
        let now = Utc::now();
        if start < now - Duration::days(30) || start > now + Duration::days(366) {
            return Err(AppError::bad_input(
                "startsAt",
                "a meeting starts within the last 30 days or the next year",
            ));
        }
        m.starts_at = start;
    }
    m.ends_at = m.starts_at + Duration::minutes(duration);
    match f.theme {
        Patch::Keep => {}
        Patch::Clear => m.theme = None,
        Patch::Set(theme) => m.theme = Some(theme),
    }
    match f.topic {
        Patch::Keep => {}
        Patch::Clear => m.topic = None,
        Patch::Set(topic) => m.topic = optional_text("topic", Some(&topic), 200)?,
    }
    match f.modality {
        Patch::Keep => {}
        Patch::Clear => m.modality = None,
        Patch::Set(modality) => m.modality = Some(modality),
    }
    match f.venue {
        Patch::Keep => {}
        Patch::Clear => {
            (
                m.venue_name,
                m.venue_area,
                m.venue_address,
                m.venue_location_notes,
            ) = (None, None, None, None);
            m.venue_approximate = None;
        }
        Patch::Set(v) => {
            m.venue_name = optional_text("venue.name", v.name.as_deref(), 200)?;
            m.venue_area = optional_text("venue.area", v.area.as_deref(), 200)?;
            m.venue_address = optional_text("venue.address", v.address.as_deref(), 1000)?;
            m.venue_location_notes =
                optional_text("venue.locationNotes", v.location_notes.as_deref(), 2000)?;
            m.venue_approximate = Some(v.approximate);
        }
    }
    match f.conference_url {
        Patch::Keep => {}
        Patch::Clear => m.conference_url = None,
        Patch::Set(url) => m.conference_url = Some(web_url("conferenceUrl", &url)?),
    }
    Ok(m)
}

fn blank(group: &group::Model, starts_at: DateTime<Utc>) -> meeting::Model {
    let now = Utc::now();
    let duration = i64::from(group.cadence_duration_minutes);
    meeting::Model {
        id: Uuid::now_v7(),
        group_id: group.id,
        starts_at,
        ends_at: starts_at + Duration::minutes(duration),
        timezone: group.timezone.clone(),
        modality: None,
        venue_name: None,
        venue_area: None,
        venue_address: None,
        venue_location_notes: None,
        venue_approximate: None,
        conference_url: None,
        status: MeetingStatus::Scheduled,
        theme: None,
        topic: None,
        facilitator_id: None,
        co_facilitator_id: None,
        facilitator_assigned_by: None,
        agenda: agenda::to_json(&agenda::fitted(group.agenda_template.as_deref(), duration)),
        cancel_reason: None,
        cancelled_at: None,
        from_cadence: false,
        cadence_date: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

async fn ensure_free_slot(
    db: &impl ConnectionTrait,
    group_id: Uuid,
    starts_at: DateTime<Utc>,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut q = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(group_id))
        .filter(meeting::Column::StartsAt.eq(starts_at));
    if let Some(id) = except {
        q = q.filter(meeting::Column::Id.ne(id));
    }
    if q.one(db).await?.is_some() {
        return Err(AppError::conflict(
            "the group already has a meeting starting then",
        ));
    }
    Ok(())
}

fn refuse_closed(group: &group::Model) -> AppResult<()> {
    if group.status == GroupStatus::Closed {
        return Err(AppError::bad_input(
            "groupId",
            "the group is CLOSED and holds no more meetings",
        ));
    }
    Ok(())
}

/// Facilitators and managers schedule a single meeting; it starts with the group's agenda.
pub async fn schedule_meeting(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    fields: MeetingFields,
) -> AppResult<meeting::Model> {
    require_person(access)?;
    let Some(starts_at) = fields.starts_at else {
        return Err(AppError::bad_input("startsAt", "startsAt is required"));
    };
    let txn = super::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "schedule meetings for this group").await?;
    refuse_closed(&g)?;
    let mut m = apply(blank(&g, starts_at), fields)?;
    let duration = m.duration_minutes();
    m.agenda = agenda::to_json(&agenda::fitted(g.agenda_template.as_deref(), duration));
    ensure_free_slot(&txn, g.id, m.starts_at, None).await?;
    let created = meeting::ActiveModel::from(m).insert(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

/// Generates the group's occurrences from today (in the group's zone) through `until`, never
/// more than 26 weeks ahead. Idempotent: occurrences that already exist are skipped, so
/// running it twice creates nothing new. Returns the meetings it created.
pub async fn schedule_from_cadence(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    until: NaiveDate,
) -> AppResult<Vec<meeting::Model>> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let g = runnable_group(&txn, access, group_id, "schedule meetings for this group").await?;
    refuse_closed(&g)?;
    let tz = chrono_tz::Tz::from_str(&g.timezone).map_err(AppError::internal)?;
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    if until < today {
        return Err(AppError::bad_input("until", "until must be today or later"));
    }
    let until = until.min(today + Duration::weeks(MAX_WEEKS_AHEAD));
    let (Some(weekday), Some(start)) = (g.cadence_weekday, g.cadence_local_start_time.as_deref())
    else {
        return Err(AppError::bad_input(
            "groupId",
            "the group meets AD_HOC: there is no cadence to follow",
        ));
    };
    if g.cadence_frequency == CadenceFrequency::AdHoc {
        return Err(AppError::bad_input(
            "groupId",
            "the group meets AD_HOC: there is no cadence to follow",
        ));
    }
    let local_start = NaiveTime::parse_from_str(start, "%H:%M").map_err(AppError::internal)?;
    let cadence = cadence::Cadence {
        frequency: g.cadence_frequency,
        weekday,
        week_of_month: g.cadence_week_of_month,
        local_start,
        tz,
    };
    // A fortnightly cadence continues from the latest meeting held or planned on its weekday.
    let latest = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
        .order_by_desc(meeting::Column::StartsAt)
        .limit(20)
        .all(&txn)
        .await?;
    let anchor = latest
        .iter()
        .map(|m| m.starts_at.with_timezone(&tz).date_naive())
        .find(|d| chrono::Datelike::weekday(d) == cadence::chrono_weekday(weekday));
    // An occurrence counts as taken once any meeting stands for its date — even one that was
    // moved or cancelled since — or starts at its time.
    let taken: Vec<meeting::Model> = meeting::Entity::find()
        .filter(meeting::Column::GroupId.eq(g.id))
        .filter(
            sea_orm::Condition::any()
                .add(meeting::Column::CadenceDate.gte(today))
                .add(meeting::Column::StartsAt.gte(now)),
        )
        .all(&txn)
        .await?;
    let taken_dates: std::collections::HashSet<NaiveDate> =
        taken.iter().filter_map(|m| m.cadence_date).collect();
    let taken_starts: std::collections::HashSet<DateTime<Utc>> =
        taken.iter().map(|m| m.starts_at).collect();
    let mut created = Vec::new();
    for date in cadence::dates(&cadence, anchor, today, until) {
        let Some(starts_at) = cadence::to_utc(tz, date.and_time(local_start)) else {
            continue;
        };
        if starts_at <= now || taken_dates.contains(&date) || taken_starts.contains(&starts_at) {
            continue;
        }
        let mut m = blank(&g, starts_at);
        m.from_cadence = true;
        m.cadence_date = Some(date);
        created.push(meeting::ActiveModel::from(m).insert(&txn).await?);
    }
    txn.commit().await?;
    Ok(created)
}

/// Changes a SCHEDULED meeting; `expectedVersion` guards against lost updates.
pub async fn update_meeting(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    expected_version: i32,
    fields: MeetingFields,
) -> AppResult<meeting::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let (current, _) = runnable_meeting(&txn, access, id, "change this meeting").await?;
    if current.version != expected_version {
        return Err(AppError::stale_version("the meeting"));
    }
    if current.status != MeetingStatus::Scheduled {
        return Err(AppError::bad_input(
            "meetingId",
            "only a SCHEDULED meeting can be changed",
        ));
    }
    let mut next = apply(current.clone(), fields)?;
    if next.starts_at != current.starts_at {
        ensure_free_slot(&txn, next.group_id, next.starts_at, Some(id)).await?;
    }
    if agenda::parse(&next.agenda)
        .iter()
        .map(|i| i64::from(i.minutes))
        .sum::<i64>()
        > next.duration_minutes()
    {
        return Err(AppError::bad_input(
            "durationMinutes",
            "the agenda no longer fits; shorten the agenda first",
        ));
    }
    next.version = expected_version + 1;
    next.updated_at = Utc::now();
    let saved = save_versioned(&txn, next, expected_version).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Writes the meeting only if its version is still `expected_version`.
pub(super) async fn save_versioned(
    db: &impl ConnectionTrait,
    next: meeting::Model,
    expected_version: i32,
) -> AppResult<meeting::Model> {
    let id = next.id;
    let mut active = meeting::ActiveModel::from(next).reset_all();
    active.id = sea_orm::ActiveValue::NotSet;
    let result = meeting::Entity::update_many()
        .set(active)
        .filter(meeting::Column::Id.eq(id))
        .filter(meeting::Column::Version.eq(expected_version))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::stale_version("the meeting"));
    }
    meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("meeting"))
}

/// Cancels a SCHEDULED meeting, with the reason members will see.
pub async fn cancel_meeting(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    reason: &str,
) -> AppResult<meeting::Model> {
    require_person(access)?;
    let reason = super::values::text("reason", reason, 500)?;
    let txn = super::begin(db).await?;
    let (current, _) = runnable_meeting(&txn, access, id, "cancel this meeting").await?;
    if current.status != MeetingStatus::Scheduled {
        return Err(AppError::bad_input(
            "meetingId",
            "only a SCHEDULED meeting can be cancelled",
        ));
    }
    let now = Utc::now();
    let version = current.version;
    let mut next = current;
    next.status = MeetingStatus::Cancelled;
    next.cancel_reason = Some(reason);
    next.cancelled_at = Some(now);
    next.version = version + 1;
    next.updated_at = now;
    let saved = save_versioned(&txn, next, version).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces a SCHEDULED meeting's agenda.
pub async fn set_agenda(
    db: &impl TransactionTrait,
    access: &Access,
    id: Uuid,
    items: Vec<AgendaItem>,
) -> AppResult<meeting::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let (current, _) = runnable_meeting(&txn, access, id, "change this meeting's agenda").await?;
    let saved = replace_agenda(&txn, current, items, "items").await?;
    txn.commit().await?;
    Ok(saved)
}

/// Replaces a SCHEDULED meeting's agenda with `items` (checked against its length; errors
/// name `field`). The caller has checked the viewer may run the meeting.
pub async fn replace_agenda(
    db: &impl ConnectionTrait,
    current: meeting::Model,
    items: Vec<AgendaItem>,
    field: &str,
) -> AppResult<meeting::Model> {
    if current.status != MeetingStatus::Scheduled {
        return Err(AppError::bad_input(
            "meetingId",
            "only a SCHEDULED meeting's agenda can change",
        ));
    }
    let items = agenda::validate(items, current.duration_minutes(), field)?;
    let version = current.version;
    let mut next = current;
    next.agenda = agenda::to_json(&items);
    next.version = version + 1;
    next.updated_at = Utc::now();
    save_versioned(db, next, version).await
}

/// Sets (or, with None, resets to the default) the agenda new meetings of the group start with.
pub async fn set_agenda_template(
    db: &impl TransactionTrait,
    access: &Access,
    group_id: Uuid,
    items: Option<Vec<AgendaItem>>,
) -> AppResult<group::Model> {
    require_person(access)?;
    let txn = super::begin(db).await?;
    let g = runnable_group(
        &txn,
        access,
        group_id,
        "change this group's agenda template",
    )
    .await?;
    let saved = store_agenda_template(&txn, &g, items, None, "items").await?;
    txn.commit().await?;
    Ok(saved)
}

/// Stores the group's agenda template (None: the default), remembering the AGENDA_TEMPLATE
/// resource version it came from, if any. The caller has checked the viewer runs the group.
pub async fn store_agenda_template(
    db: &impl ConnectionTrait,
    g: &group::Model,
    items: Option<Vec<AgendaItem>>,
    from_resource: Option<(Uuid, i32)>,
    field: &str,
) -> AppResult<group::Model> {
    let template = match items {
        Some(items) => {
            let items = agenda::validate(items, i64::from(g.cadence_duration_minutes), field)?;
            Some(agenda::to_json(&items))
        }
        None => None,
    };
    group::Entity::update_many()
        .col_expr(group::Column::AgendaTemplate, Expr::value(template))
        .col_expr(
            group::Column::AgendaTemplateResourceId,
            Expr::value(from_resource.map(|r| r.0)),
        )
        .col_expr(
            group::Column::AgendaTemplateResourceVersion,
            Expr::value(from_resource.map(|r| r.1)),
        )
        .col_expr(group::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(group::Column::Id.eq(g.id))
        .exec(db)
        .await?;
    super::groups::core::find_group(db, g.id).await
}
