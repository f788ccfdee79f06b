//! Every string a request carries is checked here before anything runs: literals in the
//! document, directive arguments, variable defaults and variable values, at any depth inside
//! input objects and lists. A NUL byte reaching PostgreSQL fails the statement (INTERNAL,
//! anonymously for most lookups), and a long enough LIKE pattern fails it on SQLite, so no
//! resolver may be the first to look at a string.
//!
//! The rules, by what the string is (types from the schema, `TypeIndex`):
//! - everywhere: no control character except tab, line feed and carriage return, and at most
//!   `MAX_STRING_BYTES` (the largest legitimate text, a resource body);
//! - things a client looks up by — IDs, slugs, cursors, search and filter text, emails,
//!   tokens, enum values and the other scalars (dates, times, time zones, URLs) — are one line
//!   and short (`rule`);
//! - any other String is text and may span lines.
//!
//! The domain parsers stay the authority on what a value means; this is the floor below them.
//! A refusal names the argument as the domain does (`extensions.field`): the path from the
//! argument with the mutation's `input.` left out, e.g. `slug`, `filter.text`, `venue.name`,
//! `tags[2]`.

use std::collections::HashMap;

use async_graphql::{
    Name, Positioned, Value as ConstValue, Variables,
    indexmap::IndexMap,
    parser::types::{
        BaseType, Directive, ExecutableDocument, OperationType, Selection, SelectionSet, Type,
    },
};
use async_graphql_value::Value as DocValue;

use super::type_index::{TypeIndex, named};
use crate::domain::{
    pagination::MAX_CURSOR_BYTES,
    resources::{content::MAX_BODY_BYTES, search_query::MAX_SEARCH_CHARS},
    values::{MAX_FILTER_TEXT_CHARS, Slug},
};

/// The longest string any argument may carry.
pub const MAX_STRING_BYTES: usize = MAX_BODY_BYTES;
/// IDs are base64url of `Type:uuid`, about 60 characters.
const MAX_ID_CHARS: usize = 128;
/// Dates, times, time zones, URLs (`values::web_url` takes up to 2,048).
const MAX_SCALAR_CHARS: usize = 2048;
const MAX_ENUM_CHARS: usize = 128;
/// An email address (`values::Email`), a refresh token (43 characters).
const MAX_KEY_CHARS: usize = 320;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    /// Tabs and line breaks allowed.
    lines: bool,
    max_chars: Option<usize>,
}

const TEXT: Rule = Rule {
    lines: true,
    max_chars: None,
};

const fn line(max: usize) -> Rule {
    Rule {
        lines: false,
        max_chars: Some(max),
    }
}

/// Where a value sits: its path for `extensions.field`, its declared type when known, and the
/// argument or input field that holds it (`owner` is the input type, or `Type.field` for a
/// field argument).
#[derive(Clone, Debug)]
struct Slot {
    path: String,
    ty: Option<Type>,
    owner: String,
    name: String,
}

impl Slot {
    fn field(&self) -> String {
        if self.path.is_empty() {
            "input".to_owned()
        } else {
            self.path.clone()
        }
    }

    fn child(&self, owner: &str, key: &str, ty: Option<Type>) -> Self {
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        Self {
            path,
            ty,
            owner: owner.to_owned(),
            name: key.to_owned(),
        }
    }

    fn item(&self, i: usize) -> Self {
        let ty = match self.ty.as_ref().map(|t| &t.base) {
            Some(BaseType::List(inner)) => Some((**inner).clone()),
            _ => self.ty.clone(),
        };
        Self {
            path: format!("{}[{i}]", self.field()),
            ty,
            ..self.clone()
        }
    }
}

/// What a String holds, by the argument or input field that holds it.
fn string_rule(owner: &str, name: &str) -> Rule {
    match (owner, name) {
        (_, "slug") => line(Slug::MAX_CHARS),
        (_, n) if n.ends_with("Slug") => line(Slug::MAX_CHARS),
        (_, "after" | "before") => line(MAX_CURSOR_BYTES),
        ("GroupFilter", "text") => line(MAX_FILTER_TEXT_CHARS),
        ("Query.resources", "search") => line(MAX_SEARCH_CHARS),
        (_, "email" | "personEmail" | "refreshToken") => line(MAX_KEY_CHARS),
        _ => TEXT,
    }
}

fn rule(index: &TypeIndex, slot: &Slot) -> Rule {
    match slot.ty.as_ref().map(named) {
        Some("String") | None => string_rule(&slot.owner, &slot.name),
        Some("ID") => line(MAX_ID_CHARS),
        Some(t) if index.is_enum(t) => line(MAX_ENUM_CHARS),
        // Custom scalars, and a string where a number or an input object belongs (which
        // validation refuses anyway, but only after this).
        Some(_) => line(MAX_SCALAR_CHARS),
    }
}

fn check_string(s: &str, rule: Rule) -> Result<(), String> {
    if s.len() > MAX_STRING_BYTES {
        return Err(format!(
            "this is too long: at most {} KiB",
            MAX_STRING_BYTES / 1024
        ));
    }
    let allowed = |c: char| rule.lines && matches!(c, '\t' | '\n' | '\r');
    if let Some(c) = s.chars().find(|&c| c.is_control() && !allowed(c)) {
        return Err(if matches!(c, '\t' | '\n' | '\r') {
            "this is one line: tabs and line breaks are not allowed"
        } else {
            "control characters are not allowed"
        }
        .to_owned());
    }
    if let Some(max) = rule.max_chars
        && s.chars().count() > max
    {
        return Err(format!("at most {max} characters"));
    }
    Ok(())
}

/// The two kinds of values a request holds: in the document (may name variables) and in the
/// variables themselves.
enum View<'a, T> {
    Str(&'a str),
    List(&'a [T]),
    Object(&'a IndexMap<Name, T>),
    Variable(&'a Name),
    Other,
}

trait Input: Sized {
    fn view(&self) -> View<'_, Self>;
}

impl Input for DocValue {
    fn view(&self) -> View<'_, Self> {
        match self {
            DocValue::String(s) => View::Str(s),
            DocValue::List(items) => View::List(items),
            DocValue::Object(fields) => View::Object(fields),
            DocValue::Variable(name) => View::Variable(name),
            _ => View::Other,
        }
    }
}

impl Input for ConstValue {
    fn view(&self) -> View<'_, Self> {
        match self {
            ConstValue::String(s) => View::Str(s),
            ConstValue::List(items) => View::List(items),
            ConstValue::Object(fields) => View::Object(fields),
            _ => View::Other,
        }
    }
}

struct Walker<'a> {
    index: &'a TypeIndex,
    /// Every place each variable is used: its value must pass the rules of all of them (a
    /// variable used as ordinary text and as a lookup key is held to the lookup's limits too),
    /// and a refusal is named after the place whose rule it broke.
    uses: HashMap<Name, Vec<Slot>>,
}

impl Walker<'_> {
    fn value<T: Input>(&mut self, value: &T, slot: &Slot) -> Result<(), Rejection> {
        match value.view() {
            View::Str(s) => check_string(s, rule(self.index, slot)).map_err(|message| Rejection {
                field: slot.field(),
                message,
            }),
            View::List(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| self.value(item, &slot.item(i))),
            View::Object(fields) => {
                let input = slot.ty.as_ref().map(named).unwrap_or("").to_owned();
                fields.iter().try_for_each(|(key, item)| {
                    let ty = self.index.input_field(&input, key).cloned();
                    self.value(item, &slot.child(&input, key, ty))
                })
            }
            View::Variable(name) => {
                self.uses
                    .entry(name.clone())
                    .or_default()
                    .push(slot.clone());
                Ok(())
            }
            View::Other => Ok(()),
        }
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) -> Result<(), Rejection> {
        for directive in directives {
            let owner = format!("@{}", directive.node.name.node);
            for (name, value) in &directive.node.arguments {
                let slot = Slot {
                    path: name.node.to_string(),
                    ty: None,
                    owner: owner.clone(),
                    name: name.node.to_string(),
                };
                self.value(&value.node, &slot)?;
            }
        }
        Ok(())
    }

    fn selection_set(&mut self, set: &SelectionSet, parent: Option<&str>) -> Result<(), Rejection> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let def = parent.and_then(|p| self.index.field(p, name));
                    let owner = format!("{}.{name}", parent.unwrap_or(""));
                    for (arg, value) in &field.arguments {
                        let arg = arg.node.as_str();
                        // A mutation's one `input` is left out of the path, as the domain
                        // names its fields.
                        let path = if arg == "input" { "" } else { arg };
                        let slot = Slot {
                            path: path.to_owned(),
                            ty: def.and_then(|d| d.args.get(arg)).cloned(),
                            owner: owner.clone(),
                            name: arg.to_owned(),
                        };
                        self.value(&value.node, &slot)?;
                    }
                    self.directives(&field.directives)?;
                    let output = def.map(|d| d.output.clone());
                    self.selection_set(&field.selection_set.node, output.as_deref())?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    self.directives(&inline.directives)?;
                    let on = inline
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str())
                        .or(parent);
                    self.selection_set(&inline.selection_set.node, on)?;
                }
            }
        }
        Ok(())
    }
}

/// Checks every string of the request; the first bad one is refused.
pub fn check(doc: &ExecutableDocument, variables: &Variables) -> Result<(), Rejection> {
    let index = TypeIndex::get();
    let mut walker = Walker {
        index,
        uses: HashMap::new(),
    };
    for (_, op) in doc.operations.iter() {
        let root = match op.node.ty {
            OperationType::Query => Some(index.query.as_str()),
            OperationType::Mutation => index.mutation.as_deref(),
            OperationType::Subscription => None,
        };
        walker.directives(&op.node.directives)?;
        walker.selection_set(&op.node.selection_set.node, root)?;
    }
    for fragment in doc.fragments.values() {
        let fragment = &fragment.node;
        walker.directives(&fragment.directives)?;
        let on = fragment.type_condition.node.on.node.as_str();
        walker.selection_set(&fragment.selection_set.node, Some(on))?;
    }
    // Variables take the name of the place they are used; an unused one (which validation
    // refuses later) its own name and declared type.
    let mut slots = walker.uses.clone();
    for (_, op) in doc.operations.iter() {
        for definition in &op.node.variable_definitions {
            let definition = &definition.node;
            let name = &definition.name.node;
            let places = slots.entry(name.clone()).or_insert_with(|| {
                vec![Slot {
                    path: name.to_string(),
                    ty: Some(definition.var_type.node.clone()),
                    owner: String::new(),
                    name: name.to_string(),
                }]
            });
            if let Some(default) = &definition.default_value {
                for slot in places.clone() {
                    walker.value(&default.node, &slot)?;
                }
            }
        }
    }
    for (name, value) in variables.iter() {
        let places = slots.get(name).cloned().unwrap_or_else(|| {
            vec![Slot {
                path: name.to_string(),
                ty: None,
                owner: String::new(),
                name: name.to_string(),
            }]
        });
        for slot in &places {
            walker.value(value, slot)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(query: &str, variables: serde_json::Value) -> Result<(), Rejection> {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        let variables = Variables::from_json(variables);
        check(&doc, &variables)
    }

    fn refused(query: &str, variables: serde_json::Value) -> String {
        run(query, variables).expect_err("refused").field
    }

    #[test]
    fn a_variable_used_in_two_places_is_held_to_both_rules() {
        // Long enough for ordinary text (a resource tag), far too long for the directory's
        // filter text: used in both places, it is refused as the filter text.
        let long = "a".repeat(50_000);
        assert_eq!(
            refused(
                "query($s: String!) { resources(filter: {tags: [$s]}) { totalCount } \
                 groups(filter: {text: $s}) { totalCount } }",
                json!({ "s": long })
            ),
            "filter.text"
        );
    }

    #[test]
    fn a_nul_is_refused_wherever_it_is() {
        assert_eq!(
            refused(r#"{ group(slug: "a\u0000") { id } }"#, json!({})),
            "slug"
        );
        assert_eq!(
            refused(
                r#"{ groups(filter: {text: "a\u0000"}) { totalCount } }"#,
                json!({})
            ),
            "filter.text"
        );
        assert_eq!(
            refused(
                "query($s: String!) { group(slug: $s) { id } }",
                json!({ "s": "a\u{0}" })
            ),
            "slug"
        );
        assert_eq!(
            refused(
                "mutation($input: CreateGroupInput!) { createGroup(input: $input) { group { id } } }",
                json!({ "input": { "venue": { "name": "\u{1}" } } })
            ),
            "venue.name"
        );
        assert_eq!(
            refused(
                "mutation($t: [String!]!) { finalizeMeetingRecord(input: {meetingId: \"x\", summary: \"s\", topics: $t}) { __typename } }",
                json!({ "t": ["ok", "bad\u{0}"] })
            ),
            "topics[1]"
        );
        assert_eq!(
            refused(r#"{ nodes(ids: ["a", "b\u0007"]) { id } }"#, json!({})),
            "ids[1]"
        );
        assert_eq!(
            refused(r#"{ __typename @include(if: "\u0000") }"#, json!({})),
            "if"
        );
        assert_eq!(
            refused("{ __typename }", json!({ "unused": "\u{0}" })),
            "unused"
        );
    }

    #[test]
    fn text_may_span_lines_but_lookups_may_not() {
        let body = "# Title\n\n\tindented\r\n".repeat(10);
        assert!(
            run(
                "mutation($b: String) { updateResource(input: {resourceId: \"x\", body: $b}) { __typename } }",
                json!({ "b": body })
            )
            .is_ok()
        );
        assert_eq!(
            refused(r#"{ group(slug: "a\nb") { id } }"#, json!({})),
            "slug"
        );
        assert_eq!(
            refused(r#"{ groups(after: "abc\t") { totalCount } }"#, json!({})),
            "after"
        );
        assert_eq!(refused(r#"{ node(id: "a\nb") { id } }"#, json!({})), "id");
    }

    #[test]
    fn lengths_are_bounded_per_argument_and_overall() {
        let long_slug = "a".repeat(Slug::MAX_CHARS + 1);
        assert_eq!(
            refused(
                "query($s: String!) { trainingProgram(slug: $s) { id } }",
                json!({ "s": long_slug })
            ),
            "slug"
        );
        assert_eq!(
            refused(
                "query($p: String!) { traineeProgress(personId: \"x\", programSlug: $p) { __typename } }",
                json!({ "p": long_slug })
            ),
            "programSlug"
        );
        let long_text = "a".repeat(MAX_FILTER_TEXT_CHARS + 1);
        assert_eq!(
            refused(
                "query($f: GroupFilter) { groups(filter: $f) { totalCount } }",
                json!({ "f": { "text": long_text } })
            ),
            "filter.text"
        );
        // A whole resource body passes; one byte more than any text may have does not.
        let body = "a".repeat(MAX_BODY_BYTES);
        let q = "mutation($b: String) { updateResource(input: {resourceId: \"x\", body: $b}) { __typename } }";
        assert!(run(q, json!({ "b": body })).is_ok());
        assert_eq!(refused(q, json!({ "b": format!("{body}a") })), "body");
        // Other text is not held to the lookups' limits.
        assert!(
            run(
                "mutation($t: String!) { submitSuggestion(input: {groupId: \"x\", text: $t}) { __typename } }",
                json!({ "t": long_text })
            )
            .is_ok()
        );
    }
}
