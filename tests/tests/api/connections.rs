//! The service's connections on PostgreSQL (`db/kept.rs`): a statement's connection is kept
//! for the next one, a statement dropped half way leaves nothing behind for the next, a
//! transaction never waits for a statement's connection, and idle ones are closed.
//! On SQLite every statement goes through sea-orm's pool and these have nothing to check.

use std::time::Duration;

use canopy::db::{Db, Pool};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};

use crate::helpers::{DbGuard, fresh_database};

/// A fresh PostgreSQL database and the service's `Db` on it; None on SQLite.
async fn on_postgres(pool: Pool) -> Option<(Db, String, DbGuard)> {
    let (url, guard) = fresh_database().await;
    if !url.starts_with("postgres") {
        return None;
    }
    let db = Db::connect(&url, pool, None).await.expect("connect");
    Some((db, url, guard))
}

async fn one(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(DatabaseBackend::Postgres, sql))
        .await
        .expect("the statement runs")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("an integer")
}

/// Backends connected to the database `url` names, other than the one asking.
async fn backends(url: &str) -> i64 {
    let name = url.rsplit('/').next().expect("a database name");
    let admin = sea_orm::Database::connect(url).await.expect("connect");
    let n = one(
        &admin,
        &format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )
    .await;
    admin.close().await.ok();
    n
}

/// Statements reuse the connection used last (sqlx's own queue would lend them in turn),
/// and a transaction (on its own pool) runs while every statement connection is busy.
#[tokio::test]
async fn statements_share_a_kept_connection_and_transactions_have_their_own() {
    // Four connections: two for statements, two for transactions.
    let Some((db, _url, _guard)) = on_postgres(Pool::of(4)).await else {
        return;
    };
    let pid = "SELECT pg_backend_pid()::bigint FROM pg_sleep(0.1)";
    let (a, b) = tokio::join!(one(&db, pid), one(&db, pid));
    assert_ne!(a, b, "two statements at once, two connections");
    let first = one(&db, "SELECT pg_backend_pid()::bigint").await;
    for _ in 0..4 {
        assert_eq!(one(&db, "SELECT pg_backend_pid()::bigint").await, first);
    }

    let slow = "SELECT pg_sleep(1.5)::text, 1";
    let busy = async {
        tokio::join!(
            db.query_one_raw(Statement::from_string(DatabaseBackend::Postgres, slow)),
            db.query_one_raw(Statement::from_string(DatabaseBackend::Postgres, slow)),
        )
    };
    let transaction = async {
        tokio::time::timeout(Duration::from_millis(700), async {
            let txn = db.begin().await.expect("begin");
            let pid = one(&txn, "SELECT pg_backend_pid()::bigint").await;
            txn.commit().await.expect("commit");
            pid
        })
        .await
        .expect("the transaction waited for the statement's connection")
    };
    let ((one_busy, other_busy), in_transaction) = tokio::join!(busy, transaction);
    one_busy.expect("the slow statement answers");
    other_busy.expect("the slow statement answers");
    assert!(![a, b].contains(&in_transaction));
}

/// More statements at once than connections: each waits its turn and runs. (A statement
/// waiting in sqlx's own queue was never woken by a connection put back on the stack, and
/// failed after the acquire timeout.)
#[tokio::test]
async fn more_statements_at_once_than_connections_wait_their_turn() {
    // One connection for statements.
    let Some((db, _url, _guard)) = on_postgres(Pool::of(2)).await else {
        return;
    };
    let statements = (1..=6).map(|n| {
        let db = &db;
        async move { one(db, &format!("SELECT {n}::bigint FROM pg_sleep(0.05)")).await }
    });
    let answers = tokio::time::timeout(
        Duration::from_secs(3),
        futures_util::future::join_all(statements),
    )
    .await
    .expect("every statement had its turn");
    assert_eq!(answers, vec![1, 2, 3, 4, 5, 6]);
}

/// A statement whose future is dropped before its answer (a client gone, a timeout) must not
/// leave that answer for the next statement on the connection.
#[tokio::test]
async fn a_statement_dropped_half_way_leaves_nothing_for_the_next() {
    let Some((db, _url, _guard)) = on_postgres(Pool::of(2)).await else {
        return;
    };
    let dropped = tokio::time::timeout(
        Duration::from_millis(100),
        one(&db, "SELECT 7::bigint FROM pg_sleep(0.4)"),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the slow statement should have been cut short"
    );
    for n in 1..=3 {
        assert_eq!(one(&db, &format!("SELECT {n}::bigint")).await, n);
    }
}

/// After a burst, the connections kept for statements close once idle for the pool's idle
/// timeout (on the database server too), as sqlx's own reaper closes its idle ones.
#[tokio::test]
async fn kept_connections_close_when_idle() {
    let pool = Pool {
        max_connections: 4,
        idle_timeout: Duration::from_millis(400),
    };
    // Two for statements, two for transactions (sea-orm's pool keeps one open).
    let Some((db, url, _guard)) = on_postgres(pool).await else {
        return;
    };
    let sleep = "SELECT 1::bigint FROM pg_sleep(0.2)";
    tokio::join!(one(&db, sleep), one(&db, sleep));
    let during = backends(&url).await;
    assert!(
        during >= 2,
        "{during} backends after two statements at once"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = backends(&url).await;
    assert!(after <= 1, "{after} backends left after the idle timeout");
    // And the next statement opens what it needs.
    assert_eq!(one(&db, "SELECT 5::bigint").await, 5);
}
