//! What the HTTP layer needs to know about the schema's types, read once from the SDL: the
//! type of every argument and input field (for `input_guard`) and the output type and possible
//! types behind every field (for `selection_order`). async-graphql keeps its registry private,
//! so the SDL it exports — the same text as the committed `api/schema.graphql` — is the source.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

/// A field of an object or interface type.
#[derive(Debug, Default)]
pub struct FieldDef {
    pub args: HashMap<String, Type>,
    /// The named type the field returns, lists and non-null unwrapped.
    pub output: String,
}

#[derive(Debug, Default)]
pub struct TypeIndex {
    pub query: String,
    pub mutation: Option<String>,
    /// Object or interface type → field → its definition (nested, so a lookup by `&str`
    /// allocates nothing: the response of a large query asks once per object).
    fields: HashMap<String, HashMap<String, FieldDef>>,
    /// Input object → field → type.
    inputs: HashMap<String, HashMap<String, Type>>,
    enums: HashSet<String>,
    /// Interface or union → the object types that may stand in for it.
    possible: HashMap<String, Vec<String>>,
}

/// `[Foo!]!` → `Foo`.
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

impl TypeIndex {
    /// The index of the built schema (its SDL does not depend on configuration).
    pub fn get() -> &'static Self {
        static INDEX: LazyLock<TypeIndex> = LazyLock::new(|| TypeIndex::from_sdl(&super::sdl()));
        &INDEX
    }

    pub fn from_sdl(sdl: &str) -> Self {
        let mut index = Self {
            query: "Query".to_owned(),
            ..Self::default()
        };
        let doc = match async_graphql::parser::parse_schema(sdl) {
            Ok(doc) => doc,
            Err(e) => {
                // Cannot happen for an SDL async-graphql wrote; the guard then falls back to
                // the rules that hold for every string.
                tracing::error!(error = %e, "the schema's SDL does not parse");
                return index;
            }
        };
        for definition in doc.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                if let TypeSystemDefinition::Schema(schema) = definition {
                    if let Some(q) = &schema.node.query {
                        index.query = q.node.to_string();
                    }
                    index.mutation = schema.node.mutation.as_ref().map(|m| m.node.to_string());
                }
                continue;
            };
            let name = ty.node.name.node.to_string();
            match ty.node.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        index
                            .possible
                            .entry(interface.node.to_string())
                            .or_default()
                            .push(name.clone());
                    }
                    index.add_fields(&name, object.fields);
                }
                TypeKind::Interface(interface) => index.add_fields(&name, interface.fields),
                TypeKind::Union(union) => {
                    index.possible.insert(
                        name,
                        union.members.iter().map(|m| m.node.to_string()).collect(),
                    );
                }
                TypeKind::Enum(_) => {
                    index.enums.insert(name);
                }
                TypeKind::InputObject(input) => {
                    let fields = input
                        .fields
                        .into_iter()
                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                        .collect();
                    index.inputs.insert(name, fields);
                }
                TypeKind::Scalar => {}
            }
        }
        if index.mutation.is_none() && index.fields.contains_key("Mutation") {
            index.mutation = Some("Mutation".to_owned());
        }
        index
    }

    fn add_fields(
        &mut self,
        type_name: &str,
        fields: Vec<async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>>,
    ) {
        for field in fields {
            let field = field.node;
            let def = FieldDef {
                args: field
                    .arguments
                    .into_iter()
                    .map(|a| (a.node.name.node.to_string(), a.node.ty.node))
                    .collect(),
                output: named(&field.ty.node).to_owned(),
            };
            self.fields
                .entry(type_name.to_owned())
                .or_default()
                .insert(field.name.node.to_string(), def);
        }
    }

    pub fn field(&self, type_name: &str, field: &str) -> Option<&FieldDef> {
        self.fields.get(type_name)?.get(field)
    }

    pub fn input_field(&self, input: &str, field: &str) -> Option<&Type> {
        self.inputs.get(input)?.get(field)
    }

    pub fn is_enum(&self, name: &str) -> bool {
        self.enums.contains(name)
    }

    /// The object types a value of `name` may be: itself for an object type, the
    /// implementers or members of an interface or union.
    pub fn possible_types<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        match self.possible.get(name) {
            Some(types) => types.iter().map(String::as_str).collect(),
            None => vec![name],
        }
    }

    /// Whether `name` is an interface or a union (a value of it may be one of several object
    /// types); false for an object type.
    pub fn is_abstract(&self, name: &str) -> bool {
        self.possible.contains_key(name)
    }

    /// Whether a fragment on `condition` applies to an object of type `object`.
    pub fn applies(&self, condition: &str, object: &str) -> bool {
        condition == object
            || self
                .possible
                .get(condition)
                .is_some_and(|types| types.iter().any(|t| t == object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_indexed() {
        let index = TypeIndex::get();
        assert_eq!(index.query, "Query");
        assert_eq!(index.mutation.as_deref(), Some("Mutation"));
        let group = index.field("Query", "group").expect("Query.group");
        assert_eq!(group.output, "Group");
        assert_eq!(named(&group.args["slug"]), "String");
        let text = index
            .input_field("GroupFilter", "text")
            .expect("filter text");
        assert_eq!(named(text), "String");
        assert!(index.possible_types("Node").contains(&"Group"));
        assert!(index.is_abstract("Node"));
        assert!(!index.is_abstract("Group"));
        assert!(index.applies("Node", "Group") && !index.applies("Group", "Meeting"));
        assert!(index.is_enum("GroupFormat"));
    }
}
