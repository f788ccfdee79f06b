//! Answers that cannot help saying "this exists" say nothing about whose, and stop after a
//! few: nobody can walk a list of emails or slugs through them.

use serde_json::{Value, json};

use crate::helpers::{CREATE_GROUP, PASSWORD, code, group_input, ok, spawn_app};

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { person { id } } }";
const CREATE_RESOURCE: &str =
    "mutation($input: CreateResourceInput!) { createResource(input: $input) { resource { id } } }";

fn message(res: &Value) -> String {
    res["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

fn resource(org: &str, slug: &str) -> Value {
    json!({ "input": {
        "organisationId": org, "slug": slug, "kind": "CHECKLIST", "visibility": "NETWORK",
        "title": "Grounding checklist", "summary": "Five steps back to the room.",
        "body": "1. Name five things you can see.", "licence": "CC-BY-4.0",
    } })
}

#[tokio::test]
async fn a_private_groups_slug_answers_like_any_other_and_is_throttled() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.group(
        &w.admin,
        &w.b,
        "hidden-circle",
        json!({ "visibility": "PRIVATE" }),
    )
    .await;
    app.group(&w.admin, &w.b, "open-circle", json!({})).await;
    let attempt = |slug: &'static str| {
        app.gql_as(
            &w.coordinator_a,
            CREATE_GROUP,
            json!({ "input": group_input(&w.a, slug, json!({})) }),
        )
    };
    let hidden = attempt("hidden-circle").await;
    let visible = attempt("open-circle").await;
    assert_eq!(code(&hidden), "CONFLICT", "{hidden}");
    assert_eq!(
        message(&hidden),
        message(&visible),
        "no difference by visibility"
    );
    assert!(!message(&hidden).contains("hidden-circle"), "{hidden}");
    for _ in 2..10 {
        assert_eq!(code(&attempt("hidden-circle").await), "CONFLICT");
    }
    let throttled = attempt("a-free-slug").await;
    assert_eq!(code(&throttled), "RATE_LIMITED", "{throttled}");
}

#[tokio::test]
async fn someone_elses_draft_slug_answers_unavailable_and_is_throttled() {
    let app = spawn_app().await;
    let w = app.world().await;
    ok(&app
        .gql_as(
            &w.coordinator_b,
            CREATE_RESOURCE,
            resource(&w.org_id, "my-private-draft"),
        )
        .await);
    let res = app
        .gql_as(
            &w.coordinator_a,
            CREATE_RESOURCE,
            resource(&w.org_id, "my-private-draft"),
        )
        .await;
    assert_eq!(code(&res), "CONFLICT", "{res}");
    let said = message(&res);
    assert!(
        said.contains("unavailable") && !said.contains("exists") && !said.contains("draft"),
        "{said}"
    );
    for _ in 1..10 {
        let res = app
            .gql_as(
                &w.coordinator_a,
                CREATE_RESOURCE,
                resource(&w.org_id, "my-private-draft"),
            )
            .await;
        assert_eq!(code(&res), "CONFLICT");
    }
    let throttled = app
        .gql_as(
            &w.coordinator_a,
            CREATE_RESOURCE,
            resource(&w.org_id, "free-slug"),
        )
        .await;
    assert_eq!(code(&throttled), "RATE_LIMITED", "{throttled}");
}

#[tokio::test]
async fn sign_up_with_registered_emails_is_throttled_per_address() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let sign_up = |email: String| {
        app.gql(
            SIGN_UP,
            json!({ "input": { "email": email, "password": PASSWORD, "displayName": "Eve" } }),
        )
    };
    for _ in 0..5 {
        let res = sign_up(ana.email.clone()).await;
        assert_eq!(code(&res), "CONFLICT", "{res}");
    }
    // Past the limit every sign-up from the address waits, registered email or not, so the
    // answer no longer tells them apart.
    let registered = sign_up(ana.email.clone()).await;
    let fresh = sign_up("someone-new@example.org".to_owned()).await;
    assert_eq!(code(&registered), "RATE_LIMITED", "{registered}");
    assert_eq!(code(&fresh), "RATE_LIMITED", "{fresh}");
}

#[tokio::test]
async fn a_burst_of_parallel_probes_gets_no_more_answers_than_the_limit() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let probes = (0..20).map(|_| {
        app.gql(
            SIGN_UP,
            json!({ "input": { "email": ana.email, "password": PASSWORD, "displayName": "Eve" } }),
        )
    });
    let answers = futures_util::future::join_all(probes).await;
    let revealed = answers.iter().filter(|r| code(r) == "CONFLICT").count();
    let limited = answers.iter().filter(|r| code(r) == "RATE_LIMITED").count();
    assert_eq!(revealed + limited, 20, "{answers:?}");
    assert!(
        revealed <= 5,
        "only five answers may say so, {revealed} did"
    );
}

#[tokio::test]
async fn another_organisations_programme_slug_answers_unavailable() {
    let app = spawn_app().await;
    let ours = app.world().await;
    let theirs = app.world().await;
    let create = |who, org: &str, slug: &str| {
        app.gql_as(
            who,
            "mutation($input: CreateTrainingProgramInput!) { createTrainingProgram(input: $input) { program { id } } }",
            json!({ "input": { "organisationId": org, "slug": slug, "name": "Facilitation" } }),
        )
    };
    ok(&create(&theirs.admin, &theirs.org_id, "their-secret-path").await);
    let res = create(&ours.admin, &ours.org_id, "their-secret-path").await;
    assert_eq!(code(&res), "CONFLICT", "{res}");
    assert_eq!(message(&res), "this slug is unavailable; choose another");
}
