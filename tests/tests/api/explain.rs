//! Every connection's page is read in index order: the database is asked how it would run each
//! page statement the API sends, and none may sort its rows itself (SQLite: no "TEMP B-TREE
//! FOR ORDER BY"; PostgreSQL, with sorting made a last resort: no Sort node). A new connection
//! without an index for its ORDER BY fails here.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, TransactionTrait};
use serde_json::json;

use crate::{
    helpers::{Session, TestApp, World, ok},
    resources::{library, published},
    training::member_with_role,
};

/// Pages that sort by design, told by a fragment of their SQL, and why.
const SORTED_BY_DESIGN: &[(&str, &str)] = &[
    (
        "ts_rank",
        "a search orders by relevance, computed per row: nothing to index",
    ),
    (
        "bm25",
        "a search orders by relevance, computed per row: nothing to index",
    ),
    (
        "\"training_programs\".\"organisation_id\" = ANY(",
        "the programmes of all the viewer's organisations are merged by name: a few each",
    ),
    (
        "\"attendance\".\"membership_id\" IN (SELECT",
        "the viewer's attendance across their memberships is merged by id: one person's history",
    ),
];

/// The statements that read a page: ordered and limited.
fn pages(statements: Vec<Statement>) -> Vec<Statement> {
    statements
        .into_iter()
        .filter(|s| {
            let sql = s.sql.to_uppercase();
            sql.starts_with("SELECT") && sql.contains("ORDER BY") && sql.contains("LIMIT")
        })
        .collect()
}

/// Whether the database would sort the rows a page keeps out of more rows than it keeps: the
/// page is not read in the order of an index (the plan, when it is). A page per parent sorts
/// the rows it kept (at most `first + 1` per parent) to hand them back grouped by parent; that
/// sort is fine, one under the limit of the per-parent read is not.
async fn sorts_children(app: &TestApp, statement: &Statement) -> Option<String> {
    let per_parent = statement.sql.contains("AS \"paged\"");
    // Sorting and sequential scans only when nothing else can answer: a plan that still sorts
    // under a limit has no index for its order.
    let rows = explained(app, statement, &["enable_sort", "enable_seqscan", "jit"]).await;
    match app.db.get_database_backend() {
        DbBackend::Postgres => {
            let lines: Vec<String> = rows
                .iter()
                .map(|r| r.try_get_by_index::<String>(0).unwrap())
                .collect();
            let node = |l: &str| l.trim_start_matches([' ', '-', '>']).to_owned();
            // An Incremental Sort streams in index order and only orders ties (a meeting's
            // start is unique per group, so the id never has to): it stops at the limit.
            let bad = lines.windows(2).any(|pair| {
                node(&pair[0]).starts_with("Limit") && node(&pair[1]).starts_with("Sort ")
            });
            bad.then(|| lines.join("\n  "))
        }
        _ => {
            let nodes: Vec<(i64, i64, String)> = rows
                .iter()
                .map(|r| {
                    (
                        r.try_get::<i64>("", "id").unwrap(),
                        r.try_get::<i64>("", "parent").unwrap(),
                        r.try_get::<String>("", "detail").unwrap(),
                    )
                })
                .collect();
            let in_subquery = |mut parent: i64| {
                while parent != 0 {
                    let Some((_, up, detail)) = nodes.iter().find(|(id, _, _)| *id == parent)
                    else {
                        return false;
                    };
                    if detail.contains("SUBQUERY") {
                        return true;
                    }
                    parent = *up;
                }
                false
            };
            let bad = nodes.iter().any(|(_, parent, detail)| {
                detail.contains("USE TEMP B-TREE FOR")
                    && detail.contains("ORDER BY")
                    && (!per_parent || in_subquery(*parent))
            });
            let plan: Vec<&str> = nodes.iter().map(|(_, _, d)| d.as_str()).collect();
            bad.then(|| plan.join("\n  "))
        }
    }
}

/// The tables whose pages the API serves.
const TABLES: &[&str] = &[
    "organisations",
    "groups",
    "clusters",
    "role_grants",
    "memberships",
    "meetings",
    "group_succession",
    "action_commitments",
    "polls",
    "suggestions",
    "membership_applications",
    "training_programs",
    "workshops",
    "resources",
    "resource_versions",
    "resource_adoptions",
    "check_ins",
    "attendance",
];

/// The table a page statement reads its rows from: the one it pages (`… "t" AS "paged"`),
/// else the first it reads (`FROM "t"`).
fn table_of(sql: &str) -> &'static str {
    let at = |pattern: String| sql.find(&pattern);
    TABLES
        .iter()
        .filter_map(|t| {
            at(format!("\"{t}\" AS \"paged\""))
                .map(|i| (0, i, *t))
                .or_else(|| at(format!("FROM \"{t}\"")).map(|i| (1, i, *t)))
        })
        .min()
        .map_or("?", |(_, _, t)| t)
}

/// A group (`slug`) with a facilitator and a member, and a meeting held `days_ago` each, the
/// member recorded present: the group's id, its facilitator and its member.
async fn group_with_held_meetings(
    app: &TestApp,
    w: &World,
    slug: &str,
    days_ago: &[i64],
) -> (String, Session, Session) {
    let group = app.group(&w.admin, &w.a1, slug, json!({})).await;
    let (facilitator, _) =
        member_with_role(app, w, &group, &format!("{slug}-f"), "FACILITATOR").await;
    let (member, member_m) = member_with_role(app, w, &group, &format!("{slug}-m"), "MEMBER").await;
    for days in days_ago {
        let meeting = app
            .meeting_at(&facilitator, &group, Utc::now() - Duration::days(*days))
            .await;
        app.attend(
            &facilitator,
            &meeting,
            json!([{ "membershipId": member_m, "status": "PRESENT" }]),
        )
        .await;
    }
    (group, facilitator, member)
}

#[tokio::test]
async fn every_connection_reads_its_page_in_index_order() {
    let app = crate::helpers::spawn_app().await;
    let lib = library(&app).await;
    let w = &lib.w;
    // A group with a held meeting, a poll and a suggestion; a resource with a version; a
    // training programme; the member's own check-in.
    let (group, facilitator, member) = group_with_held_meetings(&app, w, "explained", &[1]).await;
    ok(&app
        .gql_as(
            &facilitator,
            "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }",
            json!({ "input": { "groupId": group, "question": "Tea?", "closesAt": (Utc::now() + Duration::days(2)).to_rfc3339() } }),
        )
        .await);
    ok(&app
        .gql_as(
            &member,
            "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id } } }",
            json!({ "input": { "groupId": group, "rating": 2 } }),
        )
        .await);
    ok(&app
        .gql_as(
            &w.admin,
            "mutation($input: CreateTrainingProgramInput!) { createTrainingProgram(input: $input) { program { id } } }",
            json!({ "input": { "organisationId": w.org_id, "slug": "explained", "name": "Explained" } }),
        )
        .await);
    published(&app, &lib, json!({})).await;

    let page = "first: 5) { edges { node { id } } }";
    let documents = [
        (
            &w.admin,
            format!(
                "{{ organisations({page} groups({page} trainingPrograms(first: 5) {{ edges {{ node {{ workshops({page} }} }} }} }}"
            ),
        ),
        (
            &w.admin,
            format!(
                "query($org: ID!) {{ node(id: $org) {{ ... on Organisation {{ clusters({page} groupsAtRisk({page} roleGrants({page} }} }} }}"
            ),
        ),
        (
            &w.admin,
            format!(
                "query($id: ID!) {{ cluster(id: $id) {{ children({page} roleGrants({page} groupsAtRisk({page} groups({page} groupsBelow: groups(includeDescendants: true, {page} }} }}"
            ),
        ),
        (
            &facilitator,
            format!(
                "{{ group(slug: \"explained\") {{ members({page} meetings(last: 5) {{ edges {{ node {{ id commitments({page} }} }} }} record({page} adoptedResources({page} applications({page} polls({page} suggestions({page} }} }}"
            ),
        ),
        (
            &w.admin,
            format!(
                "{{ resources({page} searched: resources(search: \"grounding\", {page} all: resources(first: 5) {{ edges {{ node {{ versions({page} adoptedBy({page} derivatives({page} }} }} }} }}"
            ),
        ),
        (
            &member,
            format!(
                "{{ viewer {{ checkIns({page} attendance({page} applications({page} memberships({page} }} }}"
            ),
        ),
    ];
    let mut checked = std::collections::BTreeSet::new();
    let mut sorting = Vec::new();
    for (who, document) in documents {
        app.statements.reset();
        let res = app
            .gql_as(who, &document, json!({ "id": w.a, "org": w.org_id }))
            .await;
        ok(&res);
        for statement in pages(app.statements.statements()) {
            let table = table_of(&statement.sql);
            let by_design = SORTED_BY_DESIGN
                .iter()
                .any(|(fragment, _)| statement.sql.contains(fragment));
            if let Some(plan) = sorts_children(&app, &statement).await
                && !by_design
            {
                sorting.push(format!("{table}:\n  {}\n  {plan}", statement.sql));
            }
            checked.insert(table);
        }
    }
    assert!(
        sorting.is_empty(),
        "pages sorted without an index:\n{}",
        sorting.join("\n\n")
    );
    for table in TABLES {
        assert!(
            checked.contains(table),
            "no page of {table} was checked: {checked:?}"
        );
    }
}

/// How the database would run `statement`: `EXPLAIN` on PostgreSQL, with the planner
/// `settings` turned off for it alone; `EXPLAIN QUERY PLAN` on SQLite.
async fn explained(app: &TestApp, statement: &Statement, settings: &[&str]) -> Vec<QueryResult> {
    let backend = app.db.get_database_backend();
    let prefix = match backend {
        DbBackend::Postgres => "EXPLAIN ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let txn = app.db.begin().await.unwrap();
    if backend == DbBackend::Postgres {
        for setting in settings {
            txn.execute_unprepared(&format!("SET LOCAL {setting} = off"))
                .await
                .unwrap();
        }
    }
    let rows = txn
        .query_all_raw(Statement {
            sql: format!("{prefix}{}", statement.sql),
            values: statement.values.clone(),
            db_backend: backend,
        })
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    rows
}

/// The plan of `statement`, one line per node (PostgreSQL with sequential scans a last resort;
/// SQLite's `EXPLAIN QUERY PLAN` details).
async fn plan_lines(app: &TestApp, statement: &Statement) -> Vec<String> {
    let postgres = app.db.get_database_backend() == DbBackend::Postgres;
    explained(app, statement, &["enable_seqscan"])
        .await
        .iter()
        .map(|r| {
            if postgres {
                r.try_get_by_index::<String>(0).unwrap()
            } else {
                r.try_get::<String>("", "detail").unwrap()
            }
        })
        .collect()
}

/// A page of a group's meetings of one status (the dashboard's "last three HELD") and the
/// attendance counted along with it find their rows by status in an index: neither reads rows
/// only to drop those of another status.
#[tokio::test]
async fn meetings_of_a_status_and_their_counts_are_found_by_status_in_an_index() {
    let app = crate::helpers::spawn_app().await;
    let lib = library(&app).await;
    let w = &lib.w;
    let (_, facilitator, _) = group_with_held_meetings(&app, w, "by-status", &[1, 8]).await;
    app.statements.reset();
    let res = app
        .gql_as(
            &facilitator,
            "{ group(slug: \"by-status\") { meetings(last: 3, filter: {status: [HELD]}) { edges { node { id attendanceSummary { present } } } } } }",
            json!({}),
        )
        .await;
    ok(&res);
    let counted = |s: &&Statement| s.sql.contains("present_n");
    let statements = app.statements.statements();
    let statement = statements.iter().find(counted).unwrap_or_else(|| {
        panic!("no page counted attendance along: {statements:?}");
    });
    let plan = plan_lines(&app, statement).await;
    let by_filter: Vec<&String> = match app.db.get_database_backend() {
        // "Filter: ((status)::text = …)": rows read, then dropped.
        DbBackend::Postgres => plan
            .iter()
            .filter(|l| l.contains("Filter") && l.contains("status"))
            .collect(),
        // Each search of meetings or attendance names the status among its index's terms.
        _ => plan
            .iter()
            .filter(|l| {
                (l.starts_with("SEARCH meetings") || l.starts_with("SEARCH counted"))
                    && !l.contains("status=?")
            })
            .collect(),
    };
    assert!(
        by_filter.is_empty(),
        "rows read and dropped by status:\n  {}\n  {}",
        statement.sql,
        plan.join("\n  ")
    );
}
