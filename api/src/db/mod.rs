//! Database connections: `Db` for the service (statements on kept connections, transactions
//! on sea-orm's pool), SQLite tuned for a server, a statement counter for tests.

mod kept;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, ExecResult, IsolationLevel, QueryResult, Statement,
    TransactionError, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use kept::Kept;

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
    /// A connection idle this long is closed (down to one for transactions, to none for
    /// statements): a burst's connections would
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

/// The service's database: on PostgreSQL, a statement outside a transaction runs on a
/// connection kept between statements (`kept.rs`: one round trip, not two); transactions,
/// and everything on SQLite, go through sea-orm's pool.
#[derive(Clone)]
pub struct Db {
    pool: DatabaseConnection,
    kept: Option<Arc<Kept>>,
    counter: Option<StatementCounter>,
}

impl Db {
    /// `pool.max_connections` is shared: a quarter for transactions (at least one, and two
    /// where there are three or more, so two writers can meet), the rest (at least one) for
    /// statements.
    pub async fn connect(
        url: &str,
        pool: Pool,
        counter: Option<StatementCounter>,
    ) -> Result<Self, DbErr> {
        if !url.starts_with("postgres") {
            return Ok(Self {
                pool: connect(url, pool, counter.clone()).await?,
                kept: None,
                counter,
            });
        }
        let transactions = pool
            .max_connections
            .div_ceil(4)
            .max(pool.max_connections.saturating_sub(1).min(2))
            .max(1);
        let statements = pool.max_connections.saturating_sub(transactions).max(1);
        let kept = Kept::connect(
            url,
            Pool {
                max_connections: statements,
                ..pool
            },
        )
        .await?;
        let pool = connect(
            url,
            Pool {
                max_connections: transactions,
                ..pool
            },
            counter.clone(),
        )
        .await?;
        Ok(Self {
            pool,
            kept: Some(kept),
            counter,
        })
    }

    /// sea-orm's pool, for what takes a `DatabaseConnection` (migrations).
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    pub async fn ping(&self) -> Result<(), DbErr> {
        match &self.kept {
            Some(_) => self.execute_unprepared("SELECT 1").await.map(|_| ()),
            None => self.pool.ping().await,
        }
    }

    /// Runs a statement on the kept path and counts it after, as sea-orm's callback counts
    /// its own.
    async fn counted<T, F>(
        &self,
        statement: Statement,
        run: impl FnOnce(Statement) -> F,
    ) -> Result<T, DbErr>
    where
        F: Future<Output = Result<T, DbErr>>,
    {
        let seen = self.counter.is_some().then(|| statement.clone());
        let result = run(statement).await;
        if let (Some(counter), Some(statement)) = (&self.counter, seen) {
            counter.record(&statement);
        }
        result
    }
}

/// sea-orm's pool alone (tests of what does not reach the database).
impl From<DatabaseConnection> for Db {
    fn from(pool: DatabaseConnection) -> Self {
        Self {
            pool,
            kept: None,
            counter: None,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.pool.get_database_backend()
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        match &self.kept {
            Some(kept) => self.counted(statement, |s| kept.execute(s)).await,
            None => self.pool.execute_raw(statement).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match &self.kept {
            // Not counted, as sea-orm's own path does not count it: both backends count
            // alike (and nothing a request runs is unprepared).
            Some(kept) => kept.execute_unprepared(sql).await,
            None => self.pool.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.kept {
            Some(kept) => self.counted(statement, |s| kept.query_one(s)).await,
            None => self.pool.query_one_raw(statement).await,
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.kept {
            Some(kept) => self.counted(statement, |s| kept.query_all(s)).await,
            None => self.pool.query_all_raw(statement).await,
        }
    }
}

/// Transactions are sea-orm's, on its pool.
#[async_trait::async_trait]
impl TransactionTrait for Db {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        self.pool.begin().await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.pool
            .begin_with_config(isolation_level, access_mode)
            .await
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        self.pool.begin_with_options(options).await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            )
                -> std::pin::Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.pool.transaction(callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            )
                -> std::pin::Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        self.pool
            .transaction_with_config(callback, isolation_level, access_mode)
            .await
    }
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DatabaseBackend::Postgres
}
