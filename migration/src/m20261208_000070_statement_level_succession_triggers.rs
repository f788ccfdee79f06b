use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

/// PostgreSQL: the `group_succession` upkeep of migration 000045 fires once per statement over
/// its transition tables instead of once per row, so a bulk load bumps each group once (not
/// once per membership or meeting) and a statement that changes no watched column bumps
/// nothing. What is bumped, and the per-person lock, are unchanged.
///
/// SQLite has no statement-level triggers; there the row-level ones of 000045 stay.
struct Source {
    table: &'static str,
    /// The columns the risk is computed from; an update bumps only when one of them changed.
    columns: &'static [&'static str],
    /// The `group_succession` rows a set of changed rows (`{rows}`) reaches.
    groups: &'static str,
    /// Serialise per person: see 000045 (`Source::person_lock`).
    locks_people: bool,
}

const SOURCES: [Source; 5] = [
    Source {
        table: "groups",
        columns: &[
            "timezone",
            "rotation_period_weeks",
            "rotation_max_consecutive_blocks",
            "status",
            "sort_name",
        ],
        groups: "group_id IN (SELECT r.id FROM {rows} r)",
        locks_people: false,
    },
    Source {
        table: "memberships",
        columns: &["group_id", "person_id", "role", "status"],
        groups: "group_id IN (SELECT r.group_id FROM {rows} r)",
        locks_people: true,
    },
    Source {
        table: "meetings",
        columns: &["group_id", "starts_at", "status", "facilitator_id"],
        groups: "group_id IN (SELECT r.group_id FROM {rows} r)",
        locks_people: false,
    },
    Source {
        table: "facilitator_load_reports",
        columns: &["membership_id", "rating", "created_at"],
        groups: "group_id IN (SELECT m.group_id FROM memberships m \
                 JOIN {rows} r ON m.id = r.membership_id)",
        locks_people: false,
    },
    Source {
        table: "certifications",
        columns: &["person_id", "organisation_id", "valid_until", "revoked_at"],
        groups: "(group_id, organisation_id) IN (SELECT m.group_id, r.organisation_id \
                 FROM {rows} r JOIN memberships m ON m.person_id = r.person_id)",
        locks_people: true,
    },
];

/// The three events, each its own trigger: PostgreSQL allows transition tables only on a
/// trigger for one event and without a column list.
const EVENTS: [(&str, &str); 3] = [
    ("insert", "REFERENCING NEW TABLE AS new_rows"),
    (
        "update",
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    ("delete", "REFERENCING OLD TABLE AS old_rows"),
];

/// The rows of an update whose watched columns changed, as they were (`o`) or are (`n`).
fn changed(source: &Source, side: &str) -> String {
    let tuple = |alias: &str| {
        let cols: Vec<String> = source
            .columns
            .iter()
            .map(|c| format!("{alias}.{c}"))
            .collect();
        format!("({})", cols.join(", "))
    };
    format!(
        "(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id \
         WHERE {} IS DISTINCT FROM {})",
        tuple("o"),
        tuple("n")
    )
}

/// The statements run for one event: lock the people in order, then bump each reached group
/// once.
fn body(source: &Source, rows: &[String]) -> String {
    let lock = if source.locks_people {
        let people: Vec<String> = rows
            .iter()
            .map(|r| format!("SELECT person_id FROM {r} x"))
            .collect();
        format!(
            "PERFORM 1 FROM people WHERE id IN ({}) ORDER BY id FOR NO KEY UPDATE; ",
            people.join(" UNION ")
        )
    } else {
        String::new()
    };
    let reached: Vec<String> = rows
        .iter()
        .map(|r| source.groups.replace("{rows}", r))
        .collect();
    format!(
        "{lock}UPDATE group_succession SET version = version + 1, fresh_until = NULL WHERE {};",
        reached.join(" OR ")
    )
}

fn function(source: &Source) -> String {
    let inserted = body(source, &["new_rows".to_owned()]);
    let updated = body(source, &[changed(source, "o"), changed(source, "n")]);
    let deleted = body(source, &["old_rows".to_owned()]);
    format!(
        "CREATE FUNCTION group_succession_bump_rows_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF TG_OP = 'INSERT' THEN {inserted} \
           ELSIF TG_OP = 'UPDATE' THEN {updated} \
           ELSE {deleted} END IF; \
           RETURN NULL; \
         END $$",
        t = source.table
    )
}

fn create_triggers() -> Vec<String> {
    let mut out = vec![
        "CREATE FUNCTION group_succession_add_rows() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           INSERT INTO group_succession (group_id, organisation_id) \
           SELECT id, organisation_id FROM new_rows; \
           RETURN NULL; \
         END $$"
            .to_owned(),
        // Named to fire before the bumps on `groups` (triggers fire in name order).
        "CREATE TRIGGER group_succession_add AFTER INSERT ON \"groups\" \
         REFERENCING NEW TABLE AS new_rows \
         FOR EACH STATEMENT EXECUTE FUNCTION group_succession_add_rows()"
            .to_owned(),
    ];
    for s in &SOURCES {
        out.push(function(s));
        for (event, referencing) in EVENTS {
            out.push(format!(
                "CREATE TRIGGER group_succession_bump_{event} AFTER {e} ON \"{t}\" {referencing} \
                 FOR EACH STATEMENT EXECUTE FUNCTION group_succession_bump_rows_{t}()",
                e = event.to_uppercase(),
                t = s.table,
            ));
        }
    }
    out
}

fn drop_triggers() -> Vec<String> {
    let mut out = vec![
        "DROP TRIGGER IF EXISTS group_succession_add ON \"groups\"".to_owned(),
        "DROP FUNCTION IF EXISTS group_succession_add_rows()".to_owned(),
    ];
    for s in &SOURCES {
        for (event, _) in EVENTS {
            out.push(format!(
                "DROP TRIGGER IF EXISTS group_succession_bump_{event} ON \"{}\"",
                s.table
            ));
        }
        out.push(format!(
            "DROP FUNCTION IF EXISTS group_succession_bump_rows_{}()",
            s.table
        ));
    }
    out
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        if backend != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        let statements = crate::m20261129_000045_create_group_succession::drop_triggers(backend)
            .into_iter()
            .chain(create_triggers());
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        if backend != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        let statements = drop_triggers()
            .into_iter()
            .chain(crate::m20261129_000045_create_group_succession::create_triggers(backend));
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
