//! `resources(search, filter, orderBy)`: full-text search with ranking (PostgreSQL `tsvector`
//! and GIN, SQLite FTS5; see migrations 000049 and 000056), filters, four orders and keyset
//! pages, always within what the viewer may see (`visible_condition`).
//!
//! Orders and cursors use only what the viewer may read (issue 15): TOP_RATED ranks by the
//! *published* rating (`ratings::published`): a suppressed one sorts after every published
//! one, all of them together by id, and its cursor carries no rating at all. MOST_ADOPTED
//! carries `adoptionCount`, which the resource shows. RELEVANCE cursors carry only the id: the
//! rank is recomputed from that resource on the server, because SQLite's bm25 weighs terms by
//! statistics over every resource, drafts included, which no viewer may read.

use entity::{
    ResourceKind, ResourceStatus, ResourceVisibility, resource, resource_adoption, resource_tag,
};
use sea_orm::ExprTrait as _;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, QueryTrait,
    TransactionSession as _, TransactionTrait,
    sea_query::{Alias, Asterisk, Condition, Expr, JoinType, Order, Query, SelectStatement},
};
use uuid::Uuid;

use super::{licence::Licence, search_query::SearchQuery, visible_condition};
use crate::{
    domain::{
        access::Access,
        groups::core::visible_group,
        pagination::{Cursor, Page, PageArgs},
        values::locale,
    },
    error::{AppError, AppResult},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceOrder {
    /// Best match first; without search text, the same as NEWEST.
    Relevance,
    Newest,
    MostAdopted,
    TopRated,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResourceFilter {
    /// Any of these kinds.
    pub kinds: Vec<ResourceKind>,
    /// Every one of these tags.
    pub tags: Vec<String>,
    /// Any of these licences (SPDX identifiers).
    pub licences: Vec<String>,
    /// A language and its regional variants (`en` matches `en-GB`).
    pub language: Option<String>,
    pub visibility: Option<ResourceVisibility>,
    pub organisation_id: Option<Uuid>,
    pub adopted_by_group_id: Option<Uuid>,
    /// Empty: PUBLISHED only.
    pub statuses: Vec<ResourceStatus>,
}

/// A validated search: what `page` and `count` run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Search {
    query: SearchQuery,
    kinds: Vec<ResourceKind>,
    tags: Vec<String>,
    licences: Vec<&'static str>,
    language: Option<String>,
    visibility: Option<ResourceVisibility>,
    organisation_id: Option<Uuid>,
    adopted_by_group_id: Option<Uuid>,
    statuses: Vec<ResourceStatus>,
    order: ResourceOrder,
}

impl Search {
    /// Checks the text and filter; a group to filter by must be visible to the viewer.
    pub async fn new(
        db: &impl ConnectionTrait,
        access: &Access,
        text: Option<&str>,
        filter: ResourceFilter,
        order: Option<ResourceOrder>,
    ) -> AppResult<Self> {
        let query = SearchQuery::parse(text.unwrap_or(""))?;
        let tags = super::content::tags(&filter.tags).map_err(|e| e.within("filter"))?;
        let licences = filter
            .licences
            .iter()
            .enumerate()
            .map(|(i, l)| Licence::parse(&format!("filter.licences[{i}]"), l).map(Licence::id))
            .collect::<AppResult<Vec<_>>>()?;
        let language = filter
            .language
            .as_deref()
            .map(|l| locale("filter.language", l))
            .transpose()?;
        if let Some(group_id) = filter.adopted_by_group_id {
            visible_group(db, access, group_id)
                .await
                .map_err(|e| match e {
                    AppError::NotFound(_) => {
                        AppError::bad_input("filter.adoptedByGroupId", "no such group")
                    }
                    other => other,
                })?;
        }
        let order = match order {
            Some(ResourceOrder::Relevance) | None if query.has_positive() => {
                ResourceOrder::Relevance
            }
            Some(ResourceOrder::Relevance) | None => ResourceOrder::Newest,
            Some(other) => other,
        };
        let mut statuses = filter.statuses;
        if statuses.is_empty() {
            statuses.push(ResourceStatus::Published);
        }
        Ok(Self {
            query,
            kinds: filter.kinds,
            tags,
            licences,
            language,
            visibility: filter.visibility,
            organisation_id: filter.organisation_id,
            adopted_by_group_id: filter.adopted_by_group_id,
            statuses,
            order,
        })
    }
}

fn col(c: resource::Column) -> Expr {
    Expr::col((resource::Entity, c))
}

/// The matching, visible resources (every column, plus `relevance` when ranking), unordered.
fn matching(access: &Access, backend: DatabaseBackend, s: &Search) -> SelectStatement {
    let mut q = resource::Entity::find().into_query();
    // The statuses stay a top-level condition: it is what lets PostgreSQL, planning for this
    // search's own values, use the index of PUBLISHED resources (migration 000056).
    let mut cond = Condition::all()
        .add(visible_condition(access, backend))
        .add(col(resource::Column::Status).is_in(s.statuses.iter().map(|st| st.as_str())));
    if !s.kinds.is_empty() {
        cond = cond.add(col(resource::Column::Kind).is_in(s.kinds.iter().map(|k| k.as_str())));
    }
    if !s.licences.is_empty() {
        cond = cond.add(col(resource::Column::Licence).is_in(s.licences.iter().copied()));
    }
    if let Some(lang) = &s.language {
        cond = cond.add(
            Condition::any()
                .add(col(resource::Column::Language).eq(lang.as_str()))
                .add(col(resource::Column::Language).like(format!("{lang}-%"))),
        );
    }
    if let Some(v) = s.visibility {
        cond = cond.add(col(resource::Column::Visibility).eq(v.as_str()));
    }
    if let Some(org) = s.organisation_id {
        cond = cond.add(col(resource::Column::OrganisationId).eq(org));
    }
    for tag in &s.tags {
        let tagged = Query::select()
            .column(resource_tag::Column::ResourceId)
            .from(resource_tag::Entity)
            .and_where(Expr::col(resource_tag::Column::Tag).eq(tag.as_str()))
            .to_owned();
        cond = cond.add(col(resource::Column::Id).in_subquery(tagged));
    }
    if let Some(group) = s.adopted_by_group_id {
        let adopted = Query::select()
            .column(resource_adoption::Column::ResourceId)
            .from(resource_adoption::Entity)
            .and_where(Expr::col(resource_adoption::Column::GroupId).eq(group))
            .to_owned();
        cond = cond.add(col(resource::Column::Id).in_subquery(adopted));
    }
    // Placeholders: `$1` in PostgreSQL's custom expressions (`?` is a PostgreSQL operator),
    // `?` in SQLite's. On PostgreSQL the query is parsed once, in a sub-select: a prepared
    // statement's generic plan would otherwise parse it again for every match it ranks.
    match backend {
        DatabaseBackend::Postgres => {
            if let Some(pos) = s.query.tsquery_positive() {
                let q_expr = || {
                    Expr::cust_with_values(
                        "\"resources\".\"search_document\" @@ (SELECT to_tsquery('english', $1))",
                        [pos.clone()],
                    )
                };
                cond = cond.add(q_expr());
                q.expr_as(
                    Expr::cust_with_values(
                        "ts_rank(\"resources\".\"search_head\", (SELECT to_tsquery('english', $1)))::float8",
                        [pos.clone()],
                    ),
                    Alias::new("relevance"),
                );
            }
            if let Some(neg) = s.query.tsquery_negative() {
                cond = cond.add(Expr::cust_with_values(
                    "NOT (\"resources\".\"search_document\" @@ (SELECT to_tsquery('english', $1)))",
                    [neg],
                ));
            }
        }
        _ => {
            if let Some(pos) = s.query.fts5_positive() {
                q.join(
                    JoinType::InnerJoin,
                    Alias::new("resource_search_keys"),
                    Expr::col((
                        Alias::new("resource_search_keys"),
                        Alias::new("resource_id"),
                    ))
                    .equals((resource::Entity, resource::Column::Id)),
                )
                .join(
                    JoinType::InnerJoin,
                    Alias::new("resource_search"),
                    Expr::col((Alias::new("resource_search"), Alias::new("rowid")))
                        .equals((Alias::new("resource_search_keys"), Alias::new("id"))),
                );
                cond = cond.add(Expr::cust_with_values("resource_search MATCH ?", [pos]));
                // bm25 is lower for better matches; negated so that higher is better on both
                // databases. Title counts most, then summary and tags, then the body.
                q.expr_as(
                    Expr::cust("-bm25(resource_search, 10.0, 4.0, 4.0, 1.0)"),
                    Alias::new("relevance"),
                );
            }
            if let Some(neg) = s.query.fts5_negative() {
                cond = cond.add(Expr::cust_with_values(
                    "\"resources\".\"id\" NOT IN (SELECT k.resource_id FROM resource_search s \
                     JOIN resource_search_keys k ON k.id = s.rowid WHERE resource_search MATCH ?)",
                    [neg],
                ));
            }
        }
    }
    if s.order == ResourceOrder::TopRated {
        // The released score where the rating is shown (anything released: a release needs a
        // cohort of established raters, `ratings::due`), else 0: suppressed ratings all tie.
        q.expr_as(
            Expr::case(
                col(resource::Column::RatingReleasedCount).gte(1),
                col(resource::Column::RatingScore),
            )
            .finally(Expr::val(0i64)),
            Alias::new(PUBLISHED_SCORE),
        );
    }
    q.cond_where(cond);
    q
}

/// The TOP_RATED key column of `matching`.
const PUBLISHED_SCORE: &str = "published_score";

/// The order's key column (besides the id).
fn order_key(order: ResourceOrder) -> Option<&'static str> {
    match order {
        ResourceOrder::Relevance => Some("relevance"),
        ResourceOrder::Newest => None,
        ResourceOrder::MostAdopted => Some("adoption_count"),
        ResourceOrder::TopRated => Some(PUBLISHED_SCORE),
    }
}

fn other_order() -> AppError {
    AppError::bad_input("after", "this cursor belongs to another order")
}

/// Where a page starts after `cursor`, in an order by (`k` desc, id desc).
fn after(
    access: &Access,
    backend: DatabaseBackend,
    s: &Search,
    k: Option<&'static str>,
    cursor: &Cursor,
) -> AppResult<Condition> {
    let ranked = Alias::new("ranked");
    let id = Expr::col((ranked.clone(), Alias::new("id")));
    let beyond = |k: &'static str, v: Expr| {
        let k = Expr::col((ranked.clone(), Alias::new(k)));
        Condition::any()
            .add(k.clone().lt(v.clone()))
            .add(Condition::all().add(k.eq(v)).add(id.clone().lt(cursor.id)))
    };
    Ok(match (s.order, k, &cursor.key) {
        (ResourceOrder::Newest, None, None) => Condition::all().add(id.lt(cursor.id)),
        (ResourceOrder::MostAdopted, Some(k), Some(raw)) => {
            beyond(k, Expr::val(raw.parse::<i64>().map_err(|_| other_order())?))
        }
        // A published rating's cursor carries its score; a suppressed one's carries nothing,
        // and its page goes on among the suppressed (score 0), by id.
        (ResourceOrder::TopRated, Some(k), Some(raw)) => {
            let v = raw.parse::<i64>().map_err(|_| other_order())?;
            if v <= 0 {
                return Err(other_order());
            }
            beyond(k, Expr::val(v))
        }
        (ResourceOrder::TopRated, Some(k), None) => beyond(k, Expr::val(0i64)),
        // The rank of the cursor's resource, recomputed for this search. One that no longer
        // matches (or that the viewer may not see) has no rank: the page is empty.
        (ResourceOrder::Relevance, Some(k), None) => {
            let anchor = Alias::new("anchor");
            let rank = Query::select()
                .expr(Expr::col((anchor.clone(), Alias::new(k))))
                .from_subquery(matching(access, backend, s), anchor.clone())
                .and_where(Expr::col((anchor, Alias::new("id"))).eq(cursor.id))
                .to_owned();
            beyond(k, Expr::SubQuery(None, Box::new(rank.into())))
        }
        _ => return Err(other_order()),
    })
}

/// One page, best (or newest, most adopted, top rated) first; ties newest first.
pub async fn page<C>(
    db: &C,
    access: &Access,
    s: &Search,
    args: &PageArgs,
) -> AppResult<Page<resource::Model>>
where
    C: ConnectionTrait + TransactionTrait,
{
    if args.backward {
        return Err(AppError::bad_input(
            "last",
            "resources page forward only: use first and after",
        ));
    }
    let backend = db.get_database_backend();
    let ranked = Alias::new("ranked");
    let key = order_key(s.order);
    let mut outer = Query::select()
        .column(Asterisk)
        .from_subquery(matching(access, backend, s), ranked.clone())
        .to_owned();
    if let Some(cursor) = &args.cursor {
        outer.cond_where(after(access, backend, s, key, cursor)?);
    }
    if let Some(k) = key {
        outer.order_by((ranked.clone(), Alias::new(k)), Order::Desc);
    }
    outer
        .order_by((ranked, Alias::new("id")), Order::Desc)
        .limit(args.limit + 1);
    let rows = if backend == DatabaseBackend::Postgres && s.query.has_positive() {
        // A prepared statement's generic plan cannot see which visibility lists and query it
        // serves, and ranks every match at about twice the cost of a plan made for them; the
        // few milliseconds of planning are the better buy here.
        let txn = db.begin().await?;
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
        let rows = txn.query_all(&outer).await?;
        txn.commit().await?;
        rows
    } else {
        db.query_all(&outer).await?
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let model = resource::Model::from_query_result(&row, "")?;
        let key = match s.order {
            ResourceOrder::Relevance | ResourceOrder::Newest => None,
            ResourceOrder::MostAdopted => Some(model.adoption_count.to_string()),
            ResourceOrder::TopRated => {
                let score: i64 = row.try_get("", PUBLISHED_SCORE)?;
                (score > 0).then(|| score.to_string())
            }
        };
        let cursor = Cursor {
            key,
            time: None,
            id: model.id,
        };
        items.push((cursor, model));
    }
    let has_next_page = items.len() as u64 > args.limit;
    items.truncate(args.limit as usize);
    Ok(Page {
        items,
        has_next_page,
        has_previous_page: args.cursor.is_some(),
    })
}

/// How many resources the search finds (all pages).
pub async fn count(db: &impl ConnectionTrait, access: &Access, s: &Search) -> AppResult<u64> {
    let backend = db.get_database_backend();
    let q = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(matching(access, backend, s), Alias::new("found"))
        .to_owned();
    let n: i64 = match db.query_one(&q).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
