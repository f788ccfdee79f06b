//! The committed SDL matches the built schema; migrations go up, down and up again.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::fresh_database;

#[test]
fn the_committed_sdl_matches_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let built = canopy::graphql::sdl();
    assert!(
        committed == built,
        "api/schema.graphql is out of date: run `cargo run --bin canopy -- schema > api/schema.graphql`"
    );
}

async fn table_count(db: &sea_orm::DatabaseConnection) -> i64 {
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let (url, cleanup) = fresh_database().await;
    let db = canopy::db::connect(&url, canopy::db::Pool::of(1), None)
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let tables = table_count(&db).await;
    assert!(tables >= 8, "the foundation's tables exist: {tables}");
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(table_count(&db).await, 0);
    assert_eq!(
        Migrator::get_pending_migrations(&db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(table_count(&db).await, tables);
    db.close().await.ok();
    drop(cleanup);
}
