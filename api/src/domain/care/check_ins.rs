//! Stress check-ins: one per person, group and day (in the group's zone); the person's own.

use std::str::FromStr;

use chrono::{Duration, NaiveDate, Utc};
use entity::check_in;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    domain::{
        access::Access,
        authz::require_person,
        groups::core::visible_group,
        pagination::{Page, PageArgs, Sort, page_and_total},
        values::optional_text,
    },
    error::{AppError, AppResult},
};

/// Validated 1–5.
pub fn rating(field: &str, value: i32) -> AppResult<i32> {
    if (1..=5).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::bad_input(
            field,
            "a stress rating is 1 (calm) to 5 (very stressed)",
        ))
    }
}

/// Records today's check-in for the group; a second one the same day replaces the first.
/// Only ACTIVE members check in for their group.
///
/// The hottest write of the service, kept to one statement after the viewer's access (which
/// brings the membership and the group's zone): an upsert returning the row. No transaction
/// is needed for a single statement.
pub async fn submit(
    db: &impl ConnectionTrait,
    access: &Access,
    group_id: Uuid,
    value: i32,
    note: Option<String>,
) -> AppResult<check_in::Model> {
    let me = require_person(access)?;
    let value = rating("rating", value)?;
    let note = optional_text("note", note.as_deref(), 1000)?;
    let Some(membership) = access
        .membership(group_id)
        .filter(|m| m.status == entity::MembershipStatus::Active)
    else {
        // NOT_FOUND for a group they cannot see, FORBIDDEN for one they can.
        visible_group(db, access, group_id).await?;
        return Err(AppError::forbidden(
            "only the group's active members check in for it",
        ));
    };
    let tz = chrono_tz::Tz::from_str(&membership.timezone).map_err(AppError::internal)?;
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let row = check_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(me),
        group_id: Set(group_id),
        local_date: Set(today),
        rating: Set(value),
        note: Set(note),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(check_in::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                check_in::Column::PersonId,
                check_in::Column::GroupId,
                check_in::Column::LocalDate,
            ])
            .update_columns([
                check_in::Column::Rating,
                check_in::Column::Note,
                check_in::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_with_returning(db)
        .await?)
}

/// The person's own check-in, NOT_FOUND for anyone else — facilitators, coordinators and
/// admins included. The owner is part of the read: nobody else's row is ever fetched.
pub async fn own(
    db: &impl ConnectionTrait,
    access: &Access,
    id: Uuid,
) -> AppResult<check_in::Model> {
    let not_found = || AppError::not_found("check-in");
    let me = access.person_id.ok_or_else(not_found)?;
    check_in::Entity::find_by_id(id)
        .filter(check_in::Column::PersonId.eq(me))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Deletes the person's own check-in in one statement (the owner is part of it).
pub async fn delete(db: &impl ConnectionTrait, access: &Access, id: Uuid) -> AppResult<()> {
    let me = require_person(access)?;
    let deleted = check_in::Entity::delete_many()
        .filter(check_in::Column::Id.eq(id))
        .filter(check_in::Column::PersonId.eq(me))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::not_found("check-in"));
    }
    Ok(())
}

/// One point of the person's own trend.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub check_ins: i32,
    pub average_rating: Option<f64>,
}

pub const MAX_TREND_DAYS: i64 = 2 * 366;

/// The person's weekly series (Monday to Sunday) from `from` through `to`, every week listed.
pub async fn trend(
    db: &impl ConnectionTrait,
    person: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<TrendPoint>> {
    if to < from {
        return Err(AppError::bad_input("to", "the range ends before it starts"));
    }
    if (to - from).num_days() > MAX_TREND_DAYS {
        return Err(AppError::bad_input("to", "at most two years at a time"));
    }
    let rows = check_in::Entity::find()
        .filter(check_in::Column::PersonId.eq(person))
        .filter(check_in::Column::LocalDate.gte(from))
        .filter(check_in::Column::LocalDate.lte(to))
        .order_by_asc(check_in::Column::LocalDate)
        .all(db)
        .await?;
    let mut points = Vec::new();
    let mut start = super::wellbeing::monday(from);
    while start <= to {
        let end = start + Duration::days(6);
        let week: Vec<i32> = rows
            .iter()
            .filter(|c| c.local_date >= start && c.local_date <= end)
            .map(|c| c.rating)
            .collect();
        points.push(TrendPoint {
            start,
            end,
            check_ins: week.len() as i32,
            average_rating: (!week.is_empty())
                .then(|| f64::from(week.iter().sum::<i32>()) / week.len() as f64),
        });
        start += Duration::days(7);
    }
    Ok(points)
}

/// The viewer's own check-ins, newest first, optionally within dates (none for an anonymous
/// caller: nobody else's are ever read).
pub async fn own_page(
    db: &impl ConnectionTrait,
    access: &Access,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    args: &PageArgs,
) -> AppResult<(Page<check_in::Model>, u64)> {
    let Some(me) = access.person_id else {
        return Ok((Page::default(), 0));
    };
    let mut mine = check_in::Entity::find().filter(check_in::Column::PersonId.eq(me));
    if let Some(from) = from {
        mine = mine.filter(check_in::Column::LocalDate.gte(from));
    }
    if let Some(to) = to {
        mine = mine.filter(check_in::Column::LocalDate.lte(to));
    }
    let sort = Sort {
        key: None,
        id: check_in::Column::Id,
        descending: true,
    };
    page_and_total(db, mine, &sort, args).await
}
