//! Sign-up, sign-in, refresh rotation with reuse detection, sign-out, token checks.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TEST_SECRET, code, field, ok, spawn_app};

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken accessTokenExpiresAt person { id displayName } } }";
const LOG_IN: &str = "mutation($input: LogInInput!) { logIn(input: $input) { accessToken refreshToken person { id displayName } } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(input: {refreshToken: $t}) { accessToken refreshToken } }";
const LOG_OUT: &str = "mutation($input: LogOutInput!) { logOut(input: $input) { ok } }";
const WHO: &str = "{ viewer { person { id displayName email } } }";

#[tokio::test]
async fn sign_up_normalises_the_email_and_signs_in() {
    let app = spawn_app().await;
    let res = app
        .gql(SIGN_UP, json!({ "input": { "email": "  Ana@Example.ORG ", "password": PASSWORD, "displayName": "Ana" } }))
        .await;
    let token = ok(&res)["signUp"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, me) = app.post(Some(&token), WHO, json!({})).await;
    assert_eq!(me["data"]["viewer"]["person"]["email"], "ana@example.org");
    // The same address typed differently is the same account.
    let again = app
        .gql(SIGN_UP, json!({ "input": { "email": "ANA@example.org", "password": PASSWORD, "displayName": "Ana" } }))
        .await;
    assert_eq!(code(&again), "CONFLICT");
    let logged = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "ana@EXAMPLE.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(ok(&logged)["logIn"]["person"]["displayName"], "Ana");
}

#[tokio::test]
async fn sign_up_rejects_bad_input_with_the_field() {
    let app = spawn_app().await;
    for (input, f) in [
        (
            json!({ "email": "not-an-email", "password": PASSWORD, "displayName": "A" }),
            "email",
        ),
        (
            json!({ "email": "a@example.org", "password": "short", "displayName": "A" }),
            "password",
        ),
        (
            json!({ "email": "a@example.org", "password": PASSWORD, "displayName": "  " }),
            "displayName",
        ),
        (
            json!({ "email": "a@example.org", "password": PASSWORD, "displayName": "A", "timezone": "Mars/Base" }),
            "timezone",
        ),
    ] {
        let res = app.gql(SIGN_UP, json!({ "input": input })).await;
        assert_eq!(code(&res), "BAD_USER_INPUT", "{res}");
        assert_eq!(field(&res), f);
    }
    let people = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "a@example.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        code(&people),
        "UNAUTHENTICATED",
        "nothing was created by the failed sign-ups"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_fail_alike() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let wrong = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": ana.email, "password": "wrong password!" } }),
        )
        .await;
    let unknown = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "nobody@example.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED");
    assert_eq!(code(&unknown), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    let malformed = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "not an email", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(code(&malformed), "BAD_USER_INPUT");
    assert_eq!(field(&malformed), "email");
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_email() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    for _ in 0..5 {
        let res = app
            .gql(
                LOG_IN,
                json!({ "input": { "email": ana.email, "password": "wrong password!" } }),
            )
            .await;
        assert_eq!(code(&res), "UNAUTHENTICATED");
    }
    // Even the right password is refused while the limit holds.
    let res = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": ana.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(code(&res), "RATE_LIMITED", "{res}");
    assert!(
        res["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_client_address() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    // Four times the per-email limit: an address may serve many people.
    for i in 0..20 {
        let email = format!("guess{i}@example.org");
        let res = app
            .gql(
                LOG_IN,
                json!({ "input": { "email": email, "password": "wrong password!" } }),
            )
            .await;
        assert_eq!(code(&res), "UNAUTHENTICATED");
    }
    let res = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": ana.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(code(&res), "RATE_LIMITED");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let first = app.gql(REFRESH, json!({ "t": ana.refresh })).await;
    let second_token = ok(&first)["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(second_token, ana.refresh, "refresh tokens rotate");
    // Replaying the used token is treated as theft: the family dies, including the new token.
    let replay = app.gql(REFRESH, json!({ "t": ana.refresh })).await;
    assert_eq!(code(&replay), "UNAUTHENTICATED");
    let after = app.gql(REFRESH, json!({ "t": second_token })).await;
    assert_eq!(
        code(&after),
        "UNAUTHENTICATED",
        "the rotated token was revoked too: {after}"
    );
    // Another sign-in (another family) is unaffected.
    let other = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": ana.email, "password": PASSWORD } }),
        )
        .await;
    let other_refresh = ok(&other)["logIn"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app.gql(REFRESH, json!({ "t": other_refresh })).await);
}

#[tokio::test]
async fn log_out_ends_the_session() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let anon = app
        .gql(LOG_OUT, json!({ "input": { "refreshToken": ana.refresh } }))
        .await;
    assert_eq!(code(&anon), "UNAUTHENTICATED");
    let bob = app.sign_up("Bob").await;
    let foreign = app
        .gql_as(
            &bob,
            LOG_OUT,
            json!({ "input": { "refreshToken": ana.refresh } }),
        )
        .await;
    assert_eq!(
        code(&foreign),
        "NOT_FOUND",
        "one cannot end someone else's session"
    );
    let bad = app.gql_as(&ana, LOG_OUT, json!({ "input": {} })).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let res = app
        .gql_as(
            &ana,
            LOG_OUT,
            json!({ "input": { "refreshToken": ana.refresh } }),
        )
        .await;
    assert_eq!(ok(&res)["logOut"]["ok"], true);
    let refresh = app.gql(REFRESH, json!({ "t": ana.refresh })).await;
    assert_eq!(code(&refresh), "UNAUTHENTICATED");
}

fn claims(overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({
        "iss": "canopy", "aud": "canopy-api", "sub": uuid::Uuid::now_v7(), "exp": now + 600,
        "iat": now, "jti": uuid::Uuid::now_v7(), "typ": "access",
    });
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn bad_tokens_are_rejected_with_401() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let none_alg = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
        format!("{header}.{body}.")
    };
    let cases = [
        (
            "expired",
            sign(
                &claims(json!({ "exp": now - 120, "iat": now - 1000 })),
                TEST_SECRET,
            ),
        ),
        (
            "wrong audience",
            sign(&claims(json!({ "aud": "someone-else" })), TEST_SECRET),
        ),
        (
            "wrong issuer",
            sign(&claims(json!({ "iss": "evil" })), TEST_SECRET),
        ),
        ("no typ", sign(&claims(json!({ "typ": null })), TEST_SECRET)),
        (
            "refresh typ",
            sign(&claims(json!({ "typ": "refresh" })), TEST_SECRET),
        ),
        ("no exp", sign(&claims(json!({ "exp": null })), TEST_SECRET)),
        (
            "another secret",
            sign(
                &claims(json!({})),
                "another-secret-that-is-long-enough-too!",
            ),
        ),
        ("none algorithm", none_alg),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (what, token) in cases {
        let (status, body) = app.post(Some(&token), WHO, json!({})).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(code(&body), "UNAUTHENTICATED", "{what}");
    }
    // Even a well-formed token is refused when it names no person and no live session
    // (`sessions.rs` shows the server's own tokens re-signed are accepted).
    let (status, _) = app
        .post(Some(&sign(&claims(json!({})), TEST_SECRET)), WHO, json!({}))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_viewer_works_anonymously() {
    let app = spawn_app().await;
    let res = app
        .gql(
            "{ viewer { person { id } roles { role } memberships { totalCount } } }",
            json!({}),
        )
        .await;
    let v = &ok(&res)["viewer"];
    assert!(v["person"].is_null());
    assert_eq!(v["roles"], json!([]));
    assert_eq!(v["memberships"]["totalCount"], 0);
}

#[tokio::test]
async fn concurrent_guesses_cannot_outrun_the_limit() {
    let app = spawn_app().await;
    let ana = app.sign_up("Ana").await;
    let guesses = (0..20).map(|i| {
        app.gql(
            LOG_IN,
            json!({ "input": { "email": ana.email, "password": format!("wrong guess {i}") } }),
        )
    });
    let results = futures_util::future::join_all(guesses).await;
    let checked = results
        .iter()
        .filter(|r| code(r) == "UNAUTHENTICATED")
        .count();
    let limited = results.iter().filter(|r| code(r) == "RATE_LIMITED").count();
    assert_eq!(checked + limited, 20, "{results:?}");
    assert!(
        checked <= 5,
        "only five guesses may be checked, {checked} were"
    );
}
