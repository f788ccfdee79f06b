//! GraphQL over HTTP: status codes, content negotiation, caps, GET rules, health, request ids.

use serde_json::{Value, json};

use crate::helpers::{code, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), "BAD_REQUEST");
}

#[tokio::test]
async fn an_unknown_field_is_a_400_naming_it_for_graphql_response_clients() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(None, "{ viewer { person { shoeSize } } }", json!({}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("shoeSize"),
        "{body}"
    );
    // Legacy application/json clients get 200 with errors, as the spec recommends.
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": "{ viewer { person { shoeSize } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn responses_follow_the_accept_header() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ viewer { person { id } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    let parse_error = app.post(None, "{ viewer { ", json!({})).await;
    assert_eq!(parse_error.0, 400);
    assert_eq!(code(&parse_error.1), "GRAPHQL_PARSE_FAILED");
}

#[tokio::test]
async fn a_non_json_post_is_a_415() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .body("{ viewer { person { id } } }")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
}

#[tokio::test]
async fn a_body_over_the_cap_is_a_413() {
    let app = spawn_app_with(&[("CANOPY_MAX_BODY_BYTES", "2048")]).await;
    let padding = " ".repeat(4096);
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"query\": \"{{ viewer {{ person {{ id }} }} }}{padding}\"}}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn batched_arrays_are_refused() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/graphql"))
        .json(&json!([{ "query": "{ viewer { person { id } } }" }, { "query": "{ viewer { person { id } } }" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "{ viewer { person { id } } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["data"]["viewer"]["person"].is_null());
    let mutation = "mutation { signUp(input: {email: \"a@example.org\", password: \"long enough pw\", displayName: \"A\"}) { accessToken } }";
    let res = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
    // Nothing was created.
    let login = app
        .gql("mutation { logIn(input: {email: \"a@example.org\", password: \"long enough pw\"}) { accessToken } }", json!({}))
        .await;
    assert_eq!(code(&login), "UNAUTHENTICATED");
}

#[tokio::test]
async fn browsers_get_graphiql_unless_introspection_is_off() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("graphiql"));
    let sdl = app
        .client
        .get(app.url("/schema.graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(sdl.status(), 200);
    assert!(sdl.text().await.unwrap().contains("type Query"));

    let closed = spawn_app_with(&[("CANOPY_INTROSPECTION", "false")]).await;
    let res = closed
        .client
        .get(closed.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        closed
            .client
            .get(closed.url("/schema.graphql"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let (_, body) = closed
        .post(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert!(body["data"]["__schema"].is_null(), "{body}");
    assert!(
        !body.to_string().contains("\"Group\""),
        "introspection must be off: {body}"
    );
}

#[tokio::test]
async fn health_endpoints_answer() {
    let app = spawn_app().await;
    assert_eq!(
        app.client
            .get(app.url("/livez"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Not migrated: not ready.
    let unmigrated = spawn_app_with(&[("CANOPY_AUTO_MIGRATE", "false")]).await;
    let res = unmigrated
        .client
        .get(unmigrated.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(
        unmigrated
            .client
            .get(unmigrated.url("/livez"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn rolled_back_migrations_make_readyz_503() {
    let app = spawn_app().await;
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Undo the schema behind the server's back: migrations are no longer applied.
    use migration::MigratorTrait;
    migration::Migrator::down(&app.db, None).await.unwrap();
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
}

#[tokio::test]
async fn an_unreachable_database_makes_readyz_503_and_queries_unavailable() {
    let app = spawn_app().await;
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    if !app.drop_database_now().await {
        // SQLite keeps its open file even when unlinked; the migrations test covers that path.
        return;
    }
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["reason"], "database unreachable");
    assert_eq!(
        app.client
            .get(app.url("/livez"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (_, body) = app.post(None, "{ groups { totalCount } }", json!({})).await;
    assert_eq!(code(&body), "SERVICE_UNAVAILABLE", "{body}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/livez")).send().await.unwrap();
    assert!(res.headers().get("x-request-id").is_some());
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", "client-chosen-id-123")
        .json(&json!({ "query": "{ viewer { person { id } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-chosen-id-123");
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    assert!(
        res.headers().get("x-request-id").is_some(),
        "error responses carry it too"
    );
}

#[tokio::test]
async fn a_graceful_stop_lets_in_flight_requests_finish() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app().await;
    let body = r#"{"query":"{ viewer { person { id } } }"}"#;
    let (first_half, second_half) = body.split_at(12);
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first_half}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // What SIGTERM does: stop accepting, let running requests finish.
    let stopping = tokio::spawn(app.server.stop(true));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        app.client.get(app.url("/livez")).send().await.is_err(),
        "no new connections while stopping"
    );
    stream.write_all(second_half.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#""viewer":{"person":null}"#),
        "{response}"
    );
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .unwrap()
        .unwrap();
}
