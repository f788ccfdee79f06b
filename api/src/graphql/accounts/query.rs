use async_graphql::Object;

use super::types::ViewerInfo;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Whoever is asking; works without signing in.
    async fn viewer(&self) -> ViewerInfo {
        ViewerInfo
    }
}
