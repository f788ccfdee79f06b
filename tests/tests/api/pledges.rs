//! Confidentiality pledges: versions, acceptance (valid 12 months), joining needs the current
//! one, and the facilitators' view of who needs to renew.

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use crate::helpers::{code, field, ok, spawn_app, uuid_of};

const PUBLISH: &str = "mutation($input: PublishPledgeInput!) { publishPledge(input: $input) { pledge { version text } } }";
const ACCEPT: &str = "mutation($input: AcceptPledgeInput!) { acceptPledge(input: $input) { validUntil group { pledge { version } } } }";
const STATUS: &str = "{ group(slug: \"pledged\") { pledgeStatus { standing validUntil membership { person { displayName } } } } }";

#[tokio::test]
async fn pledges_are_versioned_accepted_and_required_to_join() {
    let app = spawn_app().await;
    let w = app.world().await;
    let g = app.group(&w.admin, &w.a, "pledged", json!({})).await;
    let fay = app.sign_up("Fay").await;
    let old = app.sign_up("Old").await;
    let fay_m = ok(&app.join(&fay, &g).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app.join(&old, &g).await);
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fay_m })).await);
    let accept = |v: i64| json!({ "input": { "groupId": g, "version": v } });
    assert_eq!(
        field(&app.gql_as(&old, ACCEPT, accept(1)).await),
        "groupId",
        "nothing to accept yet"
    );
    let publish = |text: &str| json!({ "input": { "groupId": g, "text": text } });
    assert_eq!(
        code(
            &app.gql(PUBLISH, publish("What is said here stays here."))
                .await
        ),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(&old, PUBLISH, publish("Mine")).await),
        "FORBIDDEN"
    );
    assert_eq!(
        field(&app.gql_as(&fay, PUBLISH, publish(" ")).await),
        "text"
    );
    let v1 = app
        .gql_as(&fay, PUBLISH, publish("What is said here stays here."))
        .await;
    assert_eq!(ok(&v1)["publishPledge"]["pledge"]["version"], 1);
    let v2 = app
        .gql_as(
            &fay,
            PUBLISH,
            publish("What is said here stays here, including online."),
        )
        .await;
    assert_eq!(ok(&v2)["publishPledge"]["pledge"]["version"], 2);
    // Joining now needs the current pledge.
    let newcomer = app.sign_up("New").await;
    let refused = app.join(&newcomer, &g).await;
    assert_eq!(code(&refused), "NOT_ELIGIBLE");
    assert!(
        refused["errors"][0]["extensions"]["missing"][0]
            .as_str()
            .unwrap()
            .contains("version 2")
    );
    let stale = app.gql_as(&newcomer, ACCEPT, accept(1)).await;
    assert_eq!(
        (code(&stale), field(&stale)),
        ("BAD_USER_INPUT".into(), "version".into())
    );
    assert_eq!(code(&app.gql(ACCEPT, accept(2)).await), "UNAUTHENTICATED");
    let res = app.gql_as(&newcomer, ACCEPT, accept(2)).await;
    let until: chrono::DateTime<Utc> = ok(&res)["acceptPledge"]["validUntil"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let days = (until - Utc::now()).num_days();
    assert!((360..=370).contains(&days), "valid for 12 months: {days}");
    assert_eq!(
        ok(&app.join(&newcomer, &g).await)["joinGroup"]["membership"]["status"],
        "ACTIVE"
    );
    // Old has not accepted; Fay's acceptance is about to run out; New is fine.
    ok(&app.gql_as(&fay, ACCEPT, accept(2)).await);
    entity::pledge_acceptance::Entity::update_many()
        .col_expr(
            entity::pledge_acceptance::Column::ValidUntil,
            Expr::value(Utc::now() + Duration::days(10)),
        )
        .filter(entity::pledge_acceptance::Column::PersonId.eq(uuid_of(&fay.person_id)))
        .exec(&app.db)
        .await
        .unwrap();
    let status = app.gql_as(&fay, STATUS, json!({})).await;
    let mut entries: Vec<(String, String)> = ok(&status)["group"]["pledgeStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["membership"]["person"]["displayName"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                e["standing"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            ("Fay".to_owned(), "EXPIRING_SOON".to_owned()),
            ("Old".to_owned(), "MISSING".to_owned())
        ]
    );
    assert_eq!(
        code(&app.gql_as(&old, STATUS, json!({})).await),
        "FORBIDDEN"
    );
    // Each member sees their own date; not someone else's.
    let q = "query($id: ID!) { node(id: $id) { ... on Membership { pledgeValidUntil } } }";
    assert!(
        ok(&app.gql_as(&fay, q, json!({ "id": fay_m })).await)["node"]["pledgeValidUntil"]
            .is_string()
    );
    assert_eq!(
        code(&app.gql_as(&newcomer, q, json!({ "id": fay_m })).await),
        "FORBIDDEN"
    );
}
