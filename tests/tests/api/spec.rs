//! Small deviations from the GraphQL and GraphQL-over-HTTP specs (issue 15, hole 9): a request
//! that is not executed has no `data` entry; objects come back in the order selected; the
//! validator's blind spot on `__typename`; the catalogue's page parameters.

use serde_json::{Value, json};

use crate::helpers::{code, spawn_app};

#[tokio::test]
async fn a_request_that_fails_validation_has_no_data_entry() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(None, "{ viewer { person { shoeSize } } }", json!({}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(body.get("data").is_none(), "{body}");
    // A legacy application/json client: 200, still without `data`.
    let res = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": "query($x: Int!) { viewer { __typename } }", "variables": {} }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(!code(&body).is_empty(), "{body}");
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test]
async fn parse_errors_and_refused_input_have_no_data_entry_either() {
    let app = spawn_app().await;
    for (query, variables, expected) in [
        ("{ viewer { ", json!({}), "GRAPHQL_PARSE_FAILED"),
        (
            "query($s: String!) { group(slug: $s) { id } }",
            json!({ "s": "a\u{0}" }),
            "BAD_USER_INPUT",
        ),
    ] {
        let (status, body) = app.post(None, query, variables).await;
        assert_eq!((status, code(&body).as_str()), (400, expected), "{body}");
        assert!(body.get("data").is_none(), "{body}");
    }
}

#[tokio::test]
async fn an_executed_request_keeps_its_data_entry_even_when_null() {
    let app = spawn_app().await;
    // traineeProgress is non-null and refuses anonymous callers: data is null, but present.
    let person = crate::helpers::encode_id("Person", uuid::Uuid::now_v7());
    let (status, body) = app
        .post(
            None,
            &format!(
                "{{ traineeProgress(personId: \"{person}\", programSlug: \"course\") {{ __typename }} }}"
            ),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    assert!(body.get("data").is_some_and(Value::is_null), "{body}");
}

#[tokio::test]
async fn typename_with_an_unknown_directive_argument_is_a_validation_error() {
    let app = spawn_app().await;
    for query in [
        "{ __typename @skip(if: true, bogus: 1) }",
        "{ __typename(bogus: 1) }",
        "{ viewer { __typename @include } }",
    ] {
        let (status, body) = app.post(None, query, json!({})).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{query}: {body}");
        assert!(body.get("data").is_none(), "{query}: {body}");
    }
    // Skipping every field is valid: executed, the answer is an empty object.
    let (status, body) = app
        .post(None, "{ __typename @skip(if: true) }", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "data": {} }));
}

/// The position of each key's first appearance in `body`, which must grow in `keys` order.
fn assert_in_order(body: &str, keys: &[&str]) {
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            body.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} missing from {body}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys not in selection order {keys:?}: {body}"
    );
}

#[tokio::test]
async fn fields_come_back_in_the_order_selected() {
    let app = spawn_app().await;
    let w = app.world().await;
    for i in 0..4 {
        app.group(&w.admin, &w.a1, &format!("order-{i}"), json!({}))
            .await;
    }
    // Aliases in reverse alphabetical order, slow fields (loaders, counts) before quick ones,
    // at three depths.
    let query = "{ \
        k9: groups(first: 4) { \
            k8: totalCount \
            k7: edges { k6: node { k5: cluster { k4: name } k3: organisation { name } k2: name k1: slug } } \
        } \
        j9: organisations { j8: totalCount j7: edges { j6: node { j5: name j4: slug } } } \
        i9: viewer { i8: person { id } } \
        h9: __typename \
    }";
    let keys = [
        "k9", "k8", "k7", "k6", "k5", "k4", "k3", "k2", "k1", "j9", "j8", "j7", "j6", "j5", "j4",
        "i9", "i8", "h9",
    ];
    let mut bodies = Vec::new();
    for _ in 0..20 {
        let res = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&w.admin.token)
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        bodies.push(res.text().await.unwrap());
    }
    assert!(!bodies[0].contains("\"errors\""), "{}", bodies[0]);
    assert_in_order(&bodies[0], &keys);
    for body in &bodies[1..] {
        assert_eq!(body, &bodies[0], "identical requests, identical bodies");
    }
}

#[tokio::test]
async fn the_catalogue_refuses_page_parameters_it_cannot_honour() {
    let app = spawn_app().await;
    for query in [
        "first=1000",
        "first=0",
        "first=-3",
        "first=twenty",
        "first=2&first=3",
        "after=not-a-cursor",
        "after=%00",
        "page=2",
    ] {
        let res = app
            .client
            .get(app.url(&format!("/resources.jsonld?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "{query}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{query}"
        );
        let body: Value = res.json().await.unwrap();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{query}: {body}"
        );
    }
    let res = app
        .client
        .get(app.url("/resources.jsonld?first=100"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}
