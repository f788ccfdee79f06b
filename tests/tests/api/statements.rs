//! What a nested query costs in SQL statements: bounded by its depth, not by the rows.

use canopy::domain::{
    accounts::insert_person,
    groups::{CadenceFields, GroupFields, insert_group},
    memberships::insert_active,
    umbrella::{NewOrganisation, insert_cluster, insert_grant, insert_organisation},
    values::Email,
};
use entity::{CadenceFrequency, MembershipRole, OrganisationKind, Role, Visibility};
use sea_orm::TransactionTrait;
use serde_json::json;

use crate::helpers::{TestApp, ok, spawn_app_with};

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

/// The nested dashboard query needs a higher complexity budget than the default 1000
/// (50 clusters × 20 groups); that is a configuration matter, not a cost one.
const BUDGET: &[(&str, &str)] = &[("CANOPY_MAX_COMPLEXITY", "100000")];

async fn measure(clusters: usize, per_cluster: usize) -> (u64, u64, usize) {
    let app = spawn_app_with(BUDGET).await;
    bulk_network(&app, clusters, per_cluster).await;
    let (anonymous, body) = cost(&app, None).await;
    let edges = ok(&body)["organisation"]["clusters"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let groups: usize = edges
        .iter()
        .map(|e| e["node"]["groups"]["edges"].as_array().unwrap().len())
        .sum();
    let first = &edges[0]["node"]["groups"]["edges"][0]["node"];
    assert_eq!(first["memberCount"], 3);
    assert_eq!(first["facilitators"].as_array().unwrap().len(), 2);
    // A signed-in viewer adds one statement: their grants and memberships.
    let admin = app.sign_up("Viewer").await;
    let (signed_in, _) = cost(&app, Some(&admin.token)).await;
    (anonymous, signed_in, groups)
}

#[tokio::test]
async fn the_nested_directory_query_costs_at_most_six_statements_for_5_or_500_groups() {
    let (small_anon, small_signed, small_groups) = measure(1, 5).await;
    let (big_anon, big_signed, big_groups) = measure(25, 20).await;
    // Anonymous callers see the PUBLIC two thirds; the point is the statement count.
    assert!(
        small_groups >= 3 && big_groups >= 300,
        "{small_groups} / {big_groups}"
    );
    assert_eq!(small_anon, big_anon, "cost must not grow with the rows");
    assert_eq!(small_signed, big_signed);
    assert!(big_anon <= 6, "anonymous: {big_anon} statements");
    assert!(big_signed <= 6, "signed in: {big_signed} statements");
}

#[tokio::test]
async fn nested_clusters_and_members_are_batched() {
    let app = spawn_app_with(BUDGET).await;
    let admin_email = bulk_network(&app, 4, 3).await;
    let _ = admin_email;
    let w = app.world().await;
    let q = "query($id: ID!) { node(id: $id) { ... on Organisation { clusters(first: 50) { totalCount edges { node { ancestors { name } children { totalCount edges { node { name } } } groups(includeDescendants: true) { totalCount edges { node { name cluster { name } organisation { name } } } } } } } } } }";
    app.statements.reset();
    let res = app.gql_as(&w.admin, q, json!({ "id": w.org_id })).await;
    ok(&res);
    let statements = app.statements.get();
    // access, node lookup, clusters page, cluster count, ancestors, children page, children
    // count, groups page, groups count, clusters of groups, organisation: bounded by fields.
    assert!(statements <= 12, "{statements} statements: {res}");
}
