//! Group wellbeing: released in aggregate only, and never recoverable below the cohort.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use entity::{attendance, check_in, group, meeting, membership, person, wellbeing_week};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Session, TestApp, World, code, ok, spawn_app, uuid_of};

pub const WELLBEING: &str = "query($id: ID!, $from: Date!, $to: Date!, $bucket: WellbeingBucketSize) { node(id: $id) { ... on Group { wellbeing(from: $from, to: $to, bucket: $bucket) { start end contributors averageRating distribution { rating checkIns } suppressed withheld } } } }";

pub struct Circle {
    pub w: World,
    pub group: String,
    pub facilitator: Session,
    pub members: Vec<Session>,
    pub memberships: Vec<String>,
}

/// A UTC group with a facilitator and seven members.
pub async fn circle(app: &TestApp) -> Circle {
    let w = app.world().await;
    let group = app
        .group(&w.admin, &w.a1, "steady-circle", json!({ "cadence": { "frequency": "WEEKLY", "weekday": "WEDNESDAY", "localStartTime": "18:00", "timezone": "UTC" } }))
        .await;
    let facilitator = app.sign_up("Fay").await;
    let fac_m = ok(&app.join(&facilitator, &group).await)["joinGroup"]["membership"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The group dates from before the history the tests write (weeks before a group was
    // created are never frozen).
    group::Entity::update_many()
        .col_expr(
            group::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(120)),
        )
        .filter(group::Column::Id.eq(uuid_of(&group)))
        .exec(&app.db)
        .await
        .unwrap();
    let set = "mutation($id: ID!) { setMembershipRole(input: {membershipId: $id, role: FACILITATOR}) { membership { id } } }";
    ok(&app.gql_as(&w.admin, set, json!({ "id": fac_m })).await);
    let mut members = Vec::new();
    let mut memberships = Vec::new();
    for i in 0..7 {
        let s = app.sign_up(&format!("Member{i}")).await;
        let joined = app.join(&s, &group).await;
        memberships.push(
            ok(&joined)["joinGroup"]["membership"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        members.push(s);
    }
    Circle {
        w,
        group,
        facilitator,
        members,
        memberships,
    }
}

/// Makes everyone in the circle (facilitator and members) established: accounts and
/// memberships 90 days old, and present at two HELD meetings 60 and 53 days ago, with the
/// attendance recorded then (docs/privacy.md, "Established contributors").
pub async fn establish(app: &TestApp, c: &Circle) {
    let long_ago = Utc::now() - Duration::days(90);
    let people: Vec<Uuid> = c
        .members
        .iter()
        .chain([&c.facilitator])
        .map(|s| uuid_of(&s.person_id))
        .collect();
    person::Entity::update_many()
        .col_expr(person::Column::CreatedAt, Expr::value(long_ago))
        .filter(person::Column::Id.is_in(people))
        .exec(&app.db)
        .await
        .unwrap();
    membership::Entity::update_many()
        .col_expr(membership::Column::JoinedAt, Expr::value(long_ago))
        .filter(membership::Column::GroupId.eq(uuid_of(&c.group)))
        .exec(&app.db)
        .await
        .unwrap();
    for (n, days) in [60, 53].into_iter().enumerate() {
        // The API schedules no further back than 30 days: the meeting is moved back after.
        let recent = Utc::now() - Duration::days(20 - i64::try_from(n).unwrap());
        let id = app.meeting_at(&c.facilitator, &c.group, recent).await;
        let entries: Vec<Value> = c
            .memberships
            .iter()
            .map(|m| json!({ "membershipId": m, "status": "PRESENT" }))
            .collect();
        app.attend(&c.facilitator, &id, json!(entries)).await;
        app.hold(&c.facilitator, &id).await;
        let at = Utc::now() - Duration::days(days);
        meeting::Entity::update_many()
            .col_expr(meeting::Column::StartsAt, Expr::value(at))
            .col_expr(
                meeting::Column::EndsAt,
                Expr::value(at + Duration::hours(1)),
            )
            .filter(meeting::Column::Id.eq(uuid_of(&id)))
            .exec(&app.db)
            .await
            .unwrap();
        attendance::Entity::update_many()
            .col_expr(
                attendance::Column::RecordedAt,
                Expr::value(at + Duration::hours(2)),
            )
            .filter(attendance::Column::MeetingId.eq(uuid_of(&id)))
            .exec(&app.db)
            .await
            .unwrap();
    }
}

/// A circle whose facilitator and seven members are all established.
pub async fn established_circle(app: &TestApp) -> Circle {
    let c = circle(app).await;
    establish(app, &c).await;
    c
}

/// A released bucket's values lie where noise can put them: counts never negative, the
/// contributors the sum of the distribution, the average on the rating scale.
pub fn plausible(b: &Value) {
    assert_eq!(b["suppressed"], false, "{b}");
    let dist: Vec<i64> = b["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["checkIns"].as_i64().unwrap())
        .collect();
    assert_eq!(dist.len(), 5);
    assert!(dist.iter().all(|c| *c >= 0), "{b}");
    assert_eq!(
        b["contributors"].as_i64().unwrap(),
        dist.iter().sum::<i64>()
    );
    if let Some(avg) = b["averageRating"].as_f64() {
        assert!((1.0..=5.0).contains(&avg), "{b}");
    }
}

pub fn monday_weeks_ago(weeks: i64) -> NaiveDate {
    let today = Utc::now().date_naive();
    today
        - Duration::days(i64::from(today.weekday().num_days_from_monday()))
        - Duration::weeks(weeks)
}

/// Writes a past check-in directly (the API only takes today's).
pub async fn past_check_in(app: &TestApp, who: &Session, group: &str, day: NaiveDate, rating: i32) {
    let now = Utc::now();
    check_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(uuid_of(&who.person_id)),
        group_id: Set(uuid_of(group)),
        local_date: Set(day),
        rating: Set(rating),
        note: Set(Some("private".into())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// The person deletes their own check-in of `day` through the API.
pub async fn delete_check_in_on(app: &TestApp, who: &Session, day: NaiveDate) {
    let mine = app
        .gql_as(
            who,
            "{ viewer { checkIns { edges { node { id date } } } } }",
            json!({}),
        )
        .await;
    let edge = ok(&mine)["viewer"]["checkIns"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["date"] == day.to_string())
        .unwrap()
        .clone();
    ok(&app
        .gql_as(
            who,
            "mutation($id: ID!) { deleteCheckIn(input: {checkInId: $id}) { deletedCheckInId } }",
            json!({ "id": edge["node"]["id"] }),
        )
        .await);
}

pub fn vars(group: &str, from: NaiveDate, to: NaiveDate, bucket: &str) -> Value {
    json!({ "id": group, "from": from.to_string(), "to": to.to_string(), "bucket": bucket })
}

pub fn buckets(res: &Value) -> Vec<Value> {
    ok(res)["node"]["wellbeing"].as_array().unwrap().clone()
}

/// Three weeks ago six people checked in, two weeks ago three, last week five; this week is
/// still open.
pub async fn history(app: &TestApp, c: &Circle) {
    let plan = [(3, 6), (2, 3), (1, 5)];
    for (ago, people) in plan {
        let monday = monday_weeks_ago(ago);
        for (i, who) in c.members.iter().take(people).enumerate() {
            let rating = i32::try_from(i % 5).unwrap() + 1;
            past_check_in(app, who, &c.group, monday + Duration::days(1), rating).await;
            // A second check-in the same week counts once as a contributor.
            if i == 0 {
                past_check_in(app, who, &c.group, monday + Duration::days(4), 5).await;
            }
        }
    }
}

#[tokio::test]
async fn weekly_buckets_release_only_closed_weeks_with_a_full_cohort() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    history(&app, &c).await;
    let today = Utc::now().date_naive();
    ok(&app
        .gql_as(
            &c.members[0],
            "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id } } }",
            json!({ "input": { "groupId": c.group, "rating": 2 } }),
        )
        .await);
    // From a Wednesday: the window widens to whole weeks.
    let from = monday_weeks_ago(3) + Duration::days(2);
    let res = app
        .gql_as(
            &c.facilitator,
            WELLBEING,
            vars(&c.group, from, today, "WEEK"),
        )
        .await;
    let b = buckets(&res);
    assert_eq!(b.len(), 4);
    assert_eq!(b[0]["start"], monday_weeks_ago(3).to_string());
    assert_eq!(
        b[0]["end"],
        (monday_weeks_ago(3) + Duration::days(6)).to_string()
    );
    // Six established people: released, with noise (their exact figures are 1,2,3,4,5 and
    // a 3 — the first person's 1 and 5 average to 3 — so each person counts once).
    plausible(&b[0]);
    // Three contributors: everything null.
    assert_eq!(b[1]["suppressed"], true);
    assert_eq!(b[1]["withheld"], "TOO_FEW_CONTRIBUTORS");
    for key in ["contributors", "averageRating", "distribution"] {
        assert!(b[1][key].is_null(), "{key} leaked: {}", b[1]);
    }
    // Exactly the cohort: released.
    plausible(&b[2]);
    // This week is open, whatever its numbers.
    assert_eq!(b[3]["suppressed"], true);
    assert_eq!(b[3]["withheld"], "NOT_CLOSED");
    assert!(b[3]["averageRating"].is_null());
}

#[tokio::test]
async fn no_window_or_bucket_size_recovers_a_suppressed_week() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    history(&app, &c).await;
    let suppressed = monday_weeks_ago(2);
    let all = buckets(
        &app.gql_as(
            &c.facilitator,
            WELLBEING,
            vars(&c.group, monday_weeks_ago(3), monday_weeks_ago(1), "WEEK"),
        )
        .await,
    );
    // A one-day window inside the suppressed week is the whole week, suppressed.
    let day = suppressed + Duration::days(1);
    let one = buckets(
        &app.gql_as(&c.facilitator, WELLBEING, vars(&c.group, day, day, "WEEK"))
            .await,
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0], all[1]);
    // Shifted, overlapping windows land on the same grid: no partial week to subtract.
    for (from, to) in [
        (
            monday_weeks_ago(3) + Duration::days(3),
            suppressed + Duration::days(2),
        ),
        (
            suppressed + Duration::days(5),
            monday_weeks_ago(1) + Duration::days(1),
        ),
    ] {
        let shifted = buckets(
            &app.gql_as(&c.facilitator, WELLBEING, vars(&c.group, from, to, "WEEK"))
                .await,
        );
        for b in &shifted {
            let same = all.iter().find(|a| a["start"] == b["start"]).unwrap();
            assert_eq!(b, same);
        }
    }
    // With no meeting in range the whole range is one interval: it holds the suppressed week,
    // so it is suppressed too (else interval minus the visible weeks = the suppressed week).
    let whole = buckets(
        &app.gql_as(
            &c.facilitator,
            WELLBEING,
            vars(
                &c.group,
                monday_weeks_ago(3),
                monday_weeks_ago(1),
                "MEETING_INTERVAL",
            ),
        )
        .await,
    );
    assert_eq!(whole.len(), 1);
    assert_eq!(whole[0]["suppressed"], true);
    assert!(whole[0]["contributors"].is_null());
    // A meeting last week splits it: [3 and 2 weeks ago] suppressed, [last week] released
    // with exactly the weekly figures.
    let at = (monday_weeks_ago(1) + Duration::days(2))
        .and_hms_opt(18, 0, 0)
        .unwrap()
        .and_utc();
    app.meeting_at(&c.facilitator, &c.group, at).await;
    let split = buckets(
        &app.gql_as(
            &c.facilitator,
            WELLBEING,
            vars(
                &c.group,
                monday_weeks_ago(3),
                monday_weeks_ago(1),
                "MEETING_INTERVAL",
            ),
        )
        .await,
    );
    assert_eq!(split.len(), 2);
    assert_eq!(split[0]["start"], monday_weeks_ago(3).to_string());
    assert_eq!(split[0]["suppressed"], true);
    assert_eq!(split[1]["distribution"], all[2]["distribution"]);
    assert_eq!(split[1]["averageRating"], all[2]["averageRating"]);
    // Nothing anywhere adds the weeks up.
    assert!(!serde_json::to_string(&all).unwrap().contains("total"));
}

#[tokio::test]
async fn a_released_week_never_changes_so_two_reads_cannot_be_differenced() {
    let app = spawn_app().await;
    let c = established_circle(&app).await;
    history(&app, &c).await;
    let last_week = monday_weeks_ago(1);
    let read = || async {
        buckets(
            &app.gql_as(
                &c.facilitator,
                WELLBEING,
                vars(&c.group, last_week, last_week, "WEEK"),
            )
            .await,
        )
    };
    let before = read().await;
    plausible(&before[0]);
    // A member deletes last week's check-in: their data goes, the released week stays as it
    // was, so comparing the two reads says nothing about them.
    delete_check_in_on(&app, &c.members[4], last_week + Duration::days(1)).await;
    assert_eq!(read().await, before);
    // And the person's own list no longer has it.
    let after = app
        .gql_as(
            &c.members[4],
            "{ viewer { checkIns { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&after)["viewer"]["checkIns"]["totalCount"], 1);
}

#[tokio::test]
async fn wellbeing_is_for_facilitators_managers_and_analysts_and_checks_its_window() {
    let app = spawn_app().await;
    let c = circle(&app).await;
    let (from, to) = (monday_weeks_ago(2), monday_weeks_ago(1));
    let v = vars(&c.group, from, to, "WEEK");
    let analyst = app.sign_up("Ana").await;
    app.grant(&c.w.admin, &analyst, "ANALYST", &c.w.org_id, Some(&c.w.a))
        .await;
    for who in [&c.facilitator, &c.w.admin, &c.w.coordinator_a, &analyst] {
        assert_eq!(
            buckets(&app.gql_as(who, WELLBEING, v.clone()).await).len(),
            2
        );
    }
    assert_eq!(
        code(&app.gql(WELLBEING, v.clone()).await),
        "UNAUTHENTICATED"
    );
    // A member (who checks in) and a coordinator elsewhere do not read the aggregate.
    for who in [&c.members[0], &c.w.coordinator_b] {
        assert_eq!(
            code(&app.gql_as(who, WELLBEING, v.clone()).await),
            "FORBIDDEN"
        );
    }
    let backwards = vars(&c.group, to, from, "WEEK");
    assert_eq!(
        code(&app.gql_as(&c.facilitator, WELLBEING, backwards).await),
        "BAD_USER_INPUT"
    );
    let too_long = vars(&c.group, from - Duration::weeks(120), to, "WEEK");
    assert_eq!(
        code(&app.gql_as(&c.facilitator, WELLBEING, too_long).await),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn the_cohort_size_is_configurable() {
    let app = crate::helpers::spawn_app_with(&[("CANOPY_PRIVACY_MIN_COHORT", "3")]).await;
    let c = established_circle(&app).await;
    history(&app, &c).await;
    let b = buckets(
        &app.gql_as(
            &c.facilitator,
            WELLBEING,
            vars(&c.group, monday_weeks_ago(2), monday_weeks_ago(2), "WEEK"),
        )
        .await,
    );
    plausible(&b[0]);
}

const CARE_DASHBOARD: &str = "query($slug: String!, $from: Date!, $to: Date!) { group(slug: $slug) { pledgeStatus { standing validUntil membership { person { displayName } } } wellbeing(from: $from, to: $to) { start end contributors averageRating distribution { rating checkIns } suppressed withheld } } }";

async fn dashboard_cost(app: &TestApp, who: &Session) -> (u64, Value) {
    let vars = json!({ "slug": "steady-circle", "from": monday_weeks_ago(12).to_string(), "to": monday_weeks_ago(1).to_string() });
    app.statements.reset();
    let res = app.gql_as(who, CARE_DASHBOARD, vars).await;
    let cost = app.statements.get();
    (cost, ok(&res)["group"].clone())
}

#[tokio::test]
async fn pledge_status_and_wellbeing_cost_the_same_few_statements_for_any_group_size() {
    let app = spawn_app().await;
    let c = circle(&app).await;
    history(&app, &c).await;
    ok(&app
        .gql_as(
            &c.facilitator,
            "mutation($input: PublishPledgeInput!) { publishPledge(input: $input) { pledge { version } } }",
            json!({ "input": { "groupId": c.group, "text": "What is said here stays here." } }),
        )
        .await);
    // The first read freezes the closed weeks (read; check-ins, memberships and attendance
    // for the established rule; write); later reads only read: no noise and no established
    // check on a read.
    let (cold, _) = dashboard_cost(&app, &c.facilitator).await;
    let (warm, body) = dashboard_cost(&app, &c.facilitator).await;
    assert_eq!(body["pledgeStatus"].as_array().unwrap().len(), 8);
    assert_eq!(body["wellbeing"].as_array().unwrap().len(), 12);
    assert!(cold <= warm + 4, "cold {cold}, warm {warm}");
    // Six more members, all with check-ins: the same statements.
    for i in 0..6 {
        let s = app.sign_up(&format!("Late{i}")).await;
        let accept =
            "mutation($input: AcceptPledgeInput!) { acceptPledge(input: $input) { validUntil } }";
        ok(&app
            .gql_as(
                &s,
                accept,
                json!({ "input": { "groupId": c.group, "version": 1 } }),
            )
            .await);
        ok(&app.join(&s, &c.group).await);
        past_check_in(&app, &s, &c.group, monday_weeks_ago(5), 3).await;
    }
    let (bigger, body) = dashboard_cost(&app, &c.facilitator).await;
    assert_eq!(body["pledgeStatus"].as_array().unwrap().len(), 8);
    assert_eq!(bigger, warm, "{:#?}", app.statements.seen());
    assert!(warm <= 8, "{warm} statements: {:#?}", app.statements.seen());
}

const CLUSTER_CARE: &str = "query($id: ID!, $from: Date!, $to: Date!) { node(id: $id) { ... on Cluster { groups(first: 20) { edges { node { pledgeStatus { standing } wellbeing(from: $from, to: $to) { suppressed } polls(first: 5) { totalCount edges { node { question tally { up } } } } suggestions(first: 5) { totalCount } applications(first: 5) { totalCount edges { node { status } } } } } } } } }";

async fn cluster_cost(app: &TestApp, w: &World) -> u64 {
    let vars = json!({ "id": w.a1, "from": monday_weeks_ago(4).to_string(), "to": monday_weeks_ago(1).to_string() });
    // Once to freeze the weeks, then measured.
    ok(&app.gql_as(&w.admin, CLUSTER_CARE, vars.clone()).await);
    app.statements.reset();
    let res = app.gql_as(&w.admin, CLUSTER_CARE, vars).await;
    let edges = ok(&res)["node"]["groups"]["edges"]
        .as_array()
        .unwrap()
        .len();
    assert!(edges > 0);
    app.statements.get()
}

#[tokio::test]
async fn care_lists_of_many_groups_are_batched() {
    let app = crate::helpers::spawn_app_with(&[("CANOPY_MAX_COMPLEXITY", "100000")]).await;
    let w = app.world().await;
    let add = |n: usize| {
        let (app, w) = (&app, &w);
        async move {
            let g = app
                .group(&w.admin, &w.a1, &format!("care-{n}"), json!({}))
                .await;
            let s = app.sign_up(&format!("M{n}")).await;
            ok(&app.join(&s, &g).await);
            ok(&app
                .gql_as(
                    &w.admin,
                    "mutation($input: CreatePollInput!) { createPoll(input: $input) { poll { id } } }",
                    json!({ "input": { "groupId": g, "question": "Shorter check-in round?", "closesAt": (Utc::now() + Duration::days(2)).to_rfc3339() } }),
                )
                .await);
        }
    };
    for n in 0..2 {
        add(n).await;
    }
    let two = cluster_cost(&app, &w).await;
    for n in 2..5 {
        add(n).await;
    }
    let five = cluster_cost(&app, &w).await;
    assert_eq!(two, five, "{:#?}", app.statements.seen());
}

#[tokio::test]
async fn a_check_in_costs_two_statements() {
    let app = spawn_app().await;
    let c = circle(&app).await;
    let submit = "mutation($input: SubmitCheckInInput!) { submitCheckIn(input: $input) { checkIn { id rating date } } }";
    let input = json!({ "input": { "groupId": c.group, "rating": 3 } });
    for _ in 0..2 {
        app.statements.reset();
        ok(&app.gql_as(&c.members[0], submit, input.clone()).await);
        // The viewer's access (with the group's zone), one upsert returning the row.
        assert_eq!(app.statements.get(), 2, "{:#?}", app.statements.seen());
    }
}

#[tokio::test]
async fn weeks_before_the_group_was_created_are_never_frozen() {
    let app = spawn_app().await;
    let c = circle(&app).await;
    // `circle` dates the group 120 days back; a reader walks `from` back through the years,
    // 106 weeks at a time.
    let count = || async {
        wellbeing_week::Entity::find()
            .filter(wellbeing_week::Column::GroupId.eq(uuid_of(&c.group)))
            .all(&app.db)
            .await
            .unwrap()
            .len()
    };
    let recent = vars(&c.group, monday_weeks_ago(105), monday_weeks_ago(1), "WEEK");
    let read = buckets(&app.gql_as(&c.facilitator, WELLBEING, recent).await);
    assert_eq!(read.len(), 105);
    let frozen = count().await;
    // Only the weeks from the group's creation (about 18) up to last week.
    assert!((17..=19).contains(&frozen), "{frozen} weeks frozen");
    for years in 2..6 {
        let to = monday_weeks_ago(106 * years);
        let from = to - Duration::weeks(105);
        let read = buckets(
            &app.gql_as(&c.facilitator, WELLBEING, vars(&c.group, from, to, "WEEK"))
                .await,
        );
        assert_eq!(read.len(), 106);
        // Before the group: closed, nobody in them, so withheld as any empty week.
        assert!(read.iter().all(|b| b["withheld"] == "TOO_FEW_CONTRIBUTORS"));
        assert_eq!(count().await, frozen, "no rows for {years} years back");
    }
}
