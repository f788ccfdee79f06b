//! Response objects in the order their fields were selected, as the GraphQL spec asks
//! ("Serialized Map Ordering").
//!
//! Why this exists: async-graphql resolves a query's sibling fields concurrently and inserts
//! each into the object's (ordered) map when it *completes* — `do_resolve_container` drains a
//! `FuturesUnordered` — so keys come back in the order the database happened to answer:
//! 20 identical requests gave 5 key orders (upstream async-graphql#612). Resolving serially
//! would cost the loaders their batching, so the executed response is put back in selection
//! order here, once per response, walking the document as the spec's CollectFields does
//! (fragments expanded in place, `@skip`/`@include` applied, fragments on other types left out).

use std::collections::{HashMap, HashSet};

use async_graphql::{
    Name, Value, Variables,
    indexmap::IndexMap,
    parser::types::{Directive, ExecutableDocument, OperationType, Selection, SelectionSet},
};
use async_graphql_value::Value as DocValue;

use super::type_index::TypeIndex;

/// Fragments nest at most this deep (validation already refuses cycles).
const MAX_FRAGMENT_DEPTH: usize = 64;

/// Response key → (field name, the selection sets merged under it), in selection order.
type Collected<'a> = IndexMap<&'a str, (&'a str, Vec<&'a SelectionSet>)>;

struct Orderer<'a> {
    doc: &'a ExecutableDocument,
    index: &'static TypeIndex,
    /// Boolean variables (given, or their defaults), for `@skip(if: $x)`.
    flags: HashMap<&'a str, bool>,
}

impl<'a> Orderer<'a> {
    fn skipped(&self, directives: &[async_graphql::Positioned<Directive>]) -> bool {
        directives.iter().any(|d| {
            let flag = d.node.get_argument("if").and_then(|v| match &v.node {
                DocValue::Boolean(b) => Some(*b),
                DocValue::Variable(name) => self.flags.get(name.as_str()).copied(),
                _ => None,
            });
            matches!(
                (d.node.name.node.as_str(), flag),
                ("skip", Some(true)) | ("include", Some(false))
            )
        })
    }

    fn applies(&self, condition: &str, object: Option<&str>) -> bool {
        object.is_none_or(|object| self.index.applies(condition, object))
    }

    fn collect(
        &self,
        sets: &[&'a SelectionSet],
        object: Option<&str>,
        out: &mut Collected<'a>,
        depth: usize,
    ) {
        if depth > MAX_FRAGMENT_DEPTH {
            return;
        }
        for set in sets {
            for item in &set.items {
                match &item.node {
                    Selection::Field(field) => {
                        let field = &field.node;
                        if self.skipped(&field.directives) {
                            continue;
                        }
                        out.entry(field.response_key().node.as_str())
                            .or_insert((field.name.node.as_str(), Vec::new()))
                            .1
                            .push(&field.selection_set.node);
                    }
                    Selection::FragmentSpread(spread) => {
                        if self.skipped(&spread.node.directives) {
                            continue;
                        }
                        let Some(fragment) =
                            self.doc.fragments.get(&spread.node.fragment_name.node)
                        else {
                            continue;
                        };
                        let fragment = &fragment.node;
                        if self.applies(&fragment.type_condition.node.on.node, object) {
                            self.collect(&[&fragment.selection_set.node], object, out, depth + 1);
                        }
                    }
                    Selection::InlineFragment(inline) => {
                        let inline = &inline.node;
                        let applies = inline
                            .type_condition
                            .as_ref()
                            .is_none_or(|c| self.applies(&c.node.on.node, object));
                        if applies && !self.skipped(&inline.directives) {
                            self.collect(&[&inline.selection_set.node], object, out, depth + 1);
                        }
                    }
                }
            }
        }
    }

    /// The object type of a value declared as `declared`: for an interface or union, the one
    /// possible type whose selected fields are exactly the keys the value has.
    fn object_type(
        &self,
        declared: Option<&'static str>,
        sets: &[&'a SelectionSet],
        keys: &IndexMap<Name, Value>,
    ) -> Option<&'static str> {
        let declared = declared?;
        // Most values are of an object type: no candidates to list.
        if !self.index.is_abstract(declared) {
            return Some(declared);
        }
        let candidates = self.index.possible_types(declared);
        if let [only] = candidates.as_slice() {
            return Some(only);
        }
        let present: HashSet<&str> = keys.keys().map(Name::as_str).collect();
        candidates.into_iter().find(|candidate| {
            let mut collected = Collected::new();
            self.collect(sets, Some(candidate), &mut collected, 0);
            collected.len() == present.len() && collected.keys().all(|k| present.contains(k))
        })
    }

    fn reorder(
        &self,
        value: &mut Value,
        declared: Option<&'static str>,
        sets: &[&'a SelectionSet],
    ) {
        // The items of a list share their selection: each object type's fields are collected
        // once for the whole list, not once per item.
        let mut known = Vec::new();
        match value {
            Value::List(items) => {
                for item in items {
                    self.reorder_one(item, declared, sets, &mut known);
                }
            }
            _ => self.reorder_one(value, declared, sets, &mut known),
        }
    }

    fn reorder_one(
        &self,
        value: &mut Value,
        declared: Option<&'static str>,
        sets: &[&'a SelectionSet],
        known: &mut Vec<(Option<&'static str>, Collected<'a>)>,
    ) {
        let map = match value {
            Value::List(_) => return self.reorder(value, declared, sets),
            Value::Object(map) => map,
            _ => return,
        };
        let object = self.object_type(declared, sets, map);
        let at = match known.iter().position(|(o, _)| *o == object) {
            Some(at) => at,
            None => {
                let mut collected = Collected::new();
                self.collect(sets, object, &mut collected, 0);
                known.push((object, collected));
                known.len() - 1
            }
        };
        let collected = &known[at].1;
        let child_type = |field: &str| {
            object
                .and_then(|o| self.index.field(o, field))
                .map(|d| d.output.as_str())
        };
        let in_order = map.len() == collected.len()
            && map
                .keys()
                .zip(collected.keys())
                .all(|(a, b)| a.as_str() == *b);
        if in_order {
            for (child, (field, child_sets)) in map.values_mut().zip(collected.values()) {
                if child_sets.iter().any(|s| !s.items.is_empty()) {
                    self.reorder(child, child_type(field), child_sets);
                }
            }
            return;
        }
        let mut unordered = std::mem::take(map);
        for (key, (field, child_sets)) in collected {
            let Some((name, mut child)) = unordered.shift_remove_entry(*key) else {
                continue;
            };
            if child_sets.iter().any(|s| !s.items.is_empty()) {
                self.reorder(&mut child, child_type(field), child_sets);
            }
            map.insert(name, child);
        }
        // Nothing should be left; if anything is, it is kept rather than lost.
        map.extend(unordered);
    }
}

/// Puts the executed `data` of `doc`'s operation (`operation_name`) in selection order.
pub fn reorder(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    data: &mut Value,
) {
    let operation = match operation_name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
        None => doc.operations.iter().next(),
    };
    let Some((_, operation)) = operation else {
        return;
    };
    let operation = &operation.node;
    let index = TypeIndex::get();
    let root = match operation.ty {
        OperationType::Query => Some(index.query.as_str()),
        OperationType::Mutation => index.mutation.as_deref(),
        OperationType::Subscription => None,
    };
    let mut flags = HashMap::new();
    for definition in &operation.variable_definitions {
        let name = definition.node.name.node.as_str();
        let given = variables.get(&definition.node.name.node);
        let default = definition.node.default_value.as_ref().map(|d| &d.node);
        if let Some(Value::Boolean(b)) = given.or(default) {
            flags.insert(name, *b);
        }
    }
    let orderer = Orderer { doc, index, flags };
    orderer.reorder(data, root, &[&operation.selection_set.node]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered(query: &str, data: serde_json::Value) -> String {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        let mut data = Value::from_json(data).expect("json");
        reorder(&doc, None, &Variables::default(), &mut data);
        // Serialised straight from the response value, as the handler does.
        serde_json::to_string(&data).expect("serialises")
    }

    #[test]
    fn objects_follow_the_selection_at_every_depth() {
        // serde_json's map (without preserve_order) sorts keys: the input is alphabetical.
        let data = serde_json::json!({
            "a": { "name": "x", "id": "1" },
            "viewer": { "person": null, "roles": [] },
        });
        assert_eq!(
            ordered(
                "{ viewer { roles { role } person { id } } a: group(slug: \"s\") { name id } }",
                data
            ),
            r#"{"viewer":{"roles":[],"person":null},"a":{"name":"x","id":"1"}}"#
        );
    }

    #[test]
    fn fragments_are_expanded_in_place_and_only_for_their_type() {
        let data = serde_json::json!({
            "node": { "id": "1", "name": "n", "slug": "s" },
            "nodes": [{ "id": "2", "startsAt": "t", "topic": "x" }],
        });
        let q = "query { \
            node(id: \"1\") { ...M ... on Group { slug name } id } \
            nodes(ids: [\"2\"]) { ...M ... on Group { slug name } id } } \
            fragment M on Meeting { topic startsAt }";
        assert_eq!(
            ordered(q, data),
            r#"{"node":{"slug":"s","name":"n","id":"1"},"nodes":[{"topic":"x","startsAt":"t","id":"2"}]}"#
        );
    }

    #[test]
    fn items_of_one_list_are_ordered_each_by_its_own_type() {
        // A list of mixed types: the fields collected for the first item's type must not be
        // reused for an item of another type; an item already in order stays as it is.
        let data = serde_json::json!({
            "nodes": [
                { "id": "1", "name": "n", "slug": "s" },
                { "id": "2", "startsAt": "t", "topic": "x" },
                { "slug": "s2", "name": "n2", "id": "3" },
            ],
        });
        let q = "query { nodes(ids: [\"1\", \"2\", \"3\"]) { ...M ... on Group { slug name } id } } \
            fragment M on Meeting { topic startsAt }";
        assert_eq!(
            ordered(q, data),
            r#"{"nodes":[{"slug":"s","name":"n","id":"1"},{"topic":"x","startsAt":"t","id":"2"},{"slug":"s2","name":"n2","id":"3"}]}"#
        );
    }

    #[test]
    fn skipped_fields_take_no_place() {
        let data = serde_json::json!({ "b": "Query", "a": "Query" });
        assert_eq!(
            ordered(
                "{ c: __typename @skip(if: true) b: __typename a: __typename @include(if: true) }",
                data
            ),
            r#"{"b":"Query","a":"Query"}"#
        );
    }
}
