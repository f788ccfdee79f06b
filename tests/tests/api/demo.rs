//! The demo network: every role can sign in and sees what that role should.

use canopy::domain::demo::{DEMO_PASSWORD, load};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, code, ok, spawn_demo_app, test_config};

async fn log_in(app: &TestApp, email: &str) -> Session {
    let res = app
        .gql(
            "mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { accessToken refreshToken person { id } } }",
            json!({ "e": email, "p": DEMO_PASSWORD }),
        )
        .await;
    let p = &ok(&res)["logIn"];
    Session {
        token: p["accessToken"].as_str().unwrap().to_owned(),
        refresh: p["refreshToken"].as_str().unwrap().to_owned(),
        person_id: p["person"]["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
    }
}

fn total(res: &Value) -> i64 {
    res["data"]["groups"]["totalCount"].as_i64().unwrap_or(-1)
}

const COUNT: &str = "{ groups { totalCount } }";

#[tokio::test]
async fn the_demo_network_has_every_role_and_respects_visibility() {
    let app = spawn_demo_app().await;
    let structure = app
        .gql(
            "{ organisation(slug: \"evergreen\") { name clusters(first: 10) { totalCount edges { node { name depth } } } } }",
            json!({}),
        )
        .await;
    let org = &ok(&structure)["organisation"];
    assert_eq!(org["name"], "Evergreen Peer Network");
    assert_eq!(org["clusters"]["totalCount"], 5);
    let admin = log_in(&app, "admin@evergreen.example").await;
    assert_eq!(total(&app.gql_as(&admin, COUNT, json!({})).await), 12);
    let anonymous = total(&app.gql(COUNT, json!({})).await);
    assert!(
        anonymous > 0 && anonymous < 12,
        "anonymous sees only PUBLIC groups: {anonymous}"
    );
    let formats = app
        .gql_as(
            &admin,
            "{ groups(first: 12) { edges { node { format modality } } } }",
            json!({}),
        )
        .await;
    let edges = ok(&formats)["groups"]["edges"].as_array().unwrap().clone();
    for f in [
        "TOPIC_CIRCLE",
        "SKILL_POD",
        "LIFE_STAGE_COHORT",
        "HYBRID_COMMUNITY",
    ] {
        assert!(
            edges.iter().any(|e| e["node"]["format"] == f),
            "{f} missing"
        );
    }
    for m in ["IN_PERSON", "ONLINE", "HYBRID"] {
        assert!(
            edges.iter().any(|e| e["node"]["modality"] == m),
            "{m} missing"
        );
    }
    for email in [
        "coordinator",
        "trainer",
        "curator",
        "analyst",
        "facilitator",
        "member",
    ] {
        let who = log_in(&app, &format!("{email}@evergreen.example")).await;
        let me = app
            .gql_as(&who, "{ viewer { person { email } } }", json!({}))
            .await;
        assert_eq!(
            ok(&me)["viewer"]["person"]["email"],
            format!("{email}@evergreen.example")
        );
    }
    let facilitator = log_in(&app, "facilitator@evergreen.example").await;
    let own = app
        .gql_as(&facilitator, "{ group(slug: \"carers-north-evenings\") { viewerMembership { role } members { totalCount } } }", json!({}))
        .await;
    assert_eq!(ok(&own)["group"]["viewerMembership"]["role"], "FACILITATOR");
    assert!(
        own["data"]["group"]["members"]["totalCount"]
            .as_i64()
            .unwrap()
            >= 8
    );
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_is_not_empty() {
    let app = spawn_demo_app().await;
    let config = test_config("sqlite::memory:", &[]);
    let hasher = canopy::auth::PasswordHasher::new(config.argon2).unwrap();
    let second = load(&app.db, &hasher).await;
    assert!(matches!(second, Err(canopy::error::AppError::Conflict(_))));
    // The first load is untouched.
    let res = app.gql("{ organisations { totalCount } }", json!({})).await;
    assert_eq!(ok(&res)["organisations"]["totalCount"], 2);
    assert_eq!(code(&res), "");
}
