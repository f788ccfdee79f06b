//! What a document will cost before it runs, in units of about 50 µs of server time on the
//! reference machine (2 cores; `scripts/bench-peer.sh`), checked against
//! `CANOPY_MAX_COMPLEXITY`.
//!
//! async-graphql prices every field at 1 and multiplies a connection's whole selection by its
//! page size, so a scalar on a nested row costs as much as the statement that read the row:
//! the dashboard (1,050 rows, 5 statements, ~23 ms) priced at ~10,000 while a far costlier
//! document could pass. With every relation batched (one statement per level, whatever the
//! number of parents), what a query costs is a fixed price per relation in the document, a
//! price per row read and a small price per field shown. The three were fitted on the four
//! shapes the PostGraphile comparison measures (server CPU per request): within ~25 % of each.

use std::collections::HashMap;

use async_graphql::{
    Variables,
    parser::types::{
        BaseType, ExecutableDocument, Field, Selection, SelectionSet, ServiceDocument, Type,
        TypeKind, TypeSystemDefinition,
    },
};
use async_graphql_value::{ConstValue, Value};

use crate::domain::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// One batched statement (a relation of the document, however many parents it serves).
const STATEMENT_NS: u64 = 150_000;
/// One row read, checked and shaped.
const ROW_NS: u64 = 10_000;
/// One field written to the response.
const FIELD_NS: u64 = 1_500;
/// What one unit of `CANOPY_MAX_COMPLEXITY` stands for.
const UNIT_NS: u64 = 50_000;
/// Rows assumed for a list of objects that is not a connection and takes no `ids` (a group's
/// facilitators, a meeting's agenda): such lists are short by rule.
const LIST_ROWS: u64 = 10;
/// The lists that are not short, at the most their rules allow: series of up to two years of
/// weeks, and lists of a group's people (capacity at most 100) or a workshop's (200).
const LONG_LISTS: &[(&str, &str, u64)] = &[
    ("Group", "wellbeing", 106),
    ("Viewer", "stressTrend", 106),
    ("Group", "pledgeStatus", 100),
    ("Meeting", "attendance", 100),
    ("Workshop", "enrollments", 200),
    ("WorkshopSession", "attendance", 200),
];
/// How deep fragments may nest, and how many spreads pricing may follow in all: a document
/// past either (a long chain, a cycle, or spreads that fan out exponentially) is priced out
/// of reach, never as free.
const MAX_SPREADS: usize = 32;
const MAX_SPREAD_VISITS: usize = 2_000;

/// A field's declared type: the named type and whether it is a list.
struct Declared {
    name: String,
    list: bool,
}

/// The schema's fields by type, read once from its SDL.
pub struct CostModel {
    fields: HashMap<String, HashMap<String, Declared>>,
    query: String,
    mutation: String,
}

/// How a type takes part in pricing.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// A page of rows (`…Connection`).
    Page,
    /// Part of a page already priced (`…Edge`, `PageInfo`).
    Wrapper,
    /// Any other object, interface or union: a relation read by a loader.
    Relation,
    /// Scalars and enums.
    Leaf,
}

fn declared(ty: &Type) -> Declared {
    match &ty.base {
        BaseType::Named(name) => Declared {
            name: name.to_string(),
            list: false,
        },
        BaseType::List(inner) => Declared {
            list: true,
            ..declared(inner)
        },
    }
}

impl CostModel {
    pub fn of_sdl(sdl: &str) -> Result<Self, async_graphql::parser::Error> {
        let doc: ServiceDocument = async_graphql::parser::parse_schema(sdl)?;
        let mut fields: HashMap<String, HashMap<String, Declared>> = HashMap::new();
        let (mut query, mut mutation) = ("Query".to_owned(), "Mutation".to_owned());
        for definition in doc.definitions {
            match definition {
                TypeSystemDefinition::Type(t) => {
                    let t = t.node;
                    let own = match t.kind {
                        TypeKind::Object(o) => o.fields,
                        TypeKind::Interface(i) => i.fields,
                        // Unions are reached only through fragments on their members.
                        TypeKind::Union(_) => Vec::new(),
                        _ => continue,
                    };
                    let map = own
                        .into_iter()
                        .map(|f| (f.node.name.node.to_string(), declared(&f.node.ty.node)))
                        .collect();
                    fields.insert(t.name.node.to_string(), map);
                }
                TypeSystemDefinition::Schema(s) => {
                    if let Some(q) = s.node.query {
                        query = q.node.to_string();
                    }
                    if let Some(m) = s.node.mutation {
                        mutation = m.node.to_string();
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(Self {
            fields,
            query,
            mutation,
        })
    }

    fn role(&self, type_name: &str) -> Role {
        if type_name.ends_with("Connection") {
            Role::Page
        } else if type_name.ends_with("Edge") || type_name == "PageInfo" {
            Role::Wrapper
        } else if self.fields.contains_key(type_name) {
            Role::Relation
        } else {
            Role::Leaf
        }
    }

    /// The cost in units of the operation that would run (0 when none matches: the executor
    /// refuses it).
    pub fn cost(
        &self,
        doc: &ExecutableDocument,
        operation: Option<&str>,
        variables: &Variables,
    ) -> u64 {
        self.estimate_ns(doc, operation, variables)
            .div_ceil(UNIT_NS)
    }

    fn estimate_ns(
        &self,
        doc: &ExecutableDocument,
        operation: Option<&str>,
        variables: &Variables,
    ) -> u64 {
        let found = match operation {
            Some(name) => doc
                .operations
                .iter()
                .find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
            None => doc.operations.iter().next(),
        };
        let Some((_, op)) = found else {
            return 0;
        };
        let op = &op.node;
        let mut values: HashMap<&str, ConstValue> = op
            .variable_definitions
            .iter()
            .filter_map(|d| {
                let d = &d.node;
                let given = variables.get(d.name.node.as_str()).cloned();
                let value = given.or_else(|| d.default_value.as_ref().map(|v| v.node.clone()));
                value.map(|v| (d.name.node.as_str(), v))
            })
            .collect();
        values.retain(|_, v| !matches!(v, ConstValue::Null));
        let root = match op.ty {
            async_graphql::parser::types::OperationType::Mutation => &self.mutation,
            _ => &self.query,
        };
        let pricer = Pricer {
            model: self,
            doc,
            values: &values,
            visits: std::cell::Cell::new(0),
        };
        pricer.set(&op.selection_set.node, root, 1, None, 0)
    }
}

struct Pricer<'a> {
    model: &'a CostModel,
    doc: &'a ExecutableDocument,
    values: &'a HashMap<&'a str, ConstValue>,
    /// Spreads followed so far.
    visits: std::cell::Cell<usize>,
}

impl Pricer<'_> {
    /// A whole number argument, literal or from a variable; None when absent, null or not a
    /// number (the resolver's default applies, or the validator refuses it).
    fn number(&self, field: &Field, name: &str) -> Option<u64> {
        match &field.get_argument(name)?.node {
            Value::Number(n) => n.as_u64(),
            Value::Variable(v) => match self.values.get(v.as_str()) {
                Some(ConstValue::Number(n)) => n.as_u64(),
                _ => None,
            },
            _ => None,
        }
    }

    /// The length of a list argument, literal or from a variable.
    fn list_len(&self, field: &Field, name: &str) -> Option<u64> {
        let value = &field.get_argument(name)?.node;
        let len = match value {
            Value::List(items) => items.len(),
            Value::Variable(v) => match self.values.get(v.as_str()) {
                Some(ConstValue::List(items)) => items.len(),
                _ => 0,
            },
            _ => 0,
        };
        Some(len as u64)
    }

    /// Rows a page asks for: `first` or `last` (a value out of range is refused by the
    /// resolver, not priced), else the default page.
    fn page_rows(&self, field: &Field) -> u64 {
        let asked = self
            .number(field, "first")
            .or_else(|| self.number(field, "last"))
            .unwrap_or(DEFAULT_PAGE_SIZE as u64);
        asked.clamp(1, MAX_PAGE_SIZE as u64)
    }

    /// Nanoseconds for `set` selected on `type_name` for `parents` rows; `page` is the page
    /// size when `type_name` is a connection.
    fn set(
        &self,
        set: &SelectionSet,
        type_name: &str,
        parents: u64,
        page: Option<u64>,
        spreads: usize,
    ) -> u64 {
        let mut ns = 0u64;
        for item in &set.items {
            let add = match &item.node {
                Selection::Field(field) => {
                    self.field(&field.node, type_name, parents, page, spreads)
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    let on = inline
                        .type_condition
                        .as_ref()
                        .map_or(type_name, |c| c.node.on.node.as_str());
                    self.set(&inline.selection_set.node, on, parents, page, spreads)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    self.visits.set(self.visits.get() + 1);
                    if spreads >= MAX_SPREADS || self.visits.get() > MAX_SPREAD_VISITS {
                        return u64::MAX;
                    }
                    match self.doc.fragments.get(name) {
                        Some(f) => {
                            let f = &f.node;
                            let on = f.type_condition.node.on.node.as_str();
                            self.set(&f.selection_set.node, on, parents, page, spreads + 1)
                        }
                        // An unknown fragment: the validator refuses the document.
                        None => 0,
                    }
                }
            };
            ns = ns.saturating_add(add);
        }
        ns
    }

    fn field(
        &self,
        field: &Field,
        type_name: &str,
        parents: u64,
        page: Option<u64>,
        spreads: usize,
    ) -> u64 {
        let shown = FIELD_NS.saturating_mul(parents);
        let Some(declared) = self
            .model
            .fields
            .get(type_name)
            .and_then(|f| f.get(field.name.node.as_str()))
        else {
            // `__typename`, introspection, or a field the validator will refuse.
            return shown;
        };
        let inner = &field.selection_set.node;
        let role = self.model.role(&declared.name);
        match (self.model.role(type_name), role) {
            // Inside a page: edges and nodes are its rows (already priced), the total a count.
            (Role::Page, _) if declared.list => {
                let rows = parents.saturating_mul(page.unwrap_or(1));
                self.set(inner, &declared.name, rows, None, spreads)
            }
            (Role::Page, Role::Leaf) => STATEMENT_NS.saturating_add(shown),
            (Role::Wrapper, Role::Leaf) => shown,
            (Role::Page | Role::Wrapper, _) => {
                self.set(inner, &declared.name, parents, None, spreads)
            }
            (_, Role::Leaf) => shown,
            (_, Role::Page) => {
                let size = self.page_rows(field);
                let rows = parents.saturating_mul(size);
                STATEMENT_NS
                    .saturating_add(ROW_NS.saturating_mul(rows))
                    .saturating_add(self.set(inner, &declared.name, parents, Some(size), spreads))
            }
            (_, _) => {
                let name = field.name.node.as_str();
                let each = if declared.list {
                    self.list_len(field, "ids").unwrap_or_else(|| {
                        LONG_LISTS
                            .iter()
                            .find(|(t, f, _)| *t == type_name && *f == name)
                            .map_or(LIST_ROWS, |(_, _, rows)| *rows)
                    })
                } else {
                    1
                };
                let rows = parents.saturating_mul(each);
                STATEMENT_NS
                    .saturating_add(ROW_NS.saturating_mul(rows))
                    .saturating_add(self.set(inner, &declared.name, rows, None, spreads))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn model() -> &'static CostModel {
        static MODEL: std::sync::LazyLock<CostModel> = std::sync::LazyLock::new(|| {
            CostModel::of_sdl(&crate::graphql::sdl()).expect("the SDL parses")
        });
        &MODEL
    }

    fn cost(query: &str, variables: serde_json::Value) -> u64 {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        model().cost(&doc, None, &Variables::from_json(variables))
    }

    fn nanos(query: &str) -> u64 {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        model().estimate_ns(&doc, None, &Variables::default())
    }

    const DASHBOARD: &str = "query($id: ID!) { node(id: $id) { ... on Organisation { clusters(first: 50) { edges { node { id name groups(first: 5) { edges { node { id name meetings(last: 3, filter: {status: [HELD]}) { edges { node { id startsAt attendanceSummary { present } } } } } } } } } } } } }";

    #[test]
    fn the_dashboard_fits_the_default_budget_and_a_wide_fan_out_does_not() {
        // 1,050 rows in 4 relations: ~23 ms measured, ~465 units (1 unit ≈ 50 µs).
        let dashboard = cost(DASHBOARD, json!({ "id": "x" }));
        assert!((400..=600).contains(&dashboard), "{dashboard}");
        // 20,100 rows: 100 groups × 100 members, each with a person.
        let fan_out = cost(
            "{ groups(first: 100) { edges { node { members(first: 100) { edges { node { person { displayName } } } } } } } }",
            json!({}),
        );
        assert!(fan_out > 4_000, "{fan_out}");
    }

    #[test]
    fn pages_are_priced_by_rows_asked_from_literals_variables_or_the_default() {
        let page = |first: &str| {
            cost(
                &format!("query($n: Int) {{ groups{first} {{ edges {{ node {{ id }} }} }} }}"),
                json!({ "n": 80 }),
            )
        };
        // 20 rows by default; 80 from a variable; a value out of range is the resolver's.
        assert!(page("") < page("(first: 50)"));
        assert_eq!(page("(first: $n)"), page("(first: 80)"));
        assert_eq!(page("(first: 5000)"), page("(first: 100)"));
        assert_eq!(
            cost(
                "query($n: Int = 80) { groups(first: $n) { edges { node { id } } } }",
                json!({})
            ),
            page("(first: 80)")
        );
        // What a page shows: its total is one more statement, its cursors only fields.
        let plain = nanos("{ groups(first: 10) { edges { node { id } } } }");
        let counted = nanos("{ groups(first: 10) { totalCount edges { node { id } } } }");
        let cursors = nanos("{ groups(first: 10) { edges { cursor node { id } } } }");
        assert_eq!(counted - plain, STATEMENT_NS + FIELD_NS);
        assert_eq!(cursors - plain, 10 * FIELD_NS);
    }

    #[test]
    fn long_lists_are_priced_at_the_most_their_rules_allow() {
        let per_group = |list: &str| {
            nanos(&format!(
                "{{ groups(first: 20) {{ edges {{ node {{ {list} }} }} }} }}"
            ))
        };
        let short = per_group("facilitators { id }");
        let series = per_group("wellbeing(from: \"2026-01-05\", to: \"2026-12-28\") { start }");
        // 20 groups × (106 − 10) more rows, and as many more fields.
        assert_eq!(series - short, 20 * 96 * (ROW_NS + FIELD_NS));
    }

    #[test]
    fn fragments_and_lists_of_ids_are_priced_like_the_fields_they_stand_for() {
        let inline = cost(DASHBOARD, json!({ "id": "x" }));
        let spread = cost(
            "query($id: ID!) { node(id: $id) { ...Org } } fragment Org on Organisation { clusters(first: 50) { edges { node { id name groups(first: 5) { edges { node { id name meetings(last: 3, filter: {status: [HELD]}) { edges { node { id startsAt attendanceSummary { present } } } } } } } } } } }",
            json!({ "id": "x" }),
        );
        assert_eq!(inline, spread);
        let nodes = |n: usize| {
            cost(
                "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Group { members(first: 100) { edges { node { id } } } } } }",
                json!({ "ids": vec!["x"; n] }),
            )
        };
        assert!(nodes(100) > 8 * nodes(10), "{} {}", nodes(100), nodes(10));
        // A cycle, a chain past the nesting limit or spreads that fan out are priced out of
        // reach (never as free), quickly.
        let cyclic = cost(
            "{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }",
            json!({}),
        );
        assert_eq!(cyclic, u64::MAX.div_ceil(UNIT_NS));
        let chain: String = (0..40)
            .map(|i| format!(" fragment F{i} on Query {{ ...F{} }}", i + 1))
            .collect();
        let long = format!(
            "{{ ...F0 }}{chain} fragment F40 on Query {{ groups(first: 100) {{ edges {{ node {{ id }} }} }} }}"
        );
        assert_eq!(cost(&long, json!({})), u64::MAX.div_ceil(UNIT_NS));
        let fan: String = (0..30)
            .map(|i| {
                format!(
                    " fragment G{i} on Query {{ ...G{n} a{i}: __typename ...G{n} }}",
                    n = i + 1
                )
            })
            .collect();
        let fanned = format!("{{ ...G0 }}{fan} fragment G30 on Query {{ __typename }}");
        assert_eq!(cost(&fanned, json!({})), u64::MAX.div_ceil(UNIT_NS));
    }
}
