//! Issue 15, holes 1 and 2 for resource ratings: a suppressed rating must not leak through
//! TOP_RATED's cursors or order, and the published rating must not move with one new or
//! changed rating (it is released once a cohort of people rated or changed theirs).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp, ok, spawn_app_with},
    resources::{Library, library, published},
};

const RATE: &str = "mutation($input: RateResourceInput!) { rateResource(input: $input) { rating { helpfulness } } }";
const RATING: &str =
    "query($id: ID!) { node(id: $id) { ... on Resource { rating { average count suppressed } } } }";
const MINE: &str =
    "query($id: ID!) { node(id: $id) { ... on Resource { viewerRating { helpfulness } } } }";
const TOP: &str = "query($first: Int, $after: String) { resources(orderBy: TOP_RATED, first: $first, after: $after) { edges { cursor node { id rating { average count suppressed } } } pageInfo { hasNextPage endCursor } } }";

/// An app whose privacy cohort is three, with the library's people.
async fn app_and_library() -> (TestApp, Library) {
    let app = spawn_app_with(&[("CANOPY_PRIVACY_MIN_COHORT", "3")]).await;
    let lib = library(&app).await;
    (app, lib)
}

async fn raters(app: &TestApp, n: usize) -> Vec<Session> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(app.sign_up(&format!("Rater{i}")).await);
    }
    out
}

async fn rate(app: &TestApp, who: &Session, id: &str, helpfulness: i64) {
    let res = app
        .gql_as(
            who,
            RATE,
            json!({ "input": { "resourceId": id, "helpfulness": helpfulness } }),
        )
        .await;
    assert_eq!(
        ok(&res)["rateResource"]["rating"]["helpfulness"],
        helpfulness
    );
}

/// `rating` as `who` (anonymous when `None`) sees it.
async fn rating(app: &TestApp, who: Option<&Session>, id: &str) -> Value {
    let vars = json!({ "id": id });
    let res = match who {
        Some(s) => app.gql_as(s, RATING, vars).await,
        None => app.gql(RATING, vars).await,
    };
    ok(&res)["node"]["rating"].clone()
}

/// The rating every kind of reader sees: anonymous, a signed-in stranger and a member of the
/// umbrella all see the same figures.
async fn seen(app: &TestApp, lib: &Library, id: &str) -> Value {
    let anonymous = rating(app, None, id).await;
    assert_eq!(rating(app, Some(&lib.outsider), id).await, anonymous);
    assert_eq!(rating(app, Some(&lib.colleague), id).await, anonymous);
    anonymous
}

fn decode(cursor: &Value) -> Value {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.as_str().unwrap()).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Every TOP_RATED edge, paged `first` at a time, with every cursor handed out (edge
/// cursors and end cursors).
async fn top_rated(app: &TestApp, who: Option<&Session>, first: i64) -> (Vec<Value>, Vec<Value>) {
    let (mut edges, mut cursors) = (Vec::new(), Vec::new());
    let mut after = Value::Null;
    loop {
        let vars = json!({ "first": first, "after": after });
        let res = match who {
            Some(s) => app.gql_as(s, TOP, vars).await,
            None => app.gql(TOP, vars).await,
        };
        let page = &ok(&res)["resources"];
        for e in page["edges"].as_array().unwrap() {
            cursors.push(e["cursor"].clone());
            edges.push(e.clone());
        }
        cursors.push(page["pageInfo"]["endCursor"].clone());
        if page["pageInfo"]["hasNextPage"] != true {
            return (edges, cursors);
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(edges.len() < 50, "paging ends");
    }
}

/// Two suppressed resources rated high (older) and low (newer), and one published.
struct Shelf {
    hidden_high: String,
    hidden_low: String,
    shown: String,
}

async fn shelf(app: &TestApp, lib: &Library) -> Shelf {
    let hidden_high = published(app, lib, json!({ "title": "Hidden high" })).await;
    let hidden_low = published(app, lib, json!({ "title": "Hidden low" })).await;
    let shown = published(app, lib, json!({ "title": "Shown" })).await;
    let r = raters(app, 3).await;
    rate(app, &r[0], &hidden_high, 4).await;
    rate(app, &r[1], &hidden_high, 5).await;
    rate(app, &r[0], &hidden_low, 1).await;
    for (who, n) in r.iter().zip([2, 3, 2]) {
        rate(app, who, &shown, n).await;
    }
    Shelf {
        hidden_high,
        hidden_low,
        shown,
    }
}

#[tokio::test]
async fn top_rated_cursors_of_suppressed_ratings_carry_no_rating() {
    let (app, lib) = app_and_library().await;
    let s = shelf(&app, &lib).await;
    for who in [None, Some(&lib.outsider), Some(&lib.colleague)] {
        for first in [1, 20] {
            let (edges, cursors) = top_rated(&app, who, first).await;
            assert_eq!(edges.len(), 3);
            for e in &edges {
                let c = decode(&e["cursor"]);
                let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
                if e["node"]["id"] == s.shown.as_str() {
                    // Only the figures shown: 2.33 from 3 ratings.
                    assert_eq!(
                        e["node"]["rating"],
                        json!({ "average": 2.33, "count": 3, "suppressed": false })
                    );
                    assert_eq!(c["k"], "233000003", "{c}");
                } else {
                    assert_eq!(e["node"]["rating"]["suppressed"], true);
                    assert_eq!(
                        keys,
                        ["i"],
                        "a suppressed rating's cursor holds only the id: {c}"
                    );
                }
            }
            // End cursors too: none holds anything but an id or the shown score.
            for c in cursors.iter().filter(|c| !c.is_null()).map(decode) {
                let k = c.get("k");
                assert!(k.is_none() || k == Some(&json!("233000003")), "{c}");
                assert!(c.get("t").is_none(), "{c}");
            }
        }
    }
}

#[tokio::test]
async fn top_rated_puts_suppressed_ratings_after_published_ones_newest_first() {
    let (app, lib) = app_and_library().await;
    let s = shelf(&app, &lib).await;
    // The hidden averages (4.5 and 1) would put "hidden high" first and "hidden low" last;
    // only the published one is ranked, then the suppressed ones by id (newest first).
    let expected = [&s.shown, &s.hidden_low, &s.hidden_high];
    for who in [None, Some(&lib.colleague)] {
        for first in [1, 2, 20] {
            let (edges, _) = top_rated(&app, who, first).await;
            let ids: Vec<&str> = edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, expected, "pages of {first}");
        }
    }
}

#[tokio::test]
async fn top_rated_ranks_by_released_figures_not_live_ones() {
    let (app, lib) = app_and_library().await;
    let steady = published(&app, &lib, json!({ "title": "Steady" })).await;
    let rising = published(&app, &lib, json!({ "title": "Rising" })).await;
    let r = raters(&app, 5).await;
    for (who, n) in r.iter().zip([3, 3, 4]) {
        rate(&app, who, &steady, n).await;
    }
    for who in &r[..3] {
        rate(&app, who, &rising, 3).await;
    }
    // Two new 5s: live 3.8 would beat 3.33, but they are not released yet.
    rate(&app, &r[3], &rising, 5).await;
    rate(&app, &r[4], &rising, 5).await;
    let (edges, _) = top_rated(&app, None, 20).await;
    let ranked: Vec<&Value> = edges.iter().map(|e| &e["node"]["rating"]).collect();
    assert_eq!(edges[0]["node"]["id"], steady.as_str());
    assert_eq!(
        ranked,
        [
            &json!({ "average": 3.33, "count": 3, "suppressed": false }),
            &json!({ "average": 3.0, "count": 3, "suppressed": false }),
        ]
    );
}

#[tokio::test]
async fn one_new_rating_does_not_move_the_published_rating() {
    let (app, lib) = app_and_library().await;
    let id = published(&app, &lib, json!({})).await;
    let r = raters(&app, 6).await;
    let suppressed = json!({ "average": null, "count": 0, "suppressed": true });
    rate(&app, &r[0], &id, 4).await;
    assert_eq!(seen(&app, &lib, &id).await, suppressed, "not even a count");
    rate(&app, &r[1], &id, 2).await;
    assert_eq!(seen(&app, &lib, &id).await, suppressed);
    rate(&app, &r[2], &id, 5).await;
    let first = json!({ "average": 3.67, "count": 3, "suppressed": false });
    assert_eq!(
        seen(&app, &lib, &id).await,
        first,
        "the first release, at the cohort"
    );
    // Each new rating alone (then two together) leaves every reader's figures as they were.
    rate(&app, &r[3], &id, 1).await;
    assert_eq!(seen(&app, &lib, &id).await, first);
    rate(&app, &r[4], &id, 1).await;
    assert_eq!(seen(&app, &lib, &id).await, first);
    rate(&app, &r[5], &id, 3).await;
    assert_eq!(
        seen(&app, &lib, &id).await,
        json!({ "average": 2.67, "count": 6, "suppressed": false }),
        "released again after a cohort of new ratings"
    );
}

#[tokio::test]
async fn one_changed_rating_does_not_move_the_published_rating() {
    let (app, lib) = app_and_library().await;
    let id = published(&app, &lib, json!({})).await;
    let r = raters(&app, 3).await;
    for who in &r {
        rate(&app, who, &id, 4).await;
    }
    let first = json!({ "average": 4.0, "count": 3, "suppressed": false });
    assert_eq!(seen(&app, &lib, &id).await, first);
    // One person changing again and again is one change; changed back, it is none.
    for n in [1, 2, 4] {
        rate(&app, &r[0], &id, n).await;
        assert_eq!(seen(&app, &lib, &id).await, first);
    }
    rate(&app, &r[1], &id, 5).await;
    rate(&app, &r[2], &id, 3).await;
    assert_eq!(
        seen(&app, &lib, &id).await,
        first,
        "two changes since the release, the third person's back where it was"
    );
    rate(&app, &r[0], &id, 2).await;
    assert_eq!(
        seen(&app, &lib, &id).await,
        json!({ "average": 3.33, "count": 3, "suppressed": false }),
        "three people changed: released"
    );
}

#[tokio::test]
async fn the_viewer_still_sees_their_own_rating_before_it_is_released() {
    let (app, lib) = app_and_library().await;
    let id = published(&app, &lib, json!({})).await;
    let r = raters(&app, 1).await;
    rate(&app, &r[0], &id, 2).await;
    assert_eq!(
        seen(&app, &lib, &id).await,
        json!({ "average": null, "count": 0, "suppressed": true })
    );
    let res = app.gql_as(&r[0], MINE, json!({ "id": id })).await;
    assert_eq!(ok(&res)["node"]["viewerRating"]["helpfulness"], 2);
    let res = app.gql_as(&lib.outsider, MINE, json!({ "id": id })).await;
    assert_eq!(
        ok(&res)["node"]["viewerRating"],
        Value::Null,
        "only their own"
    );
}
