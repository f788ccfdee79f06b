//! What a nested query costs in SQL statements: bounded by its depth, not by the rows.

use canopy::domain::{
    accounts::insert_person,
    groups::{CadenceFields, GroupFields, insert_group},
    memberships::insert_active,
    umbrella::{NewOrganisation, insert_cluster, insert_grant, insert_organisation},
    values::Email,
};
use entity::{CadenceFrequency, MembershipRole, OrganisationKind, Role, Visibility};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use crate::helpers::{TestApp, ok, spawn_app_with, uuid_of};

const NESTED: &str = "query { organisation(slug: \"bulk\") { clusters(first: 50) { edges { node { groups(first: 20) { edges { node { memberCount facilitators { person { displayName } } } } } } } } } }";

/// An umbrella with `clusters` clusters of `per_cluster` groups, each with a facilitator and a
/// co-facilitator; returns the admin's email.
async fn bulk_network(app: &TestApp, clusters: usize, per_cluster: usize) -> String {
    let txn = app.db.begin().await.unwrap();
    let org = insert_organisation(
        &txn,
        NewOrganisation {
            slug: "bulk".into(),
            name: "Bulk".into(),
            kind: OrganisationKind::Umbrella,
            description: None,
        },
    )
    .await
    .unwrap();
    // The hash is never checked here; sign-in goes through the API with a real password below.
    let admin_email = "bulk-admin@example.org".to_owned();
    let admin = insert_person(
        &txn,
        Email::parse("e", &admin_email).unwrap(),
        "Admin".into(),
        "x".into(),
        "UTC".into(),
        "en".into(),
    )
    .await
    .unwrap();
    insert_grant(&txn, admin.id, Role::Admin, org.id, None, None)
        .await
        .unwrap();
    let mut n = 0;
    for c in 0..clusters {
        let cluster = insert_cluster(&txn, &org, None, &format!("Cluster {c:03}"), None)
            .await
            .unwrap();
        for _ in 0..per_cluster {
            n += 1;
            let fields = GroupFields {
                slug: Some(format!("bulk-group-{n}")),
                name: Some(format!("Group {n:04}")),
                purpose: Some("Bulk".into()),
                cadence: Some(CadenceFields {
                    frequency: CadenceFrequency::AdHoc,
                    weekday: None,
                    week_of_month: None,
                    local_start_time: None,
                    duration_minutes: None,
                    timezone: "UTC".into(),
                }),
                visibility: Some(if n % 3 == 0 {
                    Visibility::Private
                } else {
                    Visibility::Public
                }),
                ..GroupFields::default()
            };
            let group = insert_group(&txn, &cluster, fields).await.unwrap();
            for (k, role) in [
                MembershipRole::Facilitator,
                MembershipRole::CoFacilitator,
                MembershipRole::Member,
            ]
            .into_iter()
            .enumerate()
            {
                let email = Email::parse("e", &format!("p{n}-{k}@example.org")).unwrap();
                let p = insert_person(
                    &txn,
                    email,
                    format!("P{n}-{k}"),
                    "x".into(),
                    "UTC".into(),
                    "en".into(),
                )
                .await
                .unwrap();
                insert_active(&txn, group.id, p.id, role, chrono::Utc::now())
                    .await
                    .unwrap();
            }
        }
    }
    txn.commit().await.unwrap();
    admin_email
}

async fn cost(app: &TestApp, token: Option<&str>) -> (u64, serde_json::Value) {
    app.statements.reset();
    let (status, body) = app.post(token, NESTED, json!({})).await;
    assert_eq!(status, 200, "{body}");
    (app.statements.get(), body)
}

/// The nested query reads 1,000 groups and prices each group's facilitators as a list of
/// unknown length (ten rows each): past the default budget, a configuration matter here.
const BUDGET: &[(&str, &str)] = &[("CANOPY_MAX_COMPLEXITY", "100000")];

/// (anonymous statements, signed-in statements, groups seen anonymously, groups seen signed in)
async fn measure(clusters: usize, per_cluster: usize) -> (u64, u64, usize, usize) {
    let app = spawn_app_with(BUDGET).await;
    bulk_network(&app, clusters, per_cluster).await;
    let count_groups = |body: &serde_json::Value| -> usize {
        ok(body)["organisation"]["clusters"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["groups"]["edges"].as_array().unwrap().len())
            .sum()
    };
    let (anonymous, body) = cost(&app, None).await;
    let first =
        &body["data"]["organisation"]["clusters"]["edges"][0]["node"]["groups"]["edges"][0]["node"];
    assert_eq!(first["memberCount"], 3);
    assert_eq!(first["facilitators"].as_array().unwrap().len(), 2);
    let anonymous_groups = count_groups(&body);
    // A viewer with a cluster grant and a membership in a PRIVATE group elsewhere: every branch
    // of the visibility rule is in play, and it costs one statement more (their rights).
    let viewer = app.sign_up("Viewer").await;
    let person = uuid_of(&viewer.person_id);
    let org = entity::organisation::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let first_cluster = entity::cluster::Entity::find()
        .filter(entity::cluster::Column::Name.eq("Cluster 000"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    insert_grant(
        &app.db,
        person,
        Role::Coordinator,
        org.id,
        Some(first_cluster.id),
        None,
    )
    .await
    .unwrap();
    let private_elsewhere = entity::group::Entity::find()
        .filter(entity::group::Column::Visibility.eq(Visibility::Private))
        .filter(entity::group::Column::ClusterId.ne(first_cluster.id))
        .one(&app.db)
        .await
        .unwrap();
    if let Some(g) = &private_elsewhere {
        insert_active(
            &app.db,
            g.id,
            person,
            MembershipRole::Member,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    let (signed_in, body) = cost(&app, Some(&viewer.token)).await;
    (anonymous, signed_in, anonymous_groups, count_groups(&body))
}

#[tokio::test]
async fn the_nested_directory_query_costs_at_most_six_statements_for_5_or_500_groups() {
    let (small_anon, small_signed, small_public, small_seen) = measure(1, 5).await;
    let (big_anon, big_signed, big_public, big_seen) = measure(25, 20).await;
    // Every third group is PRIVATE: anonymous callers see exactly the others.
    assert_eq!((small_public, big_public), (4, 334));
    // The coordinator of the first cluster sees all 5 there; with 25 clusters also one
    // PRIVATE group elsewhere through their membership.
    assert_eq!((small_seen, big_seen), (5, 334 + 6 + 1));
    assert_eq!(small_anon, big_anon, "cost must not grow with the rows");
    assert_eq!(small_signed, big_signed);
    assert!(big_anon <= 6, "anonymous: {big_anon} statements");
    assert!(big_signed <= 6, "signed in: {big_signed} statements");
}

/// Top-level clusters, each with sub-clusters holding groups.
async fn nested_network(app: &TestApp, tops: usize, children: usize, groups: usize) -> String {
    let txn = app.db.begin().await.unwrap();
    let org = insert_organisation(
        &txn,
        NewOrganisation {
            slug: "nested".into(),
            name: "Nested".into(),
            kind: OrganisationKind::Umbrella,
            description: None,
        },
    )
    .await
    .unwrap();
    let mut n = 0;
    for t in 0..tops {
        let top = insert_cluster(&txn, &org, None, &format!("Top {t:02}"), None)
            .await
            .unwrap();
        for c in 0..children {
            let child = insert_cluster(
                &txn,
                &org,
                Some(&top),
                &format!("Child {t:02}-{c:02}"),
                None,
            )
            .await
            .unwrap();
            for _ in 0..groups {
                n += 1;
                let fields = GroupFields {
                    slug: Some(format!("nested-{n}")),
                    name: Some(format!("Nested {n:04}")),
                    purpose: Some("Nested".into()),
                    visibility: Some(Visibility::Public),
                    cadence: Some(CadenceFields {
                        frequency: CadenceFrequency::AdHoc,
                        weekday: None,
                        week_of_month: None,
                        local_start_time: None,
                        duration_minutes: None,
                        timezone: "UTC".into(),
                    }),
                    ..GroupFields::default()
                };
                insert_group(&txn, &child, fields).await.unwrap();
            }
        }
    }
    txn.commit().await.unwrap();
    crate::helpers::encode_id("Organisation", org.id)
}

async fn nested_cost(tops: usize, children: usize, groups: usize) -> u64 {
    let app = spawn_app_with(BUDGET).await;
    let org = nested_network(&app, tops, children, groups).await;
    let viewer = app.sign_up("Viewer").await;
    let q = "query($id: ID!) { node(id: $id) { ... on Organisation { clusters(first: 50) { totalCount edges { node { name ancestors { name } parent { name } children { totalCount edges { node { name } } } groups(includeDescendants: true, first: 50) { totalCount edges { node { name cluster { name ancestors { name } } organisation { name } facilitators { person { displayName } } } } } } } } } } }";
    app.statements.reset();
    let (status, body) = app.post(Some(&viewer.token), q, json!({ "id": org })).await;
    assert_eq!(status, 200, "{body}");
    let edges = ok(&body)["node"]["clusters"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), tops * (children + 1));
    let top = edges
        .iter()
        .find(|e| e["node"]["name"] == "Top 00")
        .unwrap();
    assert_eq!(
        top["node"]["groups"]["totalCount"],
        (children * groups) as i64
    );
    assert_eq!(top["node"]["children"]["totalCount"], children as i64);
    app.statements.get()
}

#[tokio::test]
async fn nested_clusters_ancestors_and_subtree_groups_are_batched() {
    // The cluster loader serves two depths here (ancestors and each group's cluster); whether
    // those share a batch depends on timing, so the count may differ by one between runs.
    // What matters is the bound: 6 clusters with 8 groups and 25 with 60 stay within 12.
    let small = nested_cost(2, 2, 2).await;
    let large = nested_cost(5, 4, 3).await;
    assert!(small <= 12 && large <= 12, "{small} and {large} statements");
}
