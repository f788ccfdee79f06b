//! Strings that crashed lookups (issue 15, hole 7): a NUL byte reached PostgreSQL (INTERNAL)
//! and a long filter became a LIKE pattern SQLite refuses. Every string argument is now
//! checked before anything runs: BAD_USER_INPUT naming the argument, and no `data`.
//!
//! The sweep is generated from the schema (introspection): every String, ID or custom-scalar
//! position in the arguments of every root query field and every mutation, at any depth inside
//! input objects and lists, gets a NUL byte (inline in the document and through a variable)
//! and, separately, a value longer than any limit.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, code, field, spawn_app};

/// Longer than any string the API takes (a resource body, 100 KiB), well under the 256 KiB
/// body cap.
const OVERLONG: usize = 150_000;

const INTROSPECTION: &str = r#"
query {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name
      fields { name args { name type { ...Ref } } type { ...Ref } }
      inputFields { name type { ...Ref } }
      enumValues { name }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"#;

/// A type reference as introspection writes it.
#[derive(Clone, Debug)]
enum Ty {
    NonNull(Box<Ty>),
    List(Box<Ty>),
    Named(String),
}

impl Ty {
    fn from(v: &Value) -> Self {
        match v["kind"].as_str().unwrap() {
            "NON_NULL" => Self::NonNull(Box::new(Self::from(&v["ofType"]))),
            "LIST" => Self::List(Box::new(Self::from(&v["ofType"]))),
            _ => Self::Named(v["name"].as_str().unwrap().to_owned()),
        }
    }

    fn sdl(&self) -> String {
        match self {
            Self::NonNull(t) => format!("{}!", t.sdl()),
            Self::List(t) => format!("[{}]", t.sdl()),
            Self::Named(n) => n.clone(),
        }
    }

    fn named(&self) -> &str {
        match self {
            Self::NonNull(t) | Self::List(t) => t.named(),
            Self::Named(n) => n,
        }
    }
}

/// One step from an argument down to a string: an input field, or a list's first item.
#[derive(Clone, Debug)]
enum Step {
    Field(String),
    Item,
}

/// An input value, rendered both as a GraphQL literal and as JSON.
#[derive(Clone, Debug)]
enum Lit {
    Str(String),
    Int(i64),
    Bool(bool),
    Enum(String),
    List(Vec<Lit>),
    Obj(Vec<(String, Lit)>),
}

impl Lit {
    fn graphql(&self) -> String {
        match self {
            Self::Str(s) => serde_json::to_string(s).unwrap(),
            Self::Int(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Enum(e) => e.clone(),
            Self::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Lit::graphql)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Obj(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.graphql()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn json(&self) -> Value {
        match self {
            Self::Str(s) | Self::Enum(s) => json!(s),
            Self::Int(n) => json!(n),
            Self::Bool(b) => json!(b),
            Self::List(items) => Value::Array(items.iter().map(Lit::json).collect()),
            Self::Obj(fields) => {
                Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect())
            }
        }
    }
}

struct Schema {
    types: serde_json::Map<String, Value>,
}

impl Schema {
    fn kind(&self, name: &str) -> &str {
        self.types[name]["kind"].as_str().unwrap()
    }

    fn input_fields(&self, name: &str) -> Vec<(String, Ty)> {
        self.types[name]["inputFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["name"].as_str().unwrap().to_owned(), Ty::from(&f["type"])))
            .collect()
    }

    fn is_string_like(&self, name: &str) -> bool {
        self.kind(name) == "SCALAR" && !matches!(name, "Int" | "Float" | "Boolean")
    }

    /// A value of `ty` the API would accept as that type.
    fn dummy(&self, ty: &Ty) -> Lit {
        match ty {
            Ty::NonNull(t) => self.dummy(t),
            Ty::List(_) => Lit::List(Vec::new()),
            Ty::Named(name) => match (self.kind(name), name.as_str()) {
                ("ENUM", _) => Lit::Enum(
                    self.types[name.as_str()]["enumValues"][0]["name"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                ),
                ("INPUT_OBJECT", _) => Lit::Obj(
                    self.input_fields(name)
                        .into_iter()
                        .filter(|(_, t)| matches!(t, Ty::NonNull(_)))
                        .map(|(k, t)| {
                            let v = self.dummy(&t);
                            (k, v)
                        })
                        .collect(),
                ),
                (_, "Int" | "StressRating") => Lit::Int(3),
                (_, "Float") => Lit::Int(1),
                (_, "Boolean") => Lit::Bool(false),
                (_, "DateTime") => Lit::Str("2026-01-05T18:00:00Z".into()),
                (_, "Date") => Lit::Str("2026-01-05".into()),
                (_, "LocalTime") => Lit::Str("18:00".into()),
                (_, "TimeZone") => Lit::Str("Europe/London".into()),
                (_, "Url") => Lit::Str("https://example.org/room".into()),
                (_, "ID") => Lit::Str(URL_SAFE_NO_PAD.encode(format!("Group:{}", Uuid::now_v7()))),
                _ => Lit::Str("dummy".into()),
            },
        }
    }

    /// Every path from a value of `ty` down to a string position.
    fn string_paths(&self, ty: &Ty, depth: usize) -> Vec<Vec<Step>> {
        match ty {
            Ty::NonNull(t) => self.string_paths(t, depth),
            Ty::List(t) => self
                .string_paths(t, depth)
                .into_iter()
                .map(|mut p| {
                    p.insert(0, Step::Item);
                    p
                })
                .collect(),
            Ty::Named(name) if self.is_string_like(name) => vec![Vec::new()],
            Ty::Named(name) if self.kind(name) == "INPUT_OBJECT" && depth < 5 => self
                .input_fields(name)
                .into_iter()
                .flat_map(|(field, t)| {
                    self.string_paths(&t, depth + 1)
                        .into_iter()
                        .map(move |mut p| {
                            p.insert(0, Step::Field(field.clone()));
                            p
                        })
                })
                .collect(),
            Ty::Named(_) => Vec::new(),
        }
    }

    /// A valid value of `ty` with `bad` at `path`.
    fn with_bad(&self, ty: &Ty, path: &[Step], bad: &str) -> Lit {
        let Some((step, rest)) = path.split_first() else {
            return Lit::Str(bad.to_owned());
        };
        let inner = match ty {
            Ty::NonNull(t) => return self.with_bad(t, path, bad),
            Ty::List(t) => t,
            Ty::Named(_) => ty,
        };
        match step {
            Step::Item => Lit::List(vec![self.with_bad(inner, rest, bad)]),
            Step::Field(target) => {
                let fields = self.input_fields(ty.named());
                Lit::Obj(
                    fields
                        .iter()
                        .filter_map(|(k, t)| {
                            if k == target {
                                Some((k.clone(), self.with_bad(t, rest, bad)))
                            } else if matches!(t, Ty::NonNull(_)) {
                                Some((k.clone(), self.dummy(t)))
                            } else {
                                None
                            }
                        })
                        .collect(),
                )
            }
        }
    }
}

/// How the API names a position in `extensions.field`: from the argument, with a mutation's
/// one `input` left out.
fn field_name(arg: &str, path: &[Step]) -> String {
    let mut name = if arg == "input" && !path.is_empty() {
        String::new()
    } else {
        arg.to_owned()
    };
    for step in path {
        match step {
            Step::Field(f) if name.is_empty() => name = f.clone(),
            Step::Field(f) => name = format!("{name}.{f}"),
            Step::Item => name.push_str("[0]"),
        }
    }
    name
}

struct Case {
    operation: &'static str,
    root: String,
    args: Vec<(String, Ty)>,
    returns_object: bool,
}

async fn schema_cases(app: &TestApp) -> (Schema, Vec<Case>) {
    let res = app.gql(INTROSPECTION, json!({})).await;
    let schema = &res["data"]["__schema"];
    assert!(schema.is_object(), "introspection: {res}");
    let types: serde_json::Map<String, Value> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    let mut cases = Vec::new();
    for (operation, root) in [
        ("query", schema["queryType"]["name"].as_str().unwrap()),
        ("mutation", schema["mutationType"]["name"].as_str().unwrap()),
    ] {
        for f in types[root]["fields"].as_array().unwrap() {
            let ret = Ty::from(&f["type"]);
            let kind = types[ret.named()]["kind"].as_str().unwrap();
            cases.push(Case {
                operation,
                root: f["name"].as_str().unwrap().to_owned(),
                args: f["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| (a["name"].as_str().unwrap().to_owned(), Ty::from(&a["type"])))
                    .collect(),
                returns_object: matches!(kind, "OBJECT" | "INTERFACE" | "UNION"),
            });
        }
    }
    (Schema { types }, cases)
}

/// The request for `case` with `bad` at `path` inside argument `target`: inline or through
/// variables (one per argument).
fn request(
    schema: &Schema,
    case: &Case,
    target: &str,
    path: &[Step],
    bad: &str,
    inline: bool,
) -> (String, Value) {
    let mut args = Vec::new();
    let mut definitions = Vec::new();
    let mut variables = serde_json::Map::new();
    for (name, ty) in &case.args {
        let value = if name == target {
            schema.with_bad(ty, path, bad)
        } else if matches!(ty, Ty::NonNull(_)) {
            schema.dummy(ty)
        } else {
            continue;
        };
        if inline {
            args.push(format!("{name}: {}", value.graphql()));
        } else {
            definitions.push(format!("${name}: {}", ty.sdl()));
            args.push(format!("{name}: ${name}"));
            variables.insert(name.clone(), value.json());
        }
    }
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    let definitions = if definitions.is_empty() {
        String::new()
    } else {
        format!("({})", definitions.join(", "))
    };
    let selection = if case.returns_object {
        " { __typename }"
    } else {
        ""
    };
    (
        format!(
            "{}{definitions} {{ {}{args}{selection} }}",
            case.operation, case.root
        ),
        Value::Object(variables),
    )
}

#[tokio::test]
async fn every_string_argument_refuses_a_nul_byte_and_an_overlong_value() {
    let app = spawn_app().await;
    let (schema, cases) = schema_cases(&app).await;
    let overlong = "a".repeat(OVERLONG);
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in &cases {
        for (arg, ty) in &case.args {
            for path in schema.string_paths(ty, 0) {
                let expected = field_name(arg, &path);
                // The NUL goes inline and through a variable; the over-long value through a
                // variable only: a 150 KB literal costs the (debug-built) document parser a
                // third of a second, so the inline case is left to the focused tests below.
                for (what, bad, modes) in [
                    ("a NUL byte", "before\0after", &[true, false][..]),
                    ("an over-long value", overlong.as_str(), &[false][..]),
                ] {
                    for &inline in modes {
                        let (query, variables) = request(&schema, case, arg, &path, bad, inline);
                        let (status, body) = app.post(None, &query, variables).await;
                        checked += 1;
                        let ok = status == 400
                            && code(&body) == "BAD_USER_INPUT"
                            && field(&body) == expected
                            && body.get("data").is_none();
                        if !ok {
                            let mut shown = body.to_string();
                            shown.truncate(300);
                            failures.push(format!(
                                "{}.{} {expected} ({what}, {}): {status} {shown}",
                                case.operation,
                                case.root,
                                if inline { "inline" } else { "variable" }
                            ));
                        }
                    }
                }
            }
        }
    }
    // The sweep reaches the lookups of the issue and the mutations' nested inputs.
    assert!(
        checked > 400,
        "only {checked} requests: the sweep found too few arguments"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} requests were not refused as BAD_USER_INPUT naming the argument:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// --- The lookups the issue names, anonymously. ---

/// `errors[0]` is BAD_USER_INPUT naming `expected`, and nothing ran.
fn assert_refused(status: u16, body: &Value, expected: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(body), expected, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert!(!body.to_string().contains("internal"), "{body}");
}

/// A lookup by `arg` refuses a NUL byte and a value longer than it may be (both well under the
/// body cap, and the long one past SQLite's 50,000-byte LIKE pattern limit).
async fn lookup_refuses_bad_strings(query: &str, arg: &str, expected: &str) {
    let app = spawn_app().await;
    for bad in ["carers\0north".to_owned(), "a".repeat(60_000)] {
        let (status, body) = app.post(None, query, json!({ arg: bad })).await;
        assert_refused(status, &body, expected);
    }
}

#[tokio::test]
async fn group_by_slug_refuses_a_nul_and_an_overlong_slug() {
    lookup_refuses_bad_strings("query($s: String!) { group(slug: $s) { id } }", "s", "slug").await;
}

#[tokio::test]
async fn resource_by_slug_refuses_a_nul_and_an_overlong_slug() {
    lookup_refuses_bad_strings(
        "query($s: String!) { resource(slug: $s) { id } }",
        "s",
        "slug",
    )
    .await;
}

#[tokio::test]
async fn organisation_by_slug_refuses_a_nul_and_an_overlong_slug() {
    lookup_refuses_bad_strings(
        "query($s: String!) { organisation(slug: $s) { id } }",
        "s",
        "slug",
    )
    .await;
}

#[tokio::test]
async fn training_program_by_slug_refuses_a_nul_and_an_overlong_slug() {
    lookup_refuses_bad_strings(
        "query($s: String!) { trainingProgram(slug: $s) { id } }",
        "s",
        "slug",
    )
    .await;
}

#[tokio::test]
async fn trainee_progress_refuses_a_nul_and_an_overlong_program_slug() {
    let person = crate::helpers::encode_id("Person", Uuid::now_v7());
    lookup_refuses_bad_strings(
        &format!(
            "query($s: String!) {{ traineeProgress(personId: \"{person}\", programSlug: $s) {{ __typename }} }}"
        ),
        "s",
        "programSlug",
    )
    .await;
}

#[tokio::test]
async fn the_group_directory_refuses_a_nul_and_an_overlong_filter_text() {
    lookup_refuses_bad_strings(
        "query($s: String) { groups(filter: {text: $s}) { totalCount } }",
        "s",
        "filter.text",
    )
    .await;
    // The issue's 200,000 characters, inline.
    let app = spawn_app().await;
    let q = format!(
        "{{ groups(filter: {{text: \"{}\"}}) {{ totalCount }} }}",
        "a".repeat(200_000)
    );
    let (status, body) = app.post(None, &q, json!({})).await;
    assert_refused(status, &body, "filter.text");
}

#[tokio::test]
async fn a_variable_reused_as_ordinary_text_cannot_smuggle_a_long_filter_text() {
    let app = spawn_app().await;
    // Fine as a resource tag (ordinary text), far too long for the directory's filter: the
    // strictest place a variable is used decides.
    let q = "query($s: String!) { resources(filter: {tags: [$s]}) { totalCount } \
             groups(filter: {text: $s}) { totalCount } }";
    let (status, body) = app.post(None, q, json!({ "s": "a".repeat(60_000) })).await;
    assert_refused(status, &body, "filter.text");
}

/// What a client might forge: a cursor as the API writes them (base64url JSON), with `key`.
fn cursor_with_key(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({ "k": key, "i": Uuid::now_v7() }).to_string())
}

#[tokio::test]
async fn a_cursor_with_a_nul_or_an_overlong_value_is_refused() {
    let app = spawn_app().await;
    let q = "query($c: String) { groups(after: $c) { totalCount } }";
    for bad in [
        // Raw: a NUL in the cursor text, and a cursor far longer than any the API writes.
        "abc\0def".to_owned(),
        "a".repeat(60_000),
        // Decoded: a NUL or an over-long key inside well-formed base64url JSON.
        cursor_with_key("carers\0north"),
        cursor_with_key(&"x".repeat(600)),
        // Not a cursor at all.
        "not a cursor".to_owned(),
    ] {
        let (_, body) = app.post(None, q, json!({ "c": bad })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(field(&body), "after", "{body}");
    }
    // The same for `before`.
    let (_, body) = app
        .post(
            None,
            "query($c: String) { groups(last: 2, before: $c) { totalCount } }",
            json!({ "c": cursor_with_key("a\0") }),
        )
        .await;
    assert_eq!(
        (code(&body).as_str(), field(&body).as_str()),
        ("BAD_USER_INPUT", "before"),
        "{body}"
    );
}

#[tokio::test]
async fn a_whole_resource_body_still_passes_the_guard() {
    let app = spawn_app().await;
    // 100 KiB of multi-line Markdown: refused only for not naming a real resource.
    let body = "# Grounding\n\n\t- breathe in for four\r\n".repeat(3000);
    let body = &body[..100 * 1024];
    let id = crate::helpers::encode_id("Resource", Uuid::now_v7());
    let (status, res) = app
        .post(
            None,
            "mutation($id: ID!, $b: String) { updateResource(input: {resourceId: $id, expectedVersion: 1, body: $b}) { __typename } }",
            json!({ "id": id, "b": body }),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(code(&res), "UNAUTHENTICATED", "{res}");
}

#[tokio::test]
async fn the_catalogue_refuses_a_resource_path_that_is_no_slug() {
    let app = spawn_app().await;
    for path in [
        "/resources/a%00b.jsonld",
        &format!("/resources/{}.jsonld", "a".repeat(5000)),
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{path}");
        let body: Value = res.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
    }
}
