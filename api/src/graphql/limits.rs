//! Limits async-graphql does not enforce on its own: aliases (it only prices them as
//! complexity), directives per document, and field selections per document. Checked on the
//! parsed document before anything runs. Also the one validation rule its validator skips
//! (`typename_fields`).

use async_graphql::{
    Positioned,
    parser::types::{Directive, ExecutableDocument, OperationType, Selection, SelectionSet},
};
use async_graphql_value::Value as DocValue;

#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    pub max_aliases: usize,
    pub max_directives: usize,
    pub max_fields: usize,
}

#[derive(Default)]
struct Tally {
    aliases: usize,
    directives: usize,
    fields: usize,
}

fn walk(set: &SelectionSet, tally: &mut Tally) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                tally.fields += 1;
                tally.aliases += usize::from(field.node.alias.is_some());
                tally.directives += field.node.directives.len();
                walk(&field.node.selection_set.node, tally);
            }
            Selection::FragmentSpread(spread) => tally.directives += spread.node.directives.len(),
            Selection::InlineFragment(inline) => {
                tally.directives += inline.node.directives.len();
                walk(&inline.node.selection_set.node, tally);
            }
        }
    }
}

/// The message for the first limit the document exceeds.
pub fn check(doc: &ExecutableDocument, limits: DocumentLimits) -> Result<(), String> {
    let mut tally = Tally::default();
    for (_, op) in doc.operations.iter() {
        tally.directives += op.node.directives.len();
        walk(&op.node.selection_set.node, &mut tally);
    }
    for fragment in doc.fragments.values() {
        tally.directives += fragment.node.directives.len();
        walk(&fragment.node.selection_set.node, &mut tally);
    }
    if tally.aliases > limits.max_aliases {
        return Err(format!(
            "the document uses {} aliases; at most {} are allowed",
            tally.aliases, limits.max_aliases
        ));
    }
    if tally.directives > limits.max_directives {
        return Err(format!(
            "the document uses {} directives; at most {} are allowed",
            tally.directives, limits.max_directives
        ));
    }
    if tally.fields > limits.max_fields {
        return Err(format!(
            "the document selects {} fields; at most {} are allowed",
            tally.fields, limits.max_fields
        ));
    }
    Ok(())
}

/// The type of the operation that would run (None when the name matches nothing).
pub fn operation_type(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
        None => doc.operations.iter().next(),
    }
    .map(|(_, op)| op.node.ty)
}

/// async-graphql's validator never visits a `__typename` selection, so its arguments and
/// directives go unchecked: `{ __typename @skip(if: true, bogus: 1) }` ran and answered
/// `{"data": null}`. This applies the rules it misses — `__typename` takes no argument, and its
/// directives are `@skip`/`@include` with exactly their one `if: Boolean!` — with the
/// validator's wording.
pub fn check_typename_fields(doc: &ExecutableDocument) -> Result<(), String> {
    fn directive(d: &Positioned<Directive>) -> Result<(), String> {
        let name = d.node.name.node.as_str();
        if !matches!(name, "skip" | "include") {
            return Err(format!("Unknown directive \"@{name}\"."));
        }
        for (arg, value) in &d.node.arguments {
            if arg.node != "if" {
                return Err(format!(
                    "Unknown argument \"{}\" on directive \"{name}\".",
                    arg.node
                ));
            }
            if !matches!(value.node, DocValue::Boolean(_) | DocValue::Variable(_)) {
                return Err(format!(
                    "Invalid value for argument \"if\" of directive \"{name}\", expected type \"Boolean!\""
                ));
            }
        }
        if d.node.get_argument("if").is_none() {
            return Err(format!(
                "Directive \"@{name}\" argument \"if\" of type \"Boolean!\" is required but not provided"
            ));
        }
        Ok(())
    }
    fn walk(set: &SelectionSet) -> Result<(), String> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.name.node == "__typename" {
                        if let Some((arg, _)) = field.arguments.first() {
                            return Err(format!(
                                "Unknown argument \"{}\" on field \"__typename\".",
                                arg.node
                            ));
                        }
                        field.directives.iter().try_for_each(directive)?;
                    }
                    walk(&field.selection_set.node)?;
                }
                Selection::FragmentSpread(_) => {}
                Selection::InlineFragment(inline) => walk(&inline.node.selection_set.node)?,
            }
        }
        Ok(())
    }
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set.node)?;
    }
    doc.fragments
        .values()
        .try_for_each(|f| walk(&f.node.selection_set.node))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typename(query: &str) -> Result<(), String> {
        check_typename_fields(&async_graphql::parser::parse_query(query).expect("parses"))
    }

    #[test]
    fn typename_selections_are_validated_too() {
        assert!(typename("{ __typename @skip(if: true) a: __typename @include(if: $x) }").is_ok());
        for bad in [
            "{ __typename @skip(if: true, bogus: 1) }",
            "{ __typename @skip }",
            "{ __typename @skip(if: \"yes\") }",
            "{ __typename @bogus }",
            "{ __typename(x: 1) }",
            "{ viewer { ... on Viewer { __typename @include(if: false, also: 2) } } }",
            "query { ...F } fragment F on Query { __typename @skip(if: true, bogus: 1) }",
        ] {
            assert!(typename(bad).is_err(), "{bad}");
        }
    }
}
