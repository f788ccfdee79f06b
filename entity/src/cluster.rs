use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clusters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    /// `name` lower-cased; the order of lists (byte-wise on both databases).
    pub sort_name: String,
    pub description: Option<String>,
    /// "/<root id>/…/<own id>/": every ancestor's id, root first, then this cluster's.
    pub path: String,
    /// 0 for a top-level cluster.
    pub depth: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// Ancestor ids, root first (excluding this cluster).
    pub fn ancestor_ids(&self) -> Vec<Uuid> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| Uuid::parse_str(s).ok())
            .filter(|id| *id != self.id)
            .collect()
    }

    /// True when `other` is this cluster or lies below it.
    pub fn contains_path(&self, other_path: &str) -> bool {
        other_path.starts_with(&self.path)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
