//! Keyset pagination: one page of a list, or one page per parent for a batch of parents in a
//! single statement that reads only the rows it returns.

use sea_orm::ExprTrait as _;
use std::collections::HashMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult,
    IdenStatic as _, Iterable, ModelTrait, Order, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, Select, Value,
    sea_query::{
        Alias, ArrayType, Asterisk, ColumnRef, DynIden, Expr, Func, IntoColumnRef, IntoIden,
        JoinType, Query, SelectStatement,
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    domain::row_decode::PageRow,
    error::{AppError, AppResult},
};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;
/// The longest cursor a client may send back: base64url of a key of up to
/// `MAX_CURSOR_KEY_CHARS` characters (four bytes each at worst) and an id.
pub const MAX_CURSOR_BYTES: usize = 2048;
/// Sort keys are cut to 200 characters (`values::sort_key`); numbers are shorter.
pub const MAX_CURSOR_KEY_CHARS: usize = 256;

/// Position after/before which a page starts: the sort key (when sorting by more than id)
/// and the id that breaks ties. Opaque to clients.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "k", skip_serializing_if = "Option::is_none", default)]
    pub key: Option<String>,
    /// The sort key when it is a timestamp (e.g. a meeting's start).
    #[serde(rename = "t", skip_serializing_if = "Option::is_none", default)]
    pub time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// A cursor as a client sent it back. Whatever it decodes to ends up in a WHERE clause, so
    /// it is checked as any other input: bounded, and no control character a stored key could
    /// not hold (a NUL makes PostgreSQL fail the statement).
    pub fn decode(field: &str, raw: &str) -> AppResult<Self> {
        let invalid = || AppError::bad_input(field, "this cursor is not valid here");
        if raw.len() > MAX_CURSOR_BYTES {
            return Err(invalid());
        }
        let cursor: Self = URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(invalid)?;
        let key_ok = cursor.key.as_deref().is_none_or(|key| {
            key.chars().count() <= MAX_CURSOR_KEY_CHARS
                && !key
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        });
        if !key_ok {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub limit: u64,
    pub backward: bool,
    pub cursor: Option<Cursor>,
}

impl Default for PageArgs {
    fn default() -> Self {
        Self {
            limit: DEFAULT_PAGE_SIZE as u64,
            backward: false,
            cursor: None,
        }
    }
}

impl PageArgs {
    /// Relay arguments: `first`/`after` page forward, `last`/`before` backward; sizes 1–100.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<Self> {
        let size = |field: &str, n: i32| {
            if (1..=MAX_PAGE_SIZE).contains(&n) {
                Ok(n as u64)
            } else {
                Err(AppError::bad_input(
                    field,
                    format!("{field} must be between 1 and {MAX_PAGE_SIZE}"),
                ))
            }
        };
        match (first, after, last, before) {
            (_, _, Some(_), _) | (_, _, _, Some(_)) if first.is_some() => Err(AppError::bad_input(
                "last",
                "use first/after to page forward or last/before to page backward, not both",
            )),
            (_, Some(_), _, Some(_)) => Err(AppError::bad_input(
                "before",
                "after and before cannot be combined",
            )),
            (first, after, None, None) => Ok(Self {
                limit: size("first", first.unwrap_or(DEFAULT_PAGE_SIZE))?,
                backward: false,
                cursor: after.map(|a| Cursor::decode("after", &a)).transpose()?,
            }),
            (None, None, last, before) => Ok(Self {
                limit: size("last", last.unwrap_or(DEFAULT_PAGE_SIZE))?,
                backward: true,
                cursor: before.map(|b| Cursor::decode("before", &b)).transpose()?,
            }),
            _ => Err(AppError::bad_input(
                "after",
                "after cannot be combined with last",
            )),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Page<M> {
    pub items: Vec<(Cursor, M)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<M> Default for Page<M> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: false,
        }
    }
}

impl<M> Page<M> {
    /// The page's rows, in order.
    pub fn rows(&self) -> impl Iterator<Item = &M> {
        self.items.iter().map(|(_, m)| m)
    }

    pub fn map<N>(self, f: impl Fn(M) -> N) -> Page<N> {
        Page {
            items: self.items.into_iter().map(|(c, m)| (c, f(m))).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
        }
    }
}

/// Sort order of a list: an optional key (a text or timestamp column), then the id. UUIDv7
/// ids sort by creation time, so "by id" is "oldest first".
pub struct Sort<E: EntityTrait> {
    pub key: Option<E::Column>,
    pub id: E::Column,
    pub descending: bool,
}

impl<E: EntityTrait> Sort<E> {
    /// By id alone: oldest first.
    pub fn oldest_first(id: E::Column) -> Self {
        Self {
            key: None,
            id,
            descending: false,
        }
    }

    /// By id alone: newest first.
    pub fn newest_first(id: E::Column) -> Self {
        Self {
            key: None,
            id,
            descending: true,
        }
    }

    fn direction(&self, backward: bool) -> Order {
        if self.descending ^ backward {
            Order::Desc
        } else {
            Order::Asc
        }
    }

    fn keyset(&self, args: &PageArgs) -> Option<Condition> {
        let cursor = args.cursor.as_ref()?;
        let after = matches!(self.direction(args.backward), Order::Asc);
        let beyond_id = if after {
            self.id.gt(cursor.id)
        } else {
            self.id.lt(cursor.id)
        };
        let value = match (&cursor.key, cursor.time) {
            (Some(text), _) => Some(Value::from(text.clone())),
            (None, Some(time)) => Some(Value::from(time)),
            (None, None) => None,
        };
        Some(match (self.key, value) {
            (Some(key), Some(v)) => Condition::any()
                .add(if after {
                    key.gt(v.clone())
                } else {
                    key.lt(v.clone())
                })
                .add(Condition::all().add(key.eq(v)).add(beyond_id)),
            _ => Condition::all().add(beyond_id),
        })
    }

    fn cursor_of(&self, model: &E::Model) -> Cursor
    where
        E::Model: ModelTrait<Entity = E>,
    {
        let id = match model.get(self.id) {
            Value::Uuid(Some(id)) => id,
            _ => Uuid::nil(),
        };
        let (key, time) = match self.key.map(|k| model.get(k)) {
            Some(Value::String(Some(s))) => (Some(s.to_string()), None),
            Some(Value::ChronoDateTimeUtc(Some(t))) => (None, Some(t)),
            _ => (None, None),
        };
        Cursor { key, time, id }
    }
}

fn finish<M>(mut rows: Vec<(Cursor, M)>, args: &PageArgs) -> Page<M> {
    let has_more = rows.len() as u64 > args.limit;
    rows.truncate(args.limit as usize);
    if args.backward {
        rows.reverse();
    }
    let (has_next_page, has_previous_page) = if args.backward {
        (args.cursor.is_some(), has_more)
    } else {
        (has_more, args.cursor.is_some())
    };
    Page {
        items: rows,
        has_next_page,
        has_previous_page,
    }
}

/// One page of `select`.
pub async fn page<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    sort: &Sort<E>,
    args: &PageArgs,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    let dir = sort.direction(args.backward);
    let mut select = select;
    if let Some(cond) = sort.keyset(args) {
        select = select.filter(cond);
    }
    if let Some(key) = sort.key {
        select = select.order_by(key, dir.clone());
    }
    let rows = select
        .order_by(sort.id, dir)
        .limit(args.limit + 1)
        .all(db)
        .await?;
    let rows = rows.into_iter().map(|m| (sort.cursor_of(&m), m)).collect();
    Ok(finish(rows, args))
}

/// A page of `select` and how many rows it holds in all: the lists with a single parent (the
/// viewer, the service), where there is nothing to batch.
pub async fn page_and_total<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    sort: &Sort<E>,
    args: &PageArgs,
) -> AppResult<(Page<E::Model>, u64)>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    let found = page(db, select.clone(), sort, args).await?;
    let total = sea_orm::PaginatorTrait::count(select, db).await?;
    Ok((found, total))
}

/// Rows of `E` that belong to parents, before the parents are chosen: `select` is not restricted
/// to any parent, and `parent` names the column that holds each row's parent. The same list is
/// paged per parent (`pages_by_parent`) or counted per parent (`count`).
pub struct ChildRows {
    pub select: SelectStatement,
    pub parent: ColumnRef,
}

impl ChildRows {
    pub fn new(select: SelectStatement, parent: impl IntoColumnRef) -> Self {
        Self {
            select,
            parent: parent.into_column_ref(),
        }
    }

    /// Every row of the parents, unpaged.
    pub fn of_parents(self, backend: DatabaseBackend, parents: &[Uuid]) -> SelectStatement {
        let mut select = self.select;
        select.and_where(super::in_ids(backend, Expr::col(self.parent), parents));
        select
    }

    /// `SELECT parent, COUNT(*) … WHERE parent IN (parents) GROUP BY parent`.
    pub async fn count(
        self,
        db: &impl ConnectionTrait,
        parents: &[Uuid],
    ) -> AppResult<HashMap<Uuid, u64>> {
        let parent = self.parent.clone();
        let mut select = self.of_parents(db.get_database_backend(), parents);
        select.clear_selects();
        select
            .expr_as(Expr::col(parent), Alias::new("parent"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .group_by_col(Alias::new("parent"));
        let rows = db
            .query_all_raw(db.get_database_backend().build(&select))
            .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for row in rows {
            let parent: Uuid = row.try_get("", "parent")?;
            let n: i64 = row.try_get("", "n")?;
            out.insert(parent, u64::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }
}

/// One page per parent, for many parents, in one statement that reads only the rows it keeps:
/// on PostgreSQL `unnest($parents) … JOIN LATERAL (… ORDER BY … LIMIT n)`, on SQLite (which has
/// no LATERAL) each parent's page as a correlated `id IN (… ORDER BY … LIMIT n)`. Both walk an
/// index on (parent, sort key) where there is one; a window over every child would read them all.
pub async fn pages_by_parent<E>(
    db: &impl ConnectionTrait,
    rows: ChildRows,
    parents: &[Uuid],
    sort: &Sort<E>,
    args: &PageArgs,
) -> AppResult<HashMap<Uuid, Page<E::Model>>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    let pages = pages_by_parent_with(db, rows, parents, sort, args, Vec::new(), |_| Ok(())).await?;
    Ok(pages
        .into_iter()
        .map(|(parent, page)| (parent, page.map(|(m, ())| m)))
        .collect())
}

/// Each parent's page of rows, each row with what `pages_by_parent_with` read along.
pub type PagesWith<M, X> = HashMap<Uuid, Page<(M, X)>>;

/// A parent's rows before they are cut into a page.
type Rows<M, X> = Vec<(Cursor, (M, X))>;

/// The table alias of a page's rows in `pages_by_parent_with`, for `extra` expressions.
pub const PAGED: &str = "paged";

/// `pages_by_parent`, with `extra` columns computed for each row kept (expressions over
/// [`PAGED`], e.g. counts of its children) and read back by `decode`: what the rows' fields
/// would otherwise ask for in a statement of their own.
pub async fn pages_by_parent_with<E, X>(
    db: &impl ConnectionTrait,
    rows: ChildRows,
    parents: &[Uuid],
    sort: &Sort<E>,
    args: &PageArgs,
    extra: Vec<(Alias, Expr)>,
    decode: impl Fn(&QueryResult) -> AppResult<X>,
) -> AppResult<PagesWith<E::Model, X>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let statement = page_statement(backend, rows, parents, sort, args, extra, None);
    let rows = db.query_all_raw(backend.build(&statement)).await?;
    group_pages(rows, sort, args, decode)
}

/// `pages_by_parent` that also reads the parents' own rows (of `P`), in the same statement:
/// a root field that pages its object's children at once needs no statement for the object.
pub async fn pages_with_parents<P, E>(
    db: &impl ConnectionTrait,
    rows: ChildRows,
    parents: &[Uuid],
    sort: &Sort<E>,
    args: &PageArgs,
) -> AppResult<(HashMap<Uuid, Page<E::Model>>, Vec<P::Model>)>
where
    P: EntityTrait,
    P::Model: FromQueryResult,
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    if parents.is_empty() {
        return Ok((HashMap::new(), Vec::new()));
    }
    let backend = db.get_database_backend();
    let table = ParentTable {
        table: P::default().into_iden(),
        columns: P::Column::iter().map(|c| c.into_iden()).collect(),
        which: None,
        along: None,
    };
    let statement = page_statement(backend, rows, parents, sort, args, Vec::new(), Some(table));
    let rows = db.query_all_raw(backend.build(&statement)).await?;
    let found = parents_in(&rows, |row| P::Model::from_query_result(row, PARENT_PREFIX))?
        .into_iter()
        .map(|(_, parent)| parent)
        .collect();
    let pages = group_pages(rows, sort, args, |_| Ok(()))?;
    Ok((
        pages
            .into_iter()
            .map(|(parent, page)| (parent, page.map(|(m, ())| m)))
            .collect(),
        found,
    ))
}

/// `pages_with_parents` for parents found by a condition on their table (aliased `page`)
/// rather than by id, each with its row of `A` (`A.id = page.<along_key>`) read along: a root
/// field that finds its object by another key (a group by slug, with its cluster) and pages
/// its children answers from one statement. Extra expressions over the page rows as in
/// `pages_by_parent_with`.
#[allow(clippy::too_many_arguments)] // the parts of one statement
pub async fn pages_of_found_parents<P, A, E, X>(
    db: &impl ConnectionTrait,
    rows: ChildRows,
    which: Condition,
    along_key: P::Column,
    sort: &Sort<E>,
    args: &PageArgs,
    extra: Vec<(Alias, Expr)>,
    decode: impl Fn(&QueryResult) -> AppResult<X>,
) -> AppResult<Vec<(P::Model, A::Model, Page<(E::Model, X)>)>>
where
    P: EntityTrait,
    P::Model: FromQueryResult,
    A: EntityTrait,
    A::Model: FromQueryResult,
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    let backend = db.get_database_backend();
    let table = ParentTable {
        table: P::default().into_iden(),
        columns: P::Column::iter().map(|c| c.into_iden()).collect(),
        which: Some(which),
        along: Some(Along {
            table: A::default().into_iden(),
            columns: A::Column::iter().map(|c| c.into_iden()).collect(),
            key: along_key.into_iden(),
        }),
    };
    let statement = page_statement(backend, rows, &[], sort, args, extra, Some(table));
    let rows = db.query_all_raw(backend.build(&statement)).await?;
    let found = parents_in(&rows, |row| {
        Ok((
            P::Model::from_query_result(row, PARENT_PREFIX)?,
            A::Model::from_query_result(row, ALONG_PREFIX)?,
        ))
    })?;
    let mut pages = group_pages(rows, sort, args, decode)?;
    Ok(found
        .into_iter()
        .map(|(id, (parent, along))| (parent, along, pages.remove(&id).unwrap_or_default()))
        .collect())
}

/// Each parent of a page statement read along with its pages, once, in the order met.
fn parents_in<T>(
    rows: &[QueryResult],
    decode: impl Fn(&QueryResult) -> Result<T, sea_orm::DbErr>,
) -> AppResult<Vec<(Uuid, T)>> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let parent: Uuid = row.try_get("", "page_parent")?;
        if seen.insert(parent) {
            found.push((parent, decode(row)?));
        }
    }
    Ok(found)
}

/// The parents' table, when their rows are read along with their pages.
struct ParentTable {
    table: DynIden,
    columns: Vec<DynIden>,
    /// Which parents, by a condition on their table (aliased `page`); by the ids given when
    /// None.
    which: Option<Condition>,
    /// Another table read along, one row per parent.
    along: Option<Along>,
}

/// A row of another table joined to each parent: `along.id = page.<key>`.
struct Along {
    table: DynIden,
    columns: Vec<DynIden>,
    key: DynIden,
}

/// Columns of the table read along are read under this prefix.
const ALONG_PREFIX: &str = "of_along_";

/// Parent columns are read under this prefix (no entity has a column starting with it).
const PARENT_PREFIX: &str = "of_page_";

/// The statement behind `pages_by_parent_with` and `pages_with_parents`: each parent's page as
/// a LATERAL subquery (PostgreSQL) or a correlated `id IN (…)` (SQLite), the parents either
/// given as ids or read from their table (a LEFT join then, so a parent without children is
/// still found).
fn page_statement<E: EntityTrait>(
    backend: DatabaseBackend,
    rows: ChildRows,
    parents: &[Uuid],
    sort: &Sort<E>,
    args: &PageArgs,
    extra: Vec<(Alias, Expr)>,
    parent_table: Option<ParentTable>,
) -> SelectStatement {
    let dir = sort.direction(args.backward);
    let (page, paged) = (Alias::new("page"), Alias::new(PAGED));
    // The parent each page is for: the parent table's id, else unnest's column on PostgreSQL
    // and VALUES' on SQLite.
    let page_parent = match (&parent_table, backend) {
        (Some(_), _) => Alias::new("id"),
        (None, DatabaseBackend::Postgres) => Alias::new("page_parent"),
        (None, _) => Alias::new("column1"),
    };
    let mut inner = rows.select;
    if let Some(cond) = sort.keyset(args) {
        inner.cond_where(cond);
    }
    inner.and_where(Expr::col(rows.parent).equals((page.clone(), page_parent.clone())));
    if let Some(key) = sort.key {
        inner.order_by((E::default(), key), dir.clone());
    }
    inner
        .order_by((E::default(), sort.id), dir.clone())
        .limit(args.limit + 1);
    let mut outer = Query::select();
    outer
        .expr_as(
            Expr::col((page.clone(), page_parent.clone())),
            Alias::new("page_parent"),
        )
        .column((paged.clone(), Asterisk));
    for (name, expr) in extra {
        outer.expr_as(expr, name);
    }
    let join = if parent_table.is_some() {
        JoinType::LeftJoin
    } else {
        JoinType::InnerJoin
    };
    if let Some(parent) = &parent_table {
        for column in &parent.columns {
            outer.expr_as(
                Expr::col((page.clone(), column.clone())),
                Alias::new(format!("{PARENT_PREFIX}{column}")),
            );
        }
        outer.from_as(parent.table.clone(), page.clone());
        match &parent.which {
            Some(which) => outer.cond_where(which.clone()),
            None => outer.and_where(super::in_ids(
                backend,
                Expr::col((page.clone(), page_parent.clone())),
                parents,
            )),
        };
        if let Some(along) = &parent.along {
            let alias = Alias::new("along");
            for column in &along.columns {
                outer.expr_as(
                    Expr::col((alias.clone(), column.clone())),
                    Alias::new(format!("{ALONG_PREFIX}{column}")),
                );
            }
            outer.join_as(
                JoinType::InnerJoin,
                along.table.clone(),
                alias.clone(),
                Expr::col((alias, Alias::new("id"))).equals((page.clone(), along.key.clone())),
            );
        }
    }
    match backend {
        DatabaseBackend::Postgres => {
            if parent_table.is_none() {
                let ids = Value::Array(
                    ArrayType::Uuid,
                    Some(Box::new(
                        parents.iter().map(|id| Value::from(*id)).collect(),
                    )),
                );
                outer.from_subquery(
                    Query::select()
                        .expr_as(Func::cust("unnest").arg(Expr::val(ids)), page_parent)
                        .to_owned(),
                    page,
                );
            }
            outer.join_lateral(join, inner, paged.clone(), Expr::cust("TRUE"));
        }
        _ => {
            inner.clear_selects();
            inner.column((E::default(), sort.id));
            if parent_table.is_none() {
                outer.from_values(parents.iter().copied(), page);
            }
            outer.join_as(
                join,
                E::default(),
                paged.clone(),
                Expr::col((paged.clone(), sort.id)).in_subquery(inner),
            );
        }
    }
    outer.order_by(Alias::new("page_parent"), Order::Asc);
    if let Some(key) = sort.key {
        outer.order_by((paged.clone(), key), dir.clone());
    }
    outer.order_by((paged, sort.id), dir);
    outer
}

/// Rows of a page statement, grouped into each parent's page (rows of a parent without
/// children, from a LEFT join, are skipped).
fn group_pages<E, X>(
    rows: Vec<QueryResult>,
    sort: &Sort<E>,
    args: &PageArgs,
    decode: impl Fn(&QueryResult) -> AppResult<X>,
) -> AppResult<PagesWith<E::Model, X>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E> + PageRow + Send + Sync,
{
    let mut grouped: HashMap<Uuid, Rows<E::Model, X>> = HashMap::new();
    let positions = rows.first().and_then(E::Model::positions);
    for row in rows {
        let parent: Uuid = row.try_get("", "page_parent")?;
        if row.try_get::<Option<Uuid>>("", sort.id.as_str())?.is_none() {
            continue;
        }
        let model = E::Model::decode(&row, positions.as_ref())?;
        let more = decode(&row)?;
        grouped
            .entry(parent)
            .or_default()
            .push((sort.cursor_of(&model), (model, more)));
    }
    Ok(grouped
        .into_iter()
        .map(|(parent, rows)| (parent, finish(rows, args)))
        .collect())
}

/// One page of a list already in memory, sorted ascending by (cursor key, id): for lists
/// whose order is computed rather than stored (e.g. groups by succession risk).
pub fn page_sorted<M>(items: Vec<(Cursor, M)>, args: &PageArgs) -> Page<M> {
    let position = |c: &Cursor| (c.key.clone(), c.id);
    let rows: Vec<(Cursor, M)> = match (&args.cursor, args.backward) {
        (None, false) => items.into_iter().take(args.limit as usize + 1).collect(),
        (Some(at), false) => items
            .into_iter()
            .filter(|(c, _)| position(c) > position(at))
            .take(args.limit as usize + 1)
            .collect(),
        (at, true) => items
            .into_iter()
            .rev()
            .filter(|(c, _)| at.as_ref().is_none_or(|at| position(c) < position(at)))
            .take(args.limit as usize + 1)
            .collect(),
    };
    finish(rows, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            key: Some("Name".into()),
            time: None,
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode("after", &c.encode()).unwrap(), c);
        assert!(Cursor::decode("after", "not-a-cursor").is_err());
    }

    #[test]
    fn cursors_holding_a_nul_or_an_overlong_key_are_refused() {
        let with_key = |key: String| {
            Cursor {
                key: Some(key),
                time: None,
                id: Uuid::now_v7(),
            }
            .encode()
        };
        assert!(Cursor::decode("after", &with_key("a\0b".into())).is_err());
        assert!(Cursor::decode("after", &with_key("x".repeat(MAX_CURSOR_KEY_CHARS + 1))).is_err());
        assert!(Cursor::decode("after", &"A".repeat(MAX_CURSOR_BYTES + 1)).is_err());
        // A name may hold a line break or a tab, and so may its sort key.
        assert!(Cursor::decode("after", &with_key("line\nbreak".into())).is_ok());
        assert!(Cursor::decode("after", &with_key("é".repeat(200))).is_ok());
    }

    #[test]
    fn sorted_lists_page_both_ways() {
        let items: Vec<(Cursor, u32)> = (0..5u32)
            .map(|i| {
                let c = Cursor {
                    key: Some(format!("k{i}")),
                    time: None,
                    id: Uuid::from_u128(u128::from(i)),
                };
                (c, i)
            })
            .collect();
        let first = page_sorted(
            items.clone(),
            &PageArgs::new(Some(2), None, None, None).unwrap(),
        );
        assert_eq!(
            first.items.iter().map(|(_, i)| *i).collect::<Vec<_>>(),
            [0, 1]
        );
        assert!(first.has_next_page && !first.has_previous_page);
        let after = first.items[1].0.encode();
        let next = page_sorted(
            items.clone(),
            &PageArgs::new(Some(2), Some(after), None, None).unwrap(),
        );
        assert_eq!(
            next.items.iter().map(|(_, i)| *i).collect::<Vec<_>>(),
            [2, 3]
        );
        let back = page_sorted(items, &PageArgs::new(None, None, Some(2), None).unwrap());
        assert_eq!(
            back.items.iter().map(|(_, i)| *i).collect::<Vec<_>>(),
            [3, 4]
        );
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert!(PageArgs::new(Some(0), None, None, None).is_err());
        assert!(PageArgs::new(Some(101), None, None, None).is_err());
        assert!(PageArgs::new(Some(1), None, Some(1), None).is_err());
        assert_eq!(PageArgs::new(None, None, None, None).unwrap().limit, 20);
        assert!(PageArgs::new(None, None, Some(5), None).unwrap().backward);
    }
}
