//! Query limits answer with codes, before anything runs.

use serde_json::json;

use crate::helpers::{code, spawn_app};

#[tokio::test]
async fn a_query_nested_too_deep_is_refused() {
    let app = spawn_app().await;
    let deep = "{ groups { edges { node { cluster { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } }";
    let (status, body) = app.post(None, deep, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "QUERY_LIMIT_EXCEEDED", "{body}");
}

#[tokio::test]
async fn too_many_aliases_are_refused() {
    let app = spawn_app().await;
    let aliases: String = (0..31)
        .map(|i| format!("a{i}: viewer {{ person {{ id }} }} "))
        .collect();
    let (status, body) = app.post(None, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "QUERY_LIMIT_EXCEEDED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("aliases")
    );
    let thirty: String = (0..30)
        .map(|i| format!("a{i}: viewer {{ person {{ id }} }} "))
        .collect();
    let (status, _) = app.post(None, &format!("{{ {thirty} }}"), json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_expensive_query_is_refused_by_complexity() {
    let app = spawn_app().await;
    let q = "{ groups(first: 100) { edges { node { members(first: 100) { edges { node { person { displayName } } } } } } } }";
    let (status, body) = app.post(None, q, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "QUERY_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn too_many_directives_or_fields_are_refused() {
    let app = spawn_app().await;
    let directives: String = (0..6)
        .map(|i| format!("f{i}: viewer @include(if: true) {{ person {{ id }} }} "))
        .collect();
    let (_, body) = app
        .post(None, &format!("{{ {directives} }}"), json!({}))
        .await;
    assert_eq!(code(&body), "QUERY_LIMIT_EXCEEDED");
    let fields: String = (0..201).map(|_| "__typename ").collect();
    let (_, body) = app.post(None, &format!("{{ {fields} }}"), json!({})).await;
    assert_eq!(code(&body), "QUERY_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn nodes_takes_at_most_a_hundred_ids() {
    let app = spawn_app().await;
    let ids: Vec<String> = (0..101).map(|i| format!("id{i}")).collect();
    let res = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(code(&res), "BAD_USER_INPUT");
}
