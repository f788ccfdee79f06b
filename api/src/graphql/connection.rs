//! Relay connections. Each node type gets a concrete `<Type>Connection` and `<Type>Edge`;
//! `totalCount` is computed only when asked for.

use async_graphql::{SimpleObject, Value, context::SelectionField};

use crate::domain::pagination::{Page, PageArgs};

/// The page arguments of a connection field read ahead (to prefetch its page from the parent's
/// resolver): `first`, `after`, `last`, `before`, and any other argument `other` accepts. None
/// when an argument is refused, or the field itself would refuse them.
pub fn page_args_ahead(
    field: &SelectionField<'_>,
    mut other: impl FnMut(&str, &Value) -> bool,
) -> Option<PageArgs> {
    let (mut first, mut after, mut last, mut before) = (None, None, None, None);
    for (name, value) in field.arguments().ok()? {
        let number = || match &value {
            Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()),
            _ => None,
        };
        let text = || match &value {
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        match name.as_str() {
            "first" => first = number(),
            "after" => after = text(),
            "last" => last = number(),
            "before" => before = text(),
            name if other(name, &value) => {}
            _ => return None,
        }
    }
    PageArgs::new(first, after, last, before).ok()
}

#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<M>(page: &Page<M>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(c, _)| c.encode()),
            end_cursor: page.items.last().map(|(c, _)| c.encode()),
        }
    }
}

/// Declares `$conn` and `$edge` for node type `$node`. `$total` is the type that knows how
/// to count the whole list (it implements `TotalCount`).
#[macro_export]
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $doc:literal) => {
        #[doc = $doc]
        pub struct $conn {
            pub page: $crate::domain::pagination::Page<$node>,
            pub total: $crate::graphql::connection::Total,
        }

        /// An edge borrows its row of the page: nothing is copied, and the cursor is
        /// encoded only when it is asked for.
        pub struct $edge<'a> {
            cursor: &'a $crate::domain::pagination::Cursor,
            node: &'a $node,
        }

        #[async_graphql::Object]
        impl<'a> $edge<'a> {
            async fn cursor(&self) -> String {
                self.cursor.encode()
            }

            async fn node(&self) -> &$node {
                self.node
            }
        }

        #[async_graphql::Object]
        impl $conn {
            async fn edges(&self) -> Vec<$edge<'_>> {
                self.page
                    .items
                    .iter()
                    .map(|(cursor, node)| $edge { cursor, node })
                    .collect()
            }

            async fn page_info(&self) -> $crate::graphql::connection::PageInfo {
                $crate::graphql::connection::PageInfo::of(&self.page)
            }

            /// How many items the whole list holds (all pages).
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i64> {
                Ok(self.total.count(ctx).await?)
            }
        }

        impl $conn {
            pub fn new(
                page: $crate::domain::pagination::Page<$node>,
                total: $crate::graphql::connection::Total,
            ) -> Self {
                Self { page, total }
            }
        }
    };
}

/// How a connection's `totalCount` is obtained.
pub enum Total {
    Known(u64),
    /// Batched through the per-request count loader.
    Batched(super::loaders::CountKey),
    /// The directory with a filter (one statement, only when asked).
    Directory(crate::domain::groups::GroupFilter),
    /// A list under a resource or group, batched through the resource loader.
    Resources(super::loaders::resources::ResourceCountKey),
    /// A resource search (one statement, only when asked).
    ResourceSearch(Box<crate::domain::resources::search::Search>),
}

impl Total {
    pub async fn count(&self, ctx: &async_graphql::Context<'_>) -> crate::error::AppResult<i64> {
        use super::context::ContextExt;
        let n = match self {
            Self::Known(n) => *n,
            Self::Batched(key) => ctx
                .loaders()?
                .counts
                .load_one(key.clone())
                .await?
                .unwrap_or(0),
            Self::Directory(filter) => {
                let access = super::context::access(ctx).await?;
                crate::domain::groups::directory_count(ctx.db()?, &access, filter).await?
            }
            Self::Resources(key) => ctx.loaders()?.resources.load_one(*key).await?.unwrap_or(0),
            Self::ResourceSearch(search) => {
                let access = super::context::access(ctx).await?;
                crate::domain::resources::search::count(ctx.db()?, &access, search).await?
            }
        };
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
