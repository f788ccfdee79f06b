use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

/// Full-text search over resources, kept in step with every content change by the database
/// itself (`domain::resources::search` queries it):
/// - PostgreSQL: a generated `tsvector` (English stemming; title weighted A, summary and tags B,
///   body D) with a GIN index finds matches; a second, small one of the title, summary and
///   tags ranks them (ranking reads it for every match, and the whole document is large).
/// - SQLite: an FTS5 table (Porter stemming) filled by triggers. FTS5 rows are keyed by an
///   integer; `resource_search_keys` gives each resource a stable one (a plain table's rowid
///   may change on VACUUM).
const POSTGRES_UP: [&str; 5] = [
    // Long values (the body, the full document) leave the row early, so that the heap rows a
    // search visits for each match stay narrow.
    "ALTER TABLE resources SET (toast_tuple_target = 256)",
    "ALTER TABLE resources ADD COLUMN search_document tsvector GENERATED ALWAYS AS ( \
       setweight(to_tsvector('english'::regconfig, title), 'A') \
       || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') \
       || setweight(to_tsvector('english'::regconfig, tags), 'B') \
       || setweight(to_tsvector('english'::regconfig, body), 'D') \
     ) STORED",
    // What ranking reads: the title, summary and tags only (small, kept in the row). A match
    // in the body alone ranks below every match in them.
    "ALTER TABLE resources ADD COLUMN search_head tsvector GENERATED ALWAYS AS ( \
       setweight(to_tsvector('english'::regconfig, title), 'A') \
       || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') \
       || setweight(to_tsvector('english'::regconfig, tags), 'B') \
     ) STORED",
    // Inline (compressed if need be), never moved out to TOAST: ranking reads it for every match.
    "ALTER TABLE resources ALTER COLUMN search_head SET STORAGE MAIN",
    "CREATE INDEX idx_resources_search ON resources USING GIN (search_document)",
];

const POSTGRES_DOWN: [&str; 4] = [
    "DROP INDEX IF EXISTS idx_resources_search",
    "ALTER TABLE resources DROP COLUMN IF EXISTS search_head",
    "ALTER TABLE resources DROP COLUMN IF EXISTS search_document",
    "ALTER TABLE resources RESET (toast_tuple_target)",
];

const SQLITE_UP: [&str; 5] = [
    "CREATE TABLE resource_search_keys ( \
       id INTEGER PRIMARY KEY, \
       resource_id NOT NULL UNIQUE \
     )",
    "CREATE VIRTUAL TABLE resource_search USING fts5( \
       title, summary, tags, body, \
       tokenize = 'porter unicode61 remove_diacritics 2' \
     )",
    "CREATE TRIGGER resources_search_insert AFTER INSERT ON resources BEGIN \
       INSERT INTO resource_search_keys (resource_id) VALUES (NEW.id); \
       INSERT INTO resource_search (rowid, title, summary, tags, body) VALUES ( \
         (SELECT id FROM resource_search_keys WHERE resource_id = NEW.id), \
         NEW.title, coalesce(NEW.summary, ''), NEW.tags, NEW.body); \
     END",
    "CREATE TRIGGER resources_search_update AFTER UPDATE OF title, summary, tags, body \
     ON resources BEGIN \
       UPDATE resource_search SET title = NEW.title, summary = coalesce(NEW.summary, ''), \
         tags = NEW.tags, body = NEW.body \
       WHERE rowid = (SELECT id FROM resource_search_keys WHERE resource_id = NEW.id); \
     END",
    "CREATE TRIGGER resources_search_delete AFTER DELETE ON resources BEGIN \
       DELETE FROM resource_search \
       WHERE rowid = (SELECT id FROM resource_search_keys WHERE resource_id = OLD.id); \
       DELETE FROM resource_search_keys WHERE resource_id = OLD.id; \
     END",
];

const SQLITE_DOWN: [&str; 5] = [
    "DROP TRIGGER IF EXISTS resources_search_delete",
    "DROP TRIGGER IF EXISTS resources_search_update",
    "DROP TRIGGER IF EXISTS resources_search_insert",
    "DROP TABLE IF EXISTS resource_search",
    "DROP TABLE IF EXISTS resource_search_keys",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Postgres => run(manager, &POSTGRES_UP).await,
            _ => run(manager, &SQLITE_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Postgres => run(manager, &POSTGRES_DOWN).await,
            _ => run(manager, &SQLITE_DOWN).await,
        }
    }
}
