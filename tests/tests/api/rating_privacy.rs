//! Issue 15, holes 1 and 2 for resource ratings: a suppressed rating must not leak through
//! TOP_RATED's cursors or order, and the published rating must not move with one new or
//! changed rating (it is released once a cohort of established people rated or changed
//! theirs), nor be differenced with fresh fake accounts (they do not count, and every release is
//! noisy and frozen).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use entity::{person, resource_rating};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    helpers::{Session, TestApp, ok, spawn_app_with, uuid_of},
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

/// Makes these people established raters: their accounts were created 90 days ago.
pub(crate) async fn establish(app: &TestApp, who: &[&Session]) {
    let ids: Vec<_> = who.iter().map(|s| uuid_of(&s.person_id)).collect();
    person::Entity::update_many()
        .col_expr(
            person::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(90)),
        )
        .filter(person::Column::Id.is_in(ids))
        .exec(&app.db)
        .await
        .unwrap();
}

/// `n` fresh sign-ups (accounts created now: not established).
async fn fresh(app: &TestApp, prefix: &str, n: usize) -> Vec<Session> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(app.sign_up(&format!("{prefix}{i}")).await);
    }
    out
}

/// `n` established raters.
async fn raters(app: &TestApp, n: usize) -> Vec<Session> {
    let out = fresh(app, "Rater", n).await;
    establish(app, &out.iter().collect::<Vec<_>>()).await;
    out
}

/// How many ratings of the resource are in its last release (none: nothing released yet).
async fn in_release(app: &TestApp, id: &str) -> u64 {
    resource_rating::Entity::find()
        .filter(resource_rating::Column::ResourceId.eq(uuid_of(id)))
        .filter(resource_rating::Column::ReleasedHelpfulness.is_not_null())
        .count(&app.db)
        .await
        .unwrap()
}

/// A shown rating's average (hundredths) and count, checked to be in range.
fn shown(v: &Value) -> (i64, i64) {
    assert_eq!(v["suppressed"], false, "{v}");
    let average = (v["average"].as_f64().unwrap() * 100.0).round() as i64;
    let count = v["count"].as_i64().unwrap();
    assert!((100..=500).contains(&average), "average within 1–5: {v}");
    assert!(count >= 1, "a release counts someone: {v}");
    (average, count)
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
            let mut shown_key = Value::Null;
            for e in &edges {
                let c = decode(&e["cursor"]);
                let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
                if e["node"]["id"] == s.shown.as_str() {
                    // Only the figures shown: the average in hundredths, then the count.
                    let (average, count) = shown(&e["node"]["rating"]);
                    assert_eq!(c["k"], (average * 1_000_000 + count).to_string(), "{c}");
                    assert_eq!(keys.len(), 2, "the score and the id: {c}");
                    shown_key = c["k"].clone();
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
                assert!(k.is_none() || k == Some(&shown_key), "{c}");
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
        rate(&app, who, &rising, 1).await;
    }
    let before = (
        seen(&app, &lib, &steady).await,
        seen(&app, &lib, &rising).await,
    );
    // Two new 5s move the live figures, but they are not released yet: the order follows
    // the released (noisy) figures as shown, which have not moved.
    rate(&app, &r[3], &rising, 5).await;
    rate(&app, &r[4], &rising, 5).await;
    for _ in 0..2 {
        assert_eq!(
            (
                seen(&app, &lib, &steady).await,
                seen(&app, &lib, &rising).await
            ),
            before
        );
        let (edges, _) = top_rated(&app, None, 20).await;
        let ranked: Vec<(i64, i64)> = edges.iter().map(|e| shown(&e["node"]["rating"])).collect();
        assert_eq!(edges.len(), 2);
        assert!(
            ranked[0] >= ranked[1],
            "ranked by what is shown: {ranked:?}"
        );
        if ranked[0] == ranked[1] {
            // A tie on the shown figures: newest (rising) first, by id.
            assert_eq!(edges[0]["node"]["id"], rising.as_str());
        }
    }
    if shown(&before.0) > shown(&before.1) {
        let (edges, _) = top_rated(&app, None, 20).await;
        assert_eq!(edges[0]["node"]["id"], steady.as_str());
    }
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
    assert_eq!(in_release(&app, &id).await, 0);
    rate(&app, &r[2], &id, 5).await;
    let first = seen(&app, &lib, &id).await;
    shown(&first);
    assert_eq!(
        in_release(&app, &id).await,
        3,
        "the first release, at the cohort"
    );
    // Each new rating alone (then two together) leaves every reader's figures as they were.
    rate(&app, &r[3], &id, 1).await;
    assert_eq!(seen(&app, &lib, &id).await, first);
    rate(&app, &r[4], &id, 1).await;
    assert_eq!(seen(&app, &lib, &id).await, first);
    assert_eq!(in_release(&app, &id).await, 3);
    rate(&app, &r[5], &id, 3).await;
    shown(&seen(&app, &lib, &id).await);
    assert_eq!(
        in_release(&app, &id).await,
        6,
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
    let first = seen(&app, &lib, &id).await;
    shown(&first);
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
    let released = |n: i32| {
        resource_rating::Entity::find()
            .filter(resource_rating::Column::ResourceId.eq(uuid_of(&id)))
            .filter(resource_rating::Column::ReleasedHelpfulness.eq(n))
            .count(&app.db)
    };
    assert_eq!(released(4).await.unwrap(), 3, "still the first release");
    rate(&app, &r[0], &id, 2).await;
    shown(&seen(&app, &lib, &id).await);
    assert_eq!(
        (
            released(2).await.unwrap(),
            released(5).await.unwrap(),
            released(3).await.unwrap()
        ),
        (1, 1, 1),
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

/// The attack: four fresh sign-ups rate, and after every release nudge their ratings away from
/// the released ones, so that one more change would complete a cohort; the victim's next
/// rating then triggers a release whose difference, minus the fakes' known changes, is the
/// victim's rating. Fresh accounts count toward no cohort, so the victim's rating releases
/// nothing and the figures stay as they were.
#[tokio::test]
async fn four_fresh_fakes_cannot_difference_a_real_rating() {
    let app = spawn_app_with(&[("CANOPY_PRIVACY_MIN_COHORT", "5")]).await;
    let lib = library(&app).await;
    let id = published(&app, &lib, json!({})).await;
    let genuine = raters(&app, 5).await;
    for who in &genuine {
        rate(&app, who, &id, 4).await;
    }
    let before = seen(&app, &lib, &id).await;
    shown(&before);
    let victim = raters(&app, 1).await.remove(0);
    let fakes = fresh(&app, "Fake", 4).await;
    for n in [3, 1, 2] {
        for f in &fakes {
            rate(&app, f, &id, n).await;
            assert_eq!(seen(&app, &lib, &id).await, before, "a fake moves nothing");
        }
    }
    rate(&app, &victim, &id, 5).await;
    assert_eq!(
        seen(&app, &lib, &id).await,
        before,
        "the victim's rating is not released with four fakes"
    );
    for f in &fakes {
        rate(&app, f, &id, 5).await;
    }
    rate(&app, &victim, &id, 1).await;
    assert_eq!(seen(&app, &lib, &id).await, before);
    assert_eq!(
        in_release(&app, &id).await,
        5,
        "only the genuine raters' first ratings"
    );
}

/// Releases by established raters carry noise, frozen at release: every read gives the same
/// figures, always within range, and across several releases not always the exact ones.
#[tokio::test]
async fn releases_are_noisy_frozen_and_in_range() {
    let (app, lib) = app_and_library().await;
    let r = raters(&app, 4).await;
    let mut exact = 0;
    let n = 8;
    for i in 0..n {
        let id = published(&app, &lib, json!({ "title": format!("Noisy {i}") })).await;
        for who in &r[..3] {
            rate(&app, who, &id, 3).await;
        }
        let first = seen(&app, &lib, &id).await;
        let figures = shown(&first);
        assert_eq!(seen(&app, &lib, &id).await, first, "frozen: read twice");
        // A change that releases nothing leaves the frozen figures alone too.
        rate(&app, &r[3], &id, 5).await;
        assert_eq!(seen(&app, &lib, &id).await, first);
        if figures == (300, 3) {
            exact += 1;
        }
    }
    assert!(
        exact < n,
        "every release gave the exact 3.00 from 3: no noise"
    );
}

/// A new account's rating is stored and shown to its author, but counts toward no release
/// until the account is 28 days old; then it goes into the next release.
#[tokio::test]
async fn a_new_accounts_rating_counts_once_it_is_established() {
    let (app, lib) = app_and_library().await;
    let id = published(&app, &lib, json!({})).await;
    let newcomers = fresh(&app, "New", 3).await;
    for who in &newcomers {
        rate(&app, who, &id, 4).await;
    }
    assert_eq!(
        seen(&app, &lib, &id).await,
        json!({ "average": null, "count": 0, "suppressed": true }),
        "three fresh accounts make no cohort"
    );
    let res = app.gql_as(&newcomers[0], MINE, json!({ "id": id })).await;
    assert_eq!(ok(&res)["node"]["viewerRating"]["helpfulness"], 4);
    establish(&app, &newcomers.iter().collect::<Vec<_>>()).await;
    // The next rating by anyone releases what is now an established cohort.
    rate(&app, &newcomers[0], &id, 4).await;
    shown(&seen(&app, &lib, &id).await);
    assert_eq!(in_release(&app, &id).await, 3);
}
