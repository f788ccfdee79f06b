use sea_orm_migration::prelude::*;

use crate::m20261208_000069_add_connection_indexes::{Replacement, add_all, remove_all};

/// More indexes in the order connections page, found by asking both databases how they run
/// every connection (`tests/tests/api/explain.rs`): the organisations list, the directory and
/// a subtree's groups (by sort name and id), an organisation's programmes, a programme's
/// workshops, a resource's versions, and the viewer's own check-ins, memberships and
/// applications. Each replaces an index on its leading column(s), which it covers, where there
/// is one.
const INDEXES: &[Replacement] = &[
    Replacement {
        table: "organisations",
        name: "idx_organisations_sort",
        columns: &["sort_name", "id"],
        replaces: None,
    },
    Replacement {
        table: "groups",
        name: "idx_groups_sort_name_id",
        columns: &["sort_name", "id"],
        replaces: Some(("idx_groups_sort_name", &["sort_name"])),
    },
    Replacement {
        table: "training_programs",
        name: "idx_training_programs_organisation_sort",
        columns: &["organisation_id", "sort_name", "id"],
        replaces: Some((
            "idx_training_programs_organisation",
            &["organisation_id", "sort_name"],
        )),
    },
    Replacement {
        table: "workshops",
        name: "idx_workshops_program_starts",
        columns: &["program_id", "starts_at", "id"],
        replaces: Some(("idx_workshops_program", &["program_id", "starts_at"])),
    },
    Replacement {
        table: "resource_versions",
        name: "idx_resource_versions_resource_id",
        columns: &["resource_id", "id"],
        replaces: None,
    },
    Replacement {
        table: "check_ins",
        name: "idx_check_ins_person_id",
        columns: &["person_id", "id"],
        replaces: None,
    },
    Replacement {
        table: "memberships",
        name: "idx_memberships_person_id",
        columns: &["person_id", "id"],
        replaces: None,
    },
    Replacement {
        table: "membership_applications",
        name: "idx_membership_applications_person_id",
        columns: &["person_id", "id"],
        replaces: Some(("idx_membership_applications_person", &["person_id"])),
    },
];

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
