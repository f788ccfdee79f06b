use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::{Groups, Organisations, bytewise, fk};

/// Each group's succession risk as last computed, so that `groupsAtRisk` reads a list instead of
/// evaluating every group of an organisation per request (`domain::training::risk_summary`).
/// Triggers bump `version` and clear `fresh_until` whenever something the risk is computed
/// from changes; a row is fresh while `fresh_until` (when time alone would change the risk; far
/// ahead when only a write can: `risk_summary::NEVER_BY_TIME`) lies ahead.
#[derive(DeriveIden)]
enum GroupSuccession {
    Table,
    GroupId,
    OrganisationId,
    Version,
    Risk,
    /// The list position among groups at risk (rank and sort name); NULL when not listed.
    ListKey,
    FreshUntil,
}

/// What a trigger bumps: the groups a changed row of `table` belongs to (`{row}` is NEW or
/// OLD), when one of `columns` changes (or the row comes or goes).
struct Source {
    table: &'static str,
    columns: &'static str,
    groups: &'static str,
    /// PostgreSQL: serialise per person (a row lock on the person, which unlike an advisory
    /// lock costs no shared memory in a bulk import), so that a certification trigger sees a
    /// membership committed concurrently (and the other way round) instead of missing its group.
    person_lock: Option<&'static str>,
}

/// Everything `domain::training::succession::assess` and `domain::meetings::load::compute`
/// read: the group's rotation policy and time zone, its facilitators, their meetings and load
/// reports, and the certifications of its members.
const SOURCES: [Source; 5] = [
    Source {
        table: "groups",
        columns: "timezone, rotation_period_weeks, rotation_max_consecutive_blocks, status, \
                  sort_name",
        groups: "group_id = {row}.id",
        person_lock: None,
    },
    Source {
        table: "memberships",
        columns: "group_id, person_id, role, status",
        groups: "group_id = {row}.group_id",
        person_lock: Some("{row}.person_id"),
    },
    Source {
        table: "meetings",
        columns: "group_id, starts_at, status, facilitator_id",
        groups: "group_id = {row}.group_id",
        person_lock: None,
    },
    Source {
        table: "facilitator_load_reports",
        columns: "membership_id, rating, created_at",
        groups: "group_id IN (SELECT m.group_id FROM memberships m WHERE m.id = {row}.membership_id)",
        person_lock: None,
    },
    Source {
        table: "certifications",
        columns: "person_id, organisation_id, valid_until, revoked_at",
        groups: "organisation_id = {row}.organisation_id AND group_id IN \
                 (SELECT m.group_id FROM memberships m WHERE m.person_id = {row}.person_id)",
        person_lock: Some("{row}.person_id"),
    },
];

fn bump(source: &Source, row: &str) -> String {
    format!(
        "UPDATE group_succession SET version = version + 1, fresh_until = NULL WHERE {};",
        source.groups.replace("{row}", row)
    )
}

/// PostgreSQL: the statements for `row` (NEW or OLD), behind the per-person lock if any.
fn pg_bump(source: &Source, row: &str) -> String {
    let lock = source
        .person_lock
        .map(|p| {
            format!(
                "PERFORM 1 FROM people WHERE id = {} FOR NO KEY UPDATE;",
                p.replace("{row}", row)
            )
        })
        .unwrap_or_default();
    format!("{lock} {}", bump(source, row))
}

const ADD_ROW: &str = "INSERT INTO group_succession (group_id, organisation_id) VALUES (NEW.id, NEW.organisation_id);";

/// The SQL that creates the triggers, one statement per entry (also what 000070 restores on
/// `down`).
pub(crate) fn create_triggers(backend: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    if backend == DbBackend::Postgres {
        out.push(format!(
            "CREATE FUNCTION group_succession_add() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN {ADD_ROW} RETURN NULL; END $$"
        ));
        out.push(
            "CREATE TRIGGER group_succession_add AFTER INSERT ON \"groups\" \
             FOR EACH ROW EXECUTE FUNCTION group_succession_add()"
                .to_owned(),
        );
        for s in &SOURCES {
            out.push(format!(
                "CREATE FUNCTION group_succession_bump_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP <> 'INSERT' THEN {old} END IF; \
                   IF TG_OP <> 'DELETE' THEN {new} END IF; \
                   RETURN NULL; \
                 END $$",
                t = s.table,
                old = pg_bump(s, "OLD"),
                new = pg_bump(s, "NEW"),
            ));
            out.push(format!(
                "CREATE TRIGGER group_succession_bump \
                 AFTER INSERT OR DELETE OR UPDATE OF {c} ON \"{t}\" \
                 FOR EACH ROW EXECUTE FUNCTION group_succession_bump_{t}()",
                t = s.table,
                c = s.columns,
            ));
        }
    } else {
        out.push(format!(
            "CREATE TRIGGER group_succession_add AFTER INSERT ON \"groups\" BEGIN {ADD_ROW} END"
        ));
        for s in &SOURCES {
            let update = format!("UPDATE OF {}", s.columns);
            for (name, event, rows) in [
                ("insert", "INSERT", &["NEW"][..]),
                ("update", update.as_str(), &["OLD", "NEW"][..]),
                ("delete", "DELETE", &["OLD"][..]),
            ] {
                let body: String = rows.iter().map(|r| bump(s, r)).collect();
                out.push(format!(
                    "CREATE TRIGGER group_succession_{t}_{name} AFTER {event} ON \"{t}\" \
                     BEGIN {body} END",
                    t = s.table,
                ));
            }
        }
    }
    out
}

pub(crate) fn drop_triggers(backend: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    if backend == DbBackend::Postgres {
        out.push("DROP TRIGGER IF EXISTS group_succession_add ON \"groups\"".to_owned());
        out.push("DROP FUNCTION IF EXISTS group_succession_add()".to_owned());
        for s in &SOURCES {
            out.push(format!(
                "DROP TRIGGER IF EXISTS group_succession_bump ON \"{}\"",
                s.table
            ));
            out.push(format!(
                "DROP FUNCTION IF EXISTS group_succession_bump_{}()",
                s.table
            ));
        }
    } else {
        out.push("DROP TRIGGER IF EXISTS group_succession_add".to_owned());
        for s in &SOURCES {
            for name in ["insert", "update", "delete"] {
                out.push(format!(
                    "DROP TRIGGER IF EXISTS group_succession_{}_{name}",
                    s.table
                ));
            }
        }
    }
    out
}

/// Compared byte-wise on both databases, like the sort names it holds (`crate::sort_key`).
fn list_key(manager: &SchemaManager) -> ColumnDef {
    let mut column = ColumnDef::new(GroupSuccession::ListKey);
    column.string_len(210).null();
    bytewise(manager, &mut column);
    column
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GroupSuccession::Table)
                    .col(uuid(GroupSuccession::GroupId).primary_key())
                    .col(uuid(GroupSuccession::OrganisationId))
                    .col(big_integer(GroupSuccession::Version).default(0))
                    // CRITICAL, AT_RISK or OK; NULL until first computed.
                    .col(string_len_null(GroupSuccession::Risk, 16))
                    .col(list_key(manager))
                    .col(timestamp_with_time_zone_null(GroupSuccession::FreshUntil))
                    .foreign_key(&mut fk(
                        GroupSuccession::Table,
                        GroupSuccession::GroupId,
                        Groups::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GroupSuccession::Table,
                        GroupSuccession::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // The list, in order; and what is stale.
        for (name, col) in [
            ("idx_group_succession_list", GroupSuccession::ListKey),
            ("idx_group_succession_fresh", GroupSuccession::FreshUntil),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(GroupSuccession::Table)
                        .col(GroupSuccession::OrganisationId)
                        .col(col)
                        .col(GroupSuccession::GroupId)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO group_succession (group_id, organisation_id) \
             SELECT id, organisation_id FROM \"groups\"",
        )
        .await?;
        for sql in create_triggers(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in drop_triggers(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        manager
            .drop_table(Table::drop().table(GroupSuccession::Table).to_owned())
            .await
    }
}
