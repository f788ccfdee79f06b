use sea_orm_migration::prelude::*;

/// Indexes in the order connections page: (parent, sort key, id), so a page per parent is an
/// index range read instead of a sort of every child. Each replaces an index on its leading
/// column(s), which it covers.
const INDEXES: &[Replacement] = &[
    Replacement {
        table: "groups",
        name: "idx_groups_cluster_sort",
        columns: &["cluster_id", "sort_name", "id"],
        replaces: Some(("idx_groups_cluster", &["cluster_id"])),
    },
    Replacement {
        table: "clusters",
        name: "idx_clusters_organisation_sort",
        columns: &["organisation_id", "sort_name", "id"],
        replaces: None,
    },
    Replacement {
        table: "clusters",
        name: "idx_clusters_parent_sort",
        columns: &["parent_id", "sort_name", "id"],
        replaces: Some(("idx_clusters_parent", &["parent_id"])),
    },
    Replacement {
        table: "memberships",
        name: "idx_memberships_group_status_id",
        columns: &["group_id", "status", "id"],
        replaces: Some(("idx_memberships_group_status", &["group_id", "status"])),
    },
    Replacement {
        table: "action_commitments",
        name: "idx_action_commitments_meeting_id",
        columns: &["meeting_id", "id"],
        replaces: Some(("idx_action_commitments_meeting", &["meeting_id"])),
    },
    Replacement {
        table: "role_grants",
        name: "idx_role_grants_organisation_id",
        columns: &["organisation_id", "id"],
        replaces: Some(("idx_role_grants_organisation", &["organisation_id"])),
    },
    Replacement {
        table: "role_grants",
        name: "idx_role_grants_scope_id",
        columns: &["scope_id", "id"],
        replaces: None,
    },
    Replacement {
        table: "polls",
        name: "idx_polls_group_id",
        columns: &["group_id", "id"],
        replaces: Some(("idx_polls_group", &["group_id"])),
    },
    Replacement {
        table: "suggestions",
        name: "idx_suggestions_group_created",
        columns: &["group_id", "created_at", "id"],
        replaces: Some(("idx_suggestions_group", &["group_id"])),
    },
    Replacement {
        table: "membership_applications",
        name: "idx_membership_applications_group_id",
        columns: &["group_id", "id"],
        replaces: None,
    },
    Replacement {
        table: "resource_adoptions",
        name: "idx_resource_adoptions_resource_id",
        columns: &["resource_id", "id"],
        replaces: None,
    },
];

pub(crate) struct Replacement {
    pub(crate) table: &'static str,
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [&'static str],
    /// The index this one makes redundant: its name and columns (to restore it on `down`).
    pub(crate) replaces: Option<(&'static str, &'static [&'static str])>,
}

fn create(table: &str, name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for c in columns {
        index.col(Alias::new(*c));
    }
    index.to_owned()
}

fn drop(table: &str, name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

/// Creates each index and drops the one it replaces (also used by 000071).
pub(crate) async fn add_all(
    manager: &SchemaManager<'_>,
    indexes: &[Replacement],
) -> Result<(), DbErr> {
    for r in indexes {
        manager
            .create_index(create(r.table, r.name, r.columns))
            .await?;
        if let Some((old, _)) = r.replaces {
            manager.drop_index(drop(r.table, old)).await?;
        }
    }
    Ok(())
}

/// The reverse of `add_all`: restores each replaced index, then drops the new one.
pub(crate) async fn remove_all(
    manager: &SchemaManager<'_>,
    indexes: &[Replacement],
) -> Result<(), DbErr> {
    for r in indexes.iter().rev() {
        if let Some((old, columns)) = r.replaces {
            manager.create_index(create(r.table, old, columns)).await?;
        }
        manager.drop_index(drop(r.table, r.name)).await?;
    }
    Ok(())
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_all(manager, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove_all(manager, INDEXES).await
    }
}
