//! Limits async-graphql does not enforce on its own: aliases (it only prices them as
//! complexity), directives per document, and field selections per document. Checked on the
//! parsed document before anything runs.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

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
