//! Thumbs polls: facilitators ask, members vote (changeable while open), each sees their own
//! vote only. A secret ballot's tally is released once the poll has closed and only if at
//! least the privacy cohort of established members voted, then frozen; an open ballot,
//! declared when asked, shows it live.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, World, code, field, ok, spawn_app};

const CREATE: &str = "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id question open openBallot } } }";
const VOTE: &str = "mutation($input: CastVoteInput!) { castVote(input: $input) { poll { tally { up down voters suppressed withheld } viewerVote } } }";
const CLOSE: &str = "mutation($id: ID!) { closePoll(input: {pollId: $id}) { poll { open tally { up down voters suppressed withheld } } } }";
const TALLY: &str = "query($id: ID!) { node(id: $id) { ... on Poll { open openBallot tally { up down voters suppressed withheld } } } }";
/// Only what polls have always had: the attacks below read what a client of old would.
const ASK: &str =
    "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }";
const BALLOT: &str =
    "mutation($input: CastVoteInput!) { castVote(input: $input) { poll { viewerVote } } }";
const SHUT: &str = "mutation($id: ID!) { closePoll(input: {pollId: $id}) { poll { open } } }";
const UP_DOWN: &str = "query($id: ID!) { node(id: $id) { ... on Poll { tally { up down } } } }";
const SET_ROLE: &str = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";

/// A group with a facilitator and `n` members.
struct Polled {
    w: World,
    group: String,
    facilitator: Session,
    members: Vec<Session>,
}

async fn polled(app: &TestApp, slug: &str, n: usize) -> Polled {
    let w = app.world().await;
    let group = app.group(&w.admin, &w.a, slug, json!({})).await;
    let facilitator = app.sign_up("Fay").await;
    let fay_m = ok(&app.join(&facilitator, &group).await)["joinGroup"]["membership"]["id"].clone();
    ok(&app.gql_as(&w.admin, SET_ROLE, json!({ "id": fay_m })).await);
    let mut members = Vec::new();
    for i in 0..n {
        let s = app.sign_up(&format!("Voter{i}")).await;
        ok(&app.join(&s, &group).await);
        members.push(s);
    }
    Polled {
        w,
        group,
        facilitator,
        members,
    }
}

/// The established circle of `wellbeing.rs` (facilitator and seven members, a month old and
/// present at two earlier meetings) as a polled group: only established voters make a secret
/// ballot's cohort.
async fn established_polled(app: &TestApp) -> Polled {
    let c = crate::wellbeing::established_circle(app).await;
    Polled {
        w: c.w,
        group: c.group,
        facilitator: c.facilitator,
        members: c.members,
    }
}

fn poll_input(group: &str, question: &str, extra: Value) -> Value {
    let mut input = json!({ "groupId": group, "question": question, "closesAt": (Utc::now() + Duration::days(3)).to_rfc3339() });
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    json!({ "input": input })
}

async fn ask(app: &TestApp, p: &Polled, extra: Value) -> String {
    let res = app
        .gql_as(
            &p.facilitator,
            ASK,
            poll_input(&p.group, "Longer sessions?", extra),
        )
        .await;
    ok(&res)["createPoll"]["poll"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Casts a vote; returns the poll as `query` selects it from the payload.
async fn vote_with(app: &TestApp, query: &str, who: &Session, poll: &str, thumb: &str) -> Value {
    let input = json!({ "input": { "pollId": poll, "vote": thumb } });
    let res = app.gql_as(who, query, input).await;
    ok(&res)["castVote"]["poll"].clone()
}

async fn vote(app: &TestApp, who: &Session, poll: &str, thumb: &str) {
    vote_with(app, BALLOT, who, poll, thumb).await;
}

async fn close(app: &TestApp, p: &Polled, poll: &str) {
    ok(&app
        .gql_as(&p.facilitator, SHUT, json!({ "id": poll }))
        .await);
}

/// The poll's tally as `query` selects it.
async fn tally_with(app: &TestApp, query: &str, who: &Session, poll: &str) -> Value {
    let res = app.gql_as(who, query, json!({ "id": poll })).await;
    ok(&res)["node"]["tally"].clone()
}

async fn tally(app: &TestApp, who: &Session, poll: &str) -> Value {
    tally_with(app, TALLY, who, poll).await
}

fn withheld(reason: &str) -> Value {
    json!({ "up": null, "down": null, "voters": null, "suppressed": true, "withheld": reason })
}

fn shown(up: i64, down: i64) -> Value {
    json!({ "up": up, "down": down, "voters": up + down, "suppressed": false, "withheld": null })
}

#[tokio::test]
async fn polls_show_only_ones_own_vote() {
    let app = spawn_app().await;
    let p = polled(&app, "polled", 2).await;
    let w = &p.w;
    let (mo, bo) = (&p.members[0], &p.members[1]);
    let closes = (Utc::now() + Duration::days(3)).to_rfc3339();
    let input = |q: &str, at: &str| json!({ "input": { "groupId": p.group, "question": q, "closesAt": at } });
    assert_eq!(
        code(&app.gql(CREATE, input("Longer sessions?", &closes)).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(mo, CREATE, input("Mine?", &closes)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        field(&app.gql_as(&p.facilitator, CREATE, input("", &closes)).await),
        "question"
    );
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    assert_eq!(
        field(
            &app.gql_as(&p.facilitator, CREATE, input("Late?", &past))
                .await
        ),
        "closesAt"
    );
    let poll = ask(&app, &p, json!({})).await;
    let ballot = |v: &str| json!({ "input": { "pollId": poll, "vote": v } });
    assert_eq!(code(&app.gql(VOTE, ballot("UP")).await), "UNAUTHENTICATED");
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(&app.gql_as(&outsider, VOTE, ballot("UP")).await),
        "NOT_FOUND"
    );
    // The coordinator sees the group's polls but is not a member: no vote.
    assert_eq!(
        code(&app.gql_as(&w.coordinator_a, VOTE, ballot("UP")).await),
        "FORBIDDEN"
    );
    vote(&app, mo, &poll, "DOWN").await;
    // Changeable while open; the voter reads their own vote back, and no tally yet.
    let res = vote_with(&app, VOTE, mo, &poll, "UP").await;
    assert_eq!(res["viewerVote"], "UP");
    assert_eq!(res["tally"], withheld("NOT_CLOSED"));
    let res = vote_with(&app, VOTE, bo, &poll, "DOWN").await;
    assert_eq!(res["viewerVote"], "DOWN");
    // Fay sees her own vote — none here — never Mo's or Bo's.
    let list = "{ group(slug: \"polled\") { polls { totalCount edges { node { question viewerVote } } } } }";
    let seen = app.gql_as(&p.facilitator, list, json!({})).await;
    assert_eq!(
        ok(&seen)["group"]["polls"]["edges"][0]["node"],
        json!({ "question": "Longer sessions?", "viewerVote": null })
    );
    assert_eq!(
        code(&app.gql_as(&outsider, list, json!({})).await),
        "FORBIDDEN"
    );
    // Closing: facilitators only, once; no votes after.
    assert_eq!(
        code(&app.gql(CLOSE, json!({ "id": poll })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(&app.gql_as(mo, CLOSE, json!({ "id": poll })).await),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(&p.facilitator, CLOSE, json!({ "id": poll }))
        .await;
    assert_eq!(
        ok(&res)["closePoll"]["poll"],
        json!({ "open": false, "tally": withheld("TOO_FEW_CONTRIBUTORS") })
    );
    assert_eq!(
        code(
            &app.gql_as(&p.facilitator, CLOSE, json!({ "id": poll }))
                .await
        ),
        "BAD_USER_INPUT"
    );
    let late = app.gql_as(mo, VOTE, ballot("DOWN")).await;
    assert_eq!(
        (code(&late), field(&late)),
        ("BAD_USER_INPUT".into(), "pollId".into())
    );
    let list = "{ group(slug: \"polled\") { polls { edges { node { viewerVote } } } } }";
    let after = app.gql_as(mo, list, json!({})).await;
    assert_eq!(
        ok(&after)["group"]["polls"]["edges"][0]["node"]["viewerVote"],
        "UP",
        "the late vote changed nothing"
    );
}

#[tokio::test]
async fn watching_an_open_secret_ballot_reveals_no_vote() {
    let app = spawn_app().await;
    let p = polled(&app, "watched", 7).await;
    let poll = ask(&app, &p, json!({})).await;
    // Past the cohort already: even then a live count would move by exactly one vote.
    for m in &p.members[..5] {
        vote(&app, m, &poll, "UP").await;
    }
    let (watcher, victim) = (&p.members[5], &p.members[6]);
    let before = tally_with(&app, UP_DOWN, watcher, &poll).await;
    let facilitator_before = tally_with(&app, UP_DOWN, &p.facilitator, &poll).await;
    vote(&app, victim, &poll, "DOWN").await;
    assert_eq!(tally_with(&app, UP_DOWN, watcher, &poll).await, before);
    // A changed vote is just as invisible.
    vote(&app, victim, &poll, "UP").await;
    assert_eq!(tally_with(&app, UP_DOWN, watcher, &poll).await, before);
    assert_eq!(
        tally_with(&app, UP_DOWN, &p.facilitator, &poll).await,
        facilitator_before
    );
    // Not even how many have voted, and the voter's own payload tells them no more.
    assert_eq!(tally(&app, watcher, &poll).await, withheld("NOT_CLOSED"));
    let own = vote_with(&app, VOTE, victim, &poll, "DOWN").await;
    assert_eq!(own["tally"], withheld("NOT_CLOSED"));
    // Pending actions say only what the watcher has to do, nothing about others' votes.
    let pending = "{ viewer { pendingActions { pollsToVote { tally { voters } } } } }";
    let res = app.gql_as(watcher, pending, json!({})).await;
    let polls = &ok(&res)["viewer"]["pendingActions"]["pollsToVote"];
    assert_eq!(polls, &json!([{ "tally": { "voters": null } }]));
}

#[tokio::test]
async fn a_closed_poll_with_one_voter_is_suppressed() {
    let app = spawn_app().await;
    let p = polled(&app, "lonely", 2).await;
    let poll = ask(&app, &p, json!({})).await;
    vote(&app, &p.members[0], &poll, "DOWN").await;
    close(&app, &p, &poll).await;
    let nothing = json!({ "up": null, "down": null });
    for who in [&p.members[1], &p.members[0], &p.facilitator] {
        assert_eq!(tally_with(&app, UP_DOWN, who, &poll).await, nothing);
        assert_eq!(
            tally(&app, who, &poll).await,
            withheld("TOO_FEW_CONTRIBUTORS")
        );
    }
}

#[tokio::test]
async fn a_closed_poll_with_a_cohort_of_voters_shows_its_tally() {
    let app = spawn_app().await;
    let p = established_polled(&app).await;
    let poll = ask(&app, &p, json!({})).await;
    for (m, thumb) in p.members[..5]
        .iter()
        .zip(["UP", "UP", "DOWN", "UP", "DOWN"])
    {
        vote(&app, m, &poll, thumb).await;
    }
    let res = app
        .gql_as(&p.facilitator, CLOSE, json!({ "id": poll }))
        .await;
    assert_eq!(ok(&res)["closePoll"]["poll"]["tally"], shown(3, 2));
    assert_eq!(tally(&app, &p.members[5], &poll).await, shown(3, 2));
}

#[tokio::test]
async fn a_poll_past_its_closing_time_releases_its_tally() {
    let app = spawn_app().await;
    let p = established_polled(&app).await;
    let poll = ask(&app, &p, json!({})).await;
    for m in p.members.iter().take(5) {
        vote(&app, m, &poll, "UP").await;
    }
    assert_eq!(
        tally(&app, &p.members[0], &poll).await,
        withheld("NOT_CLOSED")
    );
    // The clock cannot move: the poll's closing time does instead.
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let id = crate::helpers::uuid_of(&poll);
    let row = entity::poll::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: entity::poll::ActiveModel = row.into();
    row.closes_at = Set(Utc::now() - Duration::seconds(1));
    row.update(&app.db).await.unwrap();
    assert_eq!(tally(&app, &p.members[0], &poll).await, shown(5, 0));
}

#[tokio::test]
async fn an_open_ballot_shows_the_live_tally() {
    let app = spawn_app().await;
    let p = polled(&app, "open-ballot", 2).await;
    let poll = ask(&app, &p, json!({ "openBallot": true })).await;
    let watcher = &p.members[0];
    assert_eq!(tally(&app, watcher, &poll).await, shown(0, 0));
    let res = vote_with(&app, VOTE, &p.members[1], &poll, "DOWN").await;
    assert_eq!(res["tally"], shown(0, 1));
    assert_eq!(tally(&app, watcher, &poll).await, shown(0, 1));
    vote(&app, &p.members[1], &poll, "UP").await;
    let res = app.gql_as(watcher, TALLY, json!({ "id": poll })).await;
    assert_eq!(
        ok(&res)["node"],
        json!({ "open": true, "openBallot": true, "tally": shown(1, 0) })
    );
}

#[tokio::test]
async fn create_poll_declares_the_ballot_once() {
    let app = spawn_app().await;
    let p = polled(&app, "declared", 1).await;
    let with = |q: &str, open: Value| poll_input(&p.group, q, json!({ "openBallot": open }));
    assert_eq!(
        code(&app.gql(CREATE, with("Open?", json!(true))).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        code(
            &app.gql_as(&p.members[0], CREATE, with("Open?", json!(true)))
                .await
        ),
        "FORBIDDEN"
    );
    let outsider = app.sign_up("Out").await;
    assert_eq!(
        code(
            &app.gql_as(&outsider, CREATE, with("Open?", json!(true)))
                .await
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        field(
            &app.gql_as(&p.facilitator, CREATE, with(" ", json!(true)))
                .await
        ),
        "question"
    );
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let late = json!({ "input": { "groupId": p.group, "question": "Late?", "closesAt": past, "openBallot": true } });
    assert_eq!(
        field(&app.gql_as(&p.facilitator, CREATE, late).await),
        "closesAt"
    );
    // Not a flag: refused before anything runs, as every mistyped variable is.
    let not_a_flag = app
        .gql_as(&p.facilitator, CREATE, with("Open?", json!("yes")))
        .await;
    assert_eq!(code(&not_a_flag), "GRAPHQL_VALIDATION_FAILED");
    for (open, declared) in [
        (json!(true), true),
        (json!(false), false),
        (Value::Null, false),
    ] {
        let res = app
            .gql_as(&p.facilitator, CREATE, with("Open?", open))
            .await;
        assert_eq!(ok(&res)["createPoll"]["poll"]["openBallot"], declared);
    }
    let res = app
        .gql_as(
            &p.facilitator,
            CREATE,
            poll_input(&p.group, "Default?", json!({})),
        )
        .await;
    assert_eq!(ok(&res)["createPoll"]["poll"]["openBallot"], false);
    // Fixed once asked: no other input of the schema takes it.
    let types = "{ __schema { types { name inputFields { name } } } }";
    let res = app.gql(types, json!({})).await;
    let takers: Vec<&str> = ok(&res)["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["inputFields"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["name"] == "openBallot"))
        })
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(takers, ["CreatePollInput"]);
}

/// The poll row as stored: its frozen tally.
async fn poll_row(app: &TestApp, poll: &str) -> entity::poll::Model {
    use sea_orm::EntityTrait;
    entity::poll::Entity::find_by_id(crate::helpers::uuid_of(poll))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn fresh_sign_ups_voting_do_not_make_a_secret_ballot_cohort() {
    let app = spawn_app().await;
    let p = established_polled(&app).await;
    // The facilitator admits four fresh accounts of their own before asking.
    let mut fakes = Vec::new();
    for i in 0..4 {
        let s = app.sign_up(&format!("Fake{i}")).await;
        ok(&app.join(&s, &p.group).await);
        fakes.push(s);
    }
    let poll = ask(&app, &p, json!({})).await;
    let victim = &p.members[0];
    vote(&app, victim, &poll, "DOWN").await;
    for s in &fakes {
        vote(&app, s, &poll, "UP").await;
    }
    // Closed as soon as the victim voted: five voters, one of them established.
    let res = app
        .gql_as(&p.facilitator, CLOSE, json!({ "id": poll }))
        .await;
    assert_eq!(
        ok(&res)["closePoll"]["poll"]["tally"],
        withheld("TOO_FEW_CONTRIBUTORS")
    );
    for who in [&p.facilitator, victim, &fakes[0]] {
        assert_eq!(
            tally(&app, who, &poll).await,
            withheld("TOO_FEW_CONTRIBUTORS")
        );
    }
    let row = poll_row(&app, &poll).await;
    assert_eq!(row.tally_established, Some(1));
}

#[tokio::test]
async fn an_established_cohorts_tally_is_released_and_frozen() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let p = established_polled(&app).await;
    let poll = ask(&app, &p, json!({})).await;
    for (m, thumb) in p.members[..5]
        .iter()
        .zip(["UP", "DOWN", "UP", "UP", "DOWN"])
    {
        vote(&app, m, &poll, thumb).await;
    }
    close(&app, &p, &poll).await;
    assert_eq!(tally(&app, &p.members[6], &poll).await, shown(3, 2));
    let row = poll_row(&app, &poll).await;
    assert_eq!(
        (row.tally_up, row.tally_down, row.tally_established),
        (Some(3), Some(2), Some(5))
    );
    // A voter's vote goes (their account erased): the released tally does not move, so
    // nothing can be differenced from it.
    entity::poll_vote::Entity::delete_many()
        .filter(entity::poll_vote::Column::PollId.eq(row.id))
        .filter(
            entity::poll_vote::Column::PersonId
                .eq(crate::helpers::uuid_of(&p.members[1].person_id)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(tally(&app, &p.members[6], &poll).await, shown(3, 2));
    assert_eq!(tally(&app, &p.facilitator, &poll).await, shown(3, 2));
}
