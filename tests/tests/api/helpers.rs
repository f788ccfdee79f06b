//! `spawn_app()`: the real server on 127.0.0.1:0 with its own fresh database — a temp-file
//! SQLite by default, or a new PostgreSQL database when TEST_DATABASE_URL names a server.

use std::collections::HashMap;

use canopy::{
    config::Config,
    db::StatementCounter,
    startup::{Application, Options},
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

pub const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";
pub const PASSWORD: &str = "correct horse battery";

enum Cleanup {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

/// Removes the test database when dropped.
pub struct DbGuard(Option<Cleanup>);

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    /// Stops the server as SIGTERM would.
    pub server: actix_web::dev::ServerHandle,
    /// A separate connection for set-up and direct checks.
    pub db: DatabaseConnection,
    _guard: DbGuard,
}

fn postgres_base() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A fresh, empty database; returns its URL and how to remove it.
pub async fn fresh_database() -> (String, DbGuard) {
    let (url, cleanup) = create_database().await;
    (url, DbGuard(Some(cleanup)))
}

async fn create_database() -> (String, Cleanup) {
    match postgres_base() {
        Some(admin_url) => {
            let name = format!("canopy_test_{}", Uuid::now_v7().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
            (
                format!("{base}/{name}"),
                Cleanup::Postgres { admin_url, name },
            )
        }
        None => {
            let path =
                std::env::temp_dir().join(format!("canopy-test-{}.db", Uuid::now_v7().simple()));
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                Cleanup::Sqlite(path),
            )
        }
    }
}

pub fn test_config(database_url: &str, overrides: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = [
        ("CANOPY_DATABASE_URL", database_url),
        ("CANOPY_BIND", "127.0.0.1:0"),
        ("CANOPY_JWT_SECRET", TEST_SECRET),
        ("CANOPY_ARGON2_MEMORY_KIB", "64"),
        ("CANOPY_ARGON2_ITERATIONS", "1"),
        ("CANOPY_DATABASE_MAX_CONNECTIONS", "4"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in overrides {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(|k| env.get(k).cloned()).expect("valid test configuration")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    spawn(overrides, false).await
}

/// With the demo network loaded, as `canopy serve --demo` does.
pub async fn spawn_demo_app() -> TestApp {
    spawn(&[], true).await
}

async fn spawn(overrides: &[(&str, &str)], demo: bool) -> TestApp {
    let (database_url, guard) = fresh_database().await;
    let config = test_config(&database_url, overrides);
    let statements = StatementCounter::default();
    let app = Application::build(
        config,
        Options {
            statement_counter: Some(statements.clone()),
            workers: Some(1),
            demo,
        },
    )
    .await
    .expect("build the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let server = app.handle();
    tokio::spawn(app.run_until_stopped());
    let db = canopy::db::connect(&database_url, canopy::db::Pool::of(2), None)
        .await
        .expect("connect for set-up");
    TestApp {
        address,
        client: reqwest::Client::new(),
        statements,
        server,
        db,
        _guard: guard,
    }
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self.0.take() {
            Some(Cleanup::Sqlite(path)) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Some(Cleanup::Postgres { admin_url, name }) => {
                // A thread with its own runtime: Drop cannot await.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async {
                            if let Ok(admin) = Database::connect(&admin_url).await {
                                let _ = admin
                                    .execute_unprepared(&format!(
                                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                    ))
                                    .await;
                            }
                        });
                    }
                })
                .join();
            }
            None => {}
        }
    }
}

/// A signed-in person.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub refresh: String,
    pub person_id: String,
    pub email: String,
}

impl TestApp {
    /// PostgreSQL only: drops the database under the running server (terminating its
    /// connections). Returns false on SQLite, where that cannot be done.
    pub async fn drop_database_now(&self) -> bool {
        let Some(Cleanup::Postgres { admin_url, name }) = &self._guard.0 else {
            return false;
        };
        let admin = Database::connect(admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop the test database");
        true
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// POST a GraphQL request as a GraphQL-over-HTTP client; returns (status, body).
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.post(None, query, variables).await.1
    }

    pub async fn gql_as(&self, who: &Session, query: &str, variables: Value) -> Value {
        self.post(Some(&who.token), query, variables).await.1
    }

    pub async fn sign_up(&self, name: &str) -> Session {
        let email = format!(
            "{}-{}@example.org",
            name.to_lowercase(),
            Uuid::now_v7().simple()
        );
        let res = self
            .gql(
                "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken person { id } } }",
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": name } }),
            )
            .await;
        let p = &res["data"]["signUp"];
        assert!(p.is_object(), "sign-up failed: {res}");
        Session {
            token: p["accessToken"].as_str().unwrap_or_default().to_owned(),
            refresh: p["refreshToken"].as_str().unwrap_or_default().to_owned(),
            person_id: p["person"]["id"].as_str().unwrap_or_default().to_owned(),
            email,
        }
    }
}

/// A global ID, as the API writes them.
pub fn encode_id(kind: &str, id: Uuid) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The UUID inside a global ID ("Type:uuid", base64url).
pub fn uuid_of(id: &str) -> Uuid {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).expect("base64url id")).expect("utf-8");
    Uuid::parse_str(text.split_once(':').expect("Type:uuid").1).expect("uuid")
}

/// `errors[0].extensions.code`, or "" when the response has no error.
pub fn code(res: &Value) -> String {
    res["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

pub fn field(res: &Value) -> String {
    res["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// Panics with the whole response when it carries errors.
pub fn ok(res: &Value) -> &Value {
    assert!(res.get("errors").is_none(), "unexpected errors: {res}");
    &res["data"]
}

/// A small world: an umbrella with clusters A ⊃ A1 ⊃ A1a and B, an admin, a coordinator of A,
/// and a coordinator of B.
pub struct World {
    pub admin: Session,
    pub coordinator_a: Session,
    pub coordinator_b: Session,
    pub org_id: String,
    pub a: String,
    pub a1: String,
    pub a1a: String,
    pub b: String,
}

pub const CREATE_CLUSTER: &str = "mutation($input: CreateClusterInput!) { createCluster(input: $input) { cluster { id version } } }";
pub const GRANT_ROLE: &str =
    "mutation($input: GrantRoleInput!) { grantRole(input: $input) { roleGrant { id role } } }";
pub const CREATE_GROUP: &str = "mutation($input: CreateGroupInput!) { createGroup(input: $input) { group { id slug version } } }";
pub const JOIN_GROUP: &str =
    "mutation($id: ID!) { joinGroup(input: {groupId: $id}) { membership { id status role } } }";

impl TestApp {
    pub async fn world(&self) -> World {
        let admin = self.sign_up("Admin").await;
        let slug = format!("org-{}", &Uuid::now_v7().simple().to_string()[24..]);
        let res = self
            .gql_as(
                &admin,
                "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { organisation { id } } }",
                json!({ "input": { "slug": slug, "name": "Evergreen Test Network" } }),
            )
            .await;
        let org_id = ok(&res)["createOrganisation"]["organisation"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let a = self.cluster(&admin, &org_id, None, "A").await;
        let a1 = self.cluster(&admin, &org_id, Some(&a), "A1").await;
        let a1a = self.cluster(&admin, &org_id, Some(&a1), "A1a").await;
        let b = self.cluster(&admin, &org_id, None, "B").await;
        let coordinator_a = self.sign_up("CoordA").await;
        let coordinator_b = self.sign_up("CoordB").await;
        self.grant(&admin, &coordinator_a, "COORDINATOR", &org_id, Some(&a))
            .await;
        self.grant(&admin, &coordinator_b, "COORDINATOR", &org_id, Some(&b))
            .await;
        World {
            admin,
            coordinator_a,
            coordinator_b,
            org_id,
            a,
            a1,
            a1a,
            b,
        }
    }

    pub async fn cluster(
        &self,
        who: &Session,
        org: &str,
        parent: Option<&str>,
        name: &str,
    ) -> String {
        let res = self
            .gql_as(
                who,
                CREATE_CLUSTER,
                json!({ "input": { "organisationId": org, "parentId": parent, "name": name } }),
            )
            .await;
        ok(&res)["createCluster"]["cluster"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn grant(
        &self,
        by: &Session,
        to: &Session,
        role: &str,
        org: &str,
        cluster: Option<&str>,
    ) -> String {
        let res = self
            .gql_as(
                by,
                GRANT_ROLE,
                json!({ "input": { "personId": to.person_id, "role": role, "organisationId": org, "clusterId": cluster } }),
            )
            .await;
        ok(&res)["grantRole"]["roleGrant"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Creates a group in `cluster` with sensible defaults merged with `extra` input fields.
    pub async fn group(&self, by: &Session, cluster: &str, slug: &str, extra: Value) -> String {
        let res = self.try_group(by, cluster, slug, extra).await;
        ok(&res)["createGroup"]["group"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn try_group(&self, by: &Session, cluster: &str, slug: &str, extra: Value) -> Value {
        self.gql_as(
            by,
            CREATE_GROUP,
            json!({ "input": group_input(cluster, slug, extra) }),
        )
        .await
    }

    pub async fn join(&self, who: &Session, group: &str) -> Value {
        self.gql_as(who, JOIN_GROUP, json!({ "id": group })).await
    }

    pub async fn leave(&self, who: &Session, group: &str) -> Value {
        self.gql_as(
            who,
            "mutation($id: ID!) { leaveGroup(input: {groupId: $id}) { membership { status } } }",
            json!({ "id": group }),
        )
        .await
    }

    /// Changes group settings as `who`, at the group's current version.
    pub async fn set_group(&self, who: &Session, group: &str, changes: Value) {
        let version = self
            .gql_as(
                who,
                "query($id: ID!) { node(id: $id) { ... on Group { version } } }",
                json!({ "id": group }),
            )
            .await;
        let mut input =
            json!({ "groupId": group, "expectedVersion": ok(&version)["node"]["version"] });
        for (k, v) in changes.as_object().into_iter().flatten() {
            input[k] = v.clone();
        }
        ok(&self
            .gql_as(
                who,
                "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { group { id } } }",
                json!({ "input": input }),
            )
            .await);
    }

    /// Schedules a meeting of the group at `at`; returns its id.
    pub async fn meeting_at(
        &self,
        who: &Session,
        group: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> String {
        let res = self
            .gql_as(
                who,
                "mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { meeting { id } } }",
                json!({ "input": { "groupId": group, "startsAt": at.to_rfc3339() } }),
            )
            .await;
        ok(&res)["scheduleMeeting"]["meeting"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Records attendance: `entries` as `[{ membershipId, status }]`.
    pub async fn attend(&self, who: &Session, meeting: &str, entries: Value) {
        ok(&self
            .gql_as(
                who,
                "mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { attendance { status } } }",
                json!({ "input": { "meetingId": meeting, "entries": entries } }),
            )
            .await);
    }

    /// Finalises the meeting's record, which marks it HELD.
    pub async fn hold(&self, who: &Session, meeting: &str) {
        ok(&self
            .gql_as(
                who,
                "mutation($input: FinalizeMeetingRecordInput!) { finalizeMeetingRecord(input: $input) { meeting { status } } }",
                json!({ "input": { "meetingId": meeting, "summary": "Held." } }),
            )
            .await);
    }
}

pub fn group_input(cluster: &str, slug: &str, extra: Value) -> Value {
    let mut input = json!({
        "clusterId": cluster,
        "slug": slug,
        "name": format!("Group {slug}"),
        "purpose": "Peer support for people under stress.",
        "format": "TOPIC_CIRCLE",
        "modality": "ONLINE",
        "cadence": { "frequency": "BIWEEKLY", "weekday": "TUESDAY", "localStartTime": "18:30", "timezone": "Europe/London" },
        "conferenceUrl": "https://meet.example.org/room",
        "status": "ACTIVE",
        "visibility": "PUBLIC",
    });
    if let (Some(obj), Some(more)) = (input.as_object_mut(), extra.as_object()) {
        for (k, v) in more {
            obj.insert(k.clone(), v.clone());
        }
    }
    input
}
