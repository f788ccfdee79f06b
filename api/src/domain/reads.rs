//! The two batch reads every domain's `reads` module builds on, written once: rows by their
//! own ids, and rows under a batch of parents. Both bind the ids as one array parameter on
//! PostgreSQL (`in_ids`), so a loader keeps one statement text whatever its batch size.
//!
//! These read raw rows with no visibility rule: they serve rows any viewer may hold once they
//! hold their parent (a meeting's record, a workshop's sessions). Rows some viewers must never
//! receive are read through their domain's visible reads (`groups::reads::visible_by_ids`,
//! `resources::reads::visible_by_ids`, `care::check_ins::own`).

use std::collections::HashMap;

use sea_orm::{
    ConnectionTrait, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter, Select,
    sea_query::Expr,
};
use uuid::Uuid;

use super::in_ids;
use crate::error::AppResult;

/// The rows of `E` whose (single-column, UUID) primary key is one of `ids`, in one statement.
pub async fn by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<E::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(Vec::new());
    };
    let id = Expr::col((E::default(), key.into_column()));
    Ok(E::find()
        .filter(in_ids(db.get_database_backend(), id, ids))
        .all(db)
        .await?)
}

/// The rows of `select` whose `parent` column is one of `parents`, in one statement, listed
/// under the key `key_of` gives each row (in `select`'s order within a key).
pub async fn under<E, K>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    key_of: impl Fn(&E::Model) -> K,
) -> AppResult<HashMap<K, Vec<E::Model>>>
where
    E: EntityTrait,
    K: std::hash::Hash + Eq,
{
    let rows = select
        .filter(in_ids(
            db.get_database_backend(),
            Expr::col((E::default(), parent)),
            parents,
        ))
        .all(db)
        .await?;
    let mut out: HashMap<K, Vec<E::Model>> = HashMap::new();
    for row in rows {
        out.entry(key_of(&row)).or_default().push(row);
    }
    Ok(out)
}
