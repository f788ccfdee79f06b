//! Access tokens stand for a live session of an existing person, and sign-in guessing cannot
//! be turned into locking someone out.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TEST_SECRET, TestApp, code, ok, spawn_app, spawn_app_with};

const WHO: &str = "{ viewer { person { id } } }";
const LOG_IN: &str =
    "mutation($input: LogInInput!) { logIn(input: $input) { accessToken refreshToken } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(input: {refreshToken: $t}) { accessToken refreshToken } }";
const LOG_OUT: &str = "mutation($input: LogOutInput!) { logOut(input: $input) { ok } }";

/// The claims inside an access token, as the server signed them.
fn claims_of(token: &str) -> Value {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let body = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap()
}

fn sign(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap()
}

async fn status_of(app: &TestApp, token: &str) -> u16 {
    let (status, body) = app.post(Some(token), WHO, json!({})).await;
    if status == 401 {
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    status
}

async fn log_in(app: &TestApp, email: &str) -> (String, String) {
    let res = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": email, "password": PASSWORD } }),
        )
        .await;
    let s = &ok(&res)["logIn"];
    (
        s["accessToken"].as_str().unwrap().to_owned(),
        s["refreshToken"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_correctly_signed_token_for_nobody_is_refused_with_401() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let real = claims_of(&ana.token);
    // The server's own claims, re-signed, are accepted: the key and shape are right.
    assert_eq!(status_of(&app, &sign(&real)).await, 200);
    let mut nobody = real.clone();
    nobody["sub"] = json!(uuid::Uuid::now_v7());
    assert_eq!(status_of(&app, &sign(&nobody)).await, 401, "unknown sub");
    let mut no_session = real.clone();
    no_session["sid"] = json!(uuid::Uuid::now_v7());
    assert_eq!(
        status_of(&app, &sign(&no_session)).await,
        401,
        "unknown session"
    );
    let mut no_sid = real;
    no_sid.as_object_mut().unwrap().remove("sid");
    assert_eq!(
        status_of(&app, &sign(&no_sid)).await,
        401,
        "no session claim"
    );
    // Nothing that needs a person can then fail inside: the request never runs.
    let (status, body) = app
        .post(
            Some(&sign(&nobody)),
            "mutation { createOrganisation(input: {slug: \"nobodys\", name: \"Nobody's\"}) { organisation { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn log_out_of_every_session_ends_their_access_tokens_at_once() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let (second, _) = log_in(&app, &ana.email).await;
    assert_eq!(status_of(&app, &second).await, 200);
    let res = app
        .gql_as(&ana, LOG_OUT, json!({ "input": { "allSessions": true } }))
        .await;
    assert_eq!(ok(&res)["logOut"]["ok"], true);
    assert_eq!(status_of(&app, &ana.token).await, 401);
    assert_eq!(status_of(&app, &second).await, 401);
}

#[tokio::test]
async fn log_out_of_one_session_leaves_the_others() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let (second, _) = log_in(&app, &ana.email).await;
    let res = app
        .gql_as(
            &ana,
            LOG_OUT,
            json!({ "input": { "refreshToken": ana.refresh } }),
        )
        .await;
    assert_eq!(ok(&res)["logOut"]["ok"], true);
    assert_eq!(status_of(&app, &ana.token).await, 401);
    assert_eq!(status_of(&app, &second).await, 200);
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_access_tokens_of_its_family() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let (other, _) = log_in(&app, &ana.email).await;
    let first = app.gql(REFRESH, json!({ "t": ana.refresh })).await;
    let rotated = ok(&first)["refreshSession"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status_of(&app, &rotated).await,
        200,
        "rotation keeps the session"
    );
    let replay = app.gql(REFRESH, json!({ "t": ana.refresh })).await;
    assert_eq!(code(&replay), "UNAUTHENTICATED");
    assert_eq!(status_of(&app, &ana.token).await, 401);
    assert_eq!(status_of(&app, &rotated).await, 401);
    assert_eq!(
        status_of(&app, &other).await,
        200,
        "another sign-in lives on"
    );
}

/// A sign-in attempt as if from `addr` (the server trusts X-Forwarded-For in these tests).
async fn log_in_from(app: &TestApp, addr: &str, email: &str, password: &str) -> Value {
    app.client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", addr)
        .json(&json!({
            "query": LOG_IN,
            "variables": { "input": { "email": email, "password": password } },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stranger_guessing_from_one_address_cannot_lock_the_owner_out() {
    let app = spawn_app_with(&[("CANOPY_TRUST_PROXY_HEADERS", "true")]).await;
    let ana = app.sign_up("Ana").await;
    for _ in 0..5 {
        let res = log_in_from(&app, "203.0.113.7", &ana.email, "wrong password!").await;
        assert_eq!(code(&res), "UNAUTHENTICATED");
    }
    let stranger = log_in_from(&app, "203.0.113.7", &ana.email, "wrong password!").await;
    assert_eq!(
        code(&stranger),
        "RATE_LIMITED",
        "the guessing address is held up"
    );
    let owner = log_in_from(&app, "198.51.100.2", &ana.email, PASSWORD).await;
    assert!(
        owner["data"]["logIn"]["accessToken"].is_string(),
        "the owner signs in from another address: {owner}"
    );
    // The owner's sign-in forgives their own address only: the guesser is still held up.
    let again = log_in_from(&app, "203.0.113.7", &ana.email, "wrong password!").await;
    assert_eq!(code(&again), "RATE_LIMITED", "{again}");
}

#[tokio::test]
async fn guessing_from_many_addresses_is_queued_not_refused() {
    let app = spawn_app_with(&[("CANOPY_TRUST_PROXY_HEADERS", "true")]).await;
    let ana = app.sign_up("Ana").await;
    // Three addresses, two guesses each: the email is past the limit of 5 after the sixth.
    for i in 0..6 {
        let addr = format!("203.0.113.{}", i % 3 + 1);
        let res = log_in_from(&app, &addr, &ana.email, "wrong password!").await;
        assert_eq!(code(&res), "UNAUTHENTICATED", "guess {i}: {res}");
    }
    // Parallel guesses from addresses that already failed are let through one at a time,
    // two seconds apart: three of them take at least four seconds in all.
    let started = std::time::Instant::now();
    let guesses = (1..=3).map(|n| {
        let addr = format!("203.0.113.{n}");
        let email = ana.email.clone();
        let app = &app;
        async move { log_in_from(app, &addr, &email, "wrong password!").await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    for res in &answers {
        assert_eq!(code(res), "UNAUTHENTICATED", "queued, not refused: {res}");
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(4),
        "guesses for an email under attack are spaced out, however many run at once"
    );
    let owner = log_in_from(&app, "198.51.100.2", &ana.email, PASSWORD).await;
    assert!(
        owner["data"]["logIn"]["accessToken"].is_string(),
        "the right password from an address with no failures goes straight through: {owner}"
    );
}

#[tokio::test]
async fn one_address_guessing_across_many_emails_is_refused() {
    let app = spawn_app_with(&[("CANOPY_TRUST_PROXY_HEADERS", "true")]).await;
    for i in 0..20 {
        let email = format!("guess{i}@example.org");
        let res = log_in_from(&app, "203.0.113.7", &email, "wrong password!").await;
        assert_eq!(code(&res), "UNAUTHENTICATED", "guess {i}: {res}");
    }
    let res = log_in_from(
        &app,
        "203.0.113.7",
        "guess99@example.org",
        "wrong password!",
    )
    .await;
    assert_eq!(code(&res), "RATE_LIMITED");
    assert!(
        res["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
}
