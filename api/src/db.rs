//! Database connection: one pool, SQLite tuned for a server, a statement counter for tests.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

/// Counts every SQL statement the service sends, so tests can assert what a query costs, and
/// keeps them (text and values) so a failing assertion can say which ones, and a test can
/// ask the database how it would run them.
#[derive(Clone, Default, Debug)]
pub struct StatementCounter(
    Arc<AtomicU64>,
    Arc<std::sync::Mutex<Vec<sea_orm::Statement>>>,
);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.0.store(0, Ordering::SeqCst);
        if let Ok(mut seen) = self.1.lock() {
            seen.clear();
        }
    }

    /// The statements since the last reset, in order.
    pub fn seen(&self) -> Vec<String> {
        self.statements().into_iter().map(|s| s.sql).collect()
    }

    /// The same, with their values.
    pub fn statements(&self) -> Vec<sea_orm::Statement> {
        self.1.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn record(&self, statement: &sea_orm::Statement) {
        self.0.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut seen) = self.1.lock() {
            seen.push(statement.clone());
        }
    }
}

/// How large the pool may grow, and how soon it shrinks back.
#[derive(Clone, Copy, Debug)]
pub struct Pool {
    pub max_connections: u32,
    /// A connection idle this long is closed (down to one): a burst's connections would
    /// otherwise hold their buffers and statement caches here, and their backends on the
    /// database server, until they reach their maximum lifetime.
    pub idle_timeout: Duration,
}

impl Pool {
    /// `CANOPY_DATABASE_IDLE_TIMEOUT`'s default.
    pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);

    /// A pooled connection idle at least this long is pinged before it is handed out.
    pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(5);

    /// A pool of at most `max_connections`, shrinking after the default idle time.
    pub fn of(max_connections: u32) -> Self {
        Self {
            max_connections,
            idle_timeout: Self::IDLE_TIMEOUT,
        }
    }
}

pub async fn connect(
    url: &str,
    pool: Pool,
    counter: Option<StatementCounter>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool.max_connections)
        .min_connections(1)
        .idle_timeout(pool.idle_timeout)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        // A connection in use recently is handed out as is; only one idle long enough to have
        // been dropped by the server or a proxy is pinged first. Pinging on every acquire (the
        // default) is one more round trip per statement: on the bench-peer data, a group's
        // detail sent four round trips for its two statements.
        .test_before_acquire_if_idle_for(Pool::PING_IF_IDLE_FOR)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // sqlx does not turn on WAL; foreign keys must be on for every connection; writers wait
        // for each other instead of failing at once.
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    }
    let mut db = Database::connect(options).await?;
    if let Some(counter) = counter {
        db.set_metric_callback(move |info| counter.record(info.statement));
    }
    Ok(db)
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DatabaseBackend::Postgres
}
