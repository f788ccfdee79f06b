//! The shared meeting record: finalised once (the meeting is then HELD), read-only after,
//! corrected only by appended, dated, attributed amendments.

use chrono::Utc;
use entity::{MeetingStatus, meeting, meeting_record, record_amendment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionSession as _,
    TransactionTrait,
};
use uuid::Uuid;

use super::{runnable_meeting, save_versioned};
use crate::{
    domain::{access::Access, authz::require_person, values::text},
    error::{AppError, AppResult},
};

pub const MAX_LINES: usize = 20;

fn lines(field: &str, items: Vec<String>, max_chars: usize) -> AppResult<Vec<String>> {
    if items.len() > MAX_LINES {
        return Err(AppError::bad_input(
            field,
            format!("at most {MAX_LINES} entries"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, t)| text(&format!("{field}[{i}]"), t, max_chars))
        .collect()
}

pub fn parse_lines(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

pub async fn finalize_record(
    db: &impl TransactionTrait,
    access: &Access,
    meeting_id: Uuid,
    summary: &str,
    topics: Vec<String>,
    decisions: Vec<String>,
) -> AppResult<(meeting::Model, meeting_record::Model)> {
    let me = require_person(access)?;
    let summary = text("summary", summary, 10_000)?;
    let topics = lines("topics", topics, 200)?;
    let decisions = lines("decisions", decisions, 1000)?;
    let txn = crate::domain::begin(db).await?;
    let (current, _) =
        runnable_meeting(&txn, access, meeting_id, "finalise this meeting's record").await?;
    match current.status {
        MeetingStatus::Cancelled => {
            return Err(AppError::bad_input(
                "meetingId",
                "a cancelled meeting has no record",
            ));
        }
        MeetingStatus::Held => {
            return Err(AppError::conflict(
                "the record is final; add an amendment instead",
            ));
        }
        MeetingStatus::Scheduled if current.starts_at > Utc::now() => {
            return Err(AppError::bad_input(
                "meetingId",
                "the meeting has not taken place yet",
            ));
        }
        MeetingStatus::Scheduled => {}
    }
    let now = Utc::now();
    let record = meeting_record::ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(current.id),
        summary: Set(summary),
        topics: Set(serde_json::to_string(&topics).map_err(AppError::internal)?),
        decisions: Set(serde_json::to_string(&decisions).map_err(AppError::internal)?),
        finalized_by: Set(Some(me)),
        finalized_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let version = current.version;
    let mut held = current;
    held.status = MeetingStatus::Held;
    held.version = version + 1;
    held.updated_at = now;
    let held = save_versioned(&txn, held, version).await?;
    txn.commit().await?;
    Ok((held, record))
}

pub async fn amend_record(
    db: &impl TransactionTrait,
    access: &Access,
    meeting_id: Uuid,
    amendment: &str,
) -> AppResult<record_amendment::Model> {
    let me = require_person(access)?;
    let amendment = text("text", amendment, 5000)?;
    let txn = crate::domain::begin(db).await?;
    let (current, _) =
        runnable_meeting(&txn, access, meeting_id, "amend this meeting's record").await?;
    let Some(record) = meeting_record::Entity::find()
        .filter(meeting_record::Column::MeetingId.eq(current.id))
        .one(&txn)
        .await?
    else {
        return Err(AppError::bad_input(
            "meetingId",
            "the record is not finalised yet; finalise it first",
        ));
    };
    let saved = record_amendment::ActiveModel {
        id: Set(Uuid::now_v7()),
        record_id: Set(record.id),
        author_id: Set(Some(me)),
        text: Set(amendment),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(saved)
}
