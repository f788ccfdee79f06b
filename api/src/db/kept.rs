//! PostgreSQL connections kept between statements, so a statement is one round trip.
//!
//! sqlx tests every connection handed back to its pool with a round trip of its own (a Sync,
//! then waiting for ReadyForQuery: `PoolConnection::return_to_pool`; no option turns it off).
//! For requests of two or three short statements that was a second round trip per statement,
//! and about a fifth of their throughput (the README's performance section, and
//! docs/data-layer.md, "A statement is one round trip"). A statement outside a transaction therefore takes a connection from a stack kept
//! here and puts it back untested once it has its answer. sqlx drains whatever an earlier
//! statement left unread before it sends the next one, so the test adds nothing for a
//! statement that finished. One that failed, or whose future was dropped half way, gives its
//! connection back to sqlx, which tests it (and closes a broken one) as before.
//!
//! Transactions stay on sea-orm's pool: a transaction's connection waits on nothing from this
//! pool, and a connection here is held only while one statement runs, so neither pool can
//! wait on the other.

use std::{
    sync::{Arc, Mutex, PoisonError, Weak},
    time::{Duration, Instant},
};

use sea_orm::{
    ConnAcquireErr, DbErr, ExecResult, QueryResult, RuntimeErr, Statement,
    sea_query::Values,
    sqlx::{
        self, ConnectOptions as _, Connection as _,
        pool::PoolConnection,
        postgres::{PgConnectOptions, PgPool, PgPoolOptions, Postgres},
    },
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::Pool;

/// Connections idle in the stack, the most recently used on top: they have the statements
/// prepared and their buffers grown.
pub(super) struct Kept {
    /// Opens connections and caps how many there are; gets them back only to test or close.
    pool: PgPool,
    /// One per connection the pool may open: a statement waits here, not in sqlx's queue,
    /// which a connection put back on the stack would never wake.
    turns: Semaphore,
    idle: Mutex<Vec<Idle>>,
    idle_timeout: Duration,
}

struct Idle {
    conn: PoolConnection<Postgres>,
    since: Instant,
    /// When this stack first took it from sqlx (sqlx checks its maximum lifetime only when it
    /// gets a connection back, which a kept one seldom is).
    taken: Instant,
}

impl Kept {
    /// sqlx's own default: a backend's caches grow with the statements it has seen.
    const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

    /// As long as sea-orm's pool waits for a connection.
    const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

    pub(super) async fn connect(url: &str, sizes: Pool) -> Result<Arc<Self>, DbErr> {
        let options = url
            .parse::<PgConnectOptions>()
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(e.into())))?
            .disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(sizes.max_connections)
            .min_connections(0)
            .acquire_timeout(Self::ACQUIRE_TIMEOUT)
            .idle_timeout(sizes.idle_timeout)
            // What sits in sqlx's queue (a connection given back after an error, the first
            // one opened) is tested as sea-orm's pool tests its own: only when idle for long.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= Pool::PING_IF_IDLE_FOR {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(acquire_err)?;
        let kept = Arc::new(Self {
            pool,
            turns: Semaphore::new(sizes.max_connections as usize),
            idle: Mutex::new(Vec::new()),
            idle_timeout: sizes.idle_timeout,
        });
        tokio::spawn(close_idle(Arc::downgrade(&kept)));
        Ok(kept)
    }

    pub(super) async fn execute(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        let mut held = self.take().await?;
        let result = query(statement).execute(held.conn()).await;
        held.settle(result).map(ExecResult::from).map_err(exec_err)
    }

    pub(super) async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut held = self.take().await?;
        let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(held.conn())
            .await;
        held.settle(result).map(ExecResult::from).map_err(exec_err)
    }

    pub(super) async fn query_one(
        &self,
        statement: Statement,
    ) -> Result<Option<QueryResult>, DbErr> {
        let mut held = self.take().await?;
        let result = query(statement).fetch_optional(held.conn()).await;
        held.settle(result)
            .map(|row| row.map(QueryResult::from))
            .map_err(query_err)
    }

    pub(super) async fn query_all(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut held = self.take().await?;
        let result = query(statement).fetch_all(held.conn()).await;
        held.settle(result)
            .map(|rows| rows.into_iter().map(QueryResult::from).collect())
            .map_err(query_err)
    }

    /// A turn, then the connection on top of the stack (tested first if it sat idle long
    /// enough for a server or a proxy to have dropped it), or one from sqlx. No more
    /// connections are out than turns taken, so sqlx has one for a turn as soon as those
    /// being handed back to it (tested, or closed) have arrived.
    async fn take(&self) -> Result<Held<'_>, DbErr> {
        let turn = tokio::time::timeout(Self::ACQUIRE_TIMEOUT, self.turns.acquire())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;
        loop {
            let top = self.lock().pop();
            let Some(mut idle) = top else { break };
            if idle.since.elapsed() < Pool::PING_IF_IDLE_FOR || idle.conn.ping().await.is_ok() {
                return Ok(Held {
                    kept: self,
                    conn: idle.conn,
                    taken: idle.taken,
                    turn,
                });
            }
            idle.conn.close_on_drop();
        }
        let conn = self.pool.acquire().await.map_err(acquire_err)?;
        Ok(Held {
            kept: self,
            conn,
            taken: Instant::now(),
            turn,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        // The stack holds no invariant a panic could break half way.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the connections idle for `idle_timeout`, as sqlx's reaper would have.
    fn close_idle(&self) {
        let closing: Vec<Idle> = {
            let mut idle = self.lock();
            // The stack is in order of `since`, the oldest at the bottom.
            let stale = idle
                .iter()
                .take_while(|i| i.since.elapsed() >= self.idle_timeout)
                .count();
            idle.drain(..stale).collect()
        };
        for mut idle in closing {
            idle.conn.close_on_drop();
        }
    }
}

/// Runs while the stack exists.
async fn close_idle(kept: Weak<Kept>) {
    let period = match kept.upgrade() {
        Some(kept) => kept.idle_timeout / 2,
        None => return,
    };
    loop {
        tokio::time::sleep(period).await;
        match kept.upgrade() {
            Some(kept) => kept.close_idle(),
            None => return,
        }
    }
}

/// A connection lent to one statement. Dropped without `settle` (the statement's future was
/// dropped), it goes back to sqlx to be tested.
struct Held<'k> {
    kept: &'k Kept,
    conn: PoolConnection<Postgres>,
    taken: Instant,
    /// Given back after the connection.
    turn: SemaphorePermit<'k>,
}

impl Held<'_> {
    fn conn(&mut self) -> &mut sqlx::PgConnection {
        &mut self.conn
    }

    /// Back on the stack after an answer; to sqlx (tested, or closed past its lifetime)
    /// after an error.
    fn settle<T>(self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        let Held {
            kept,
            conn,
            taken,
            turn,
        } = self;
        if result.is_ok() && taken.elapsed() < Kept::MAX_LIFETIME {
            kept.lock().push(Idle {
                conn,
                since: Instant::now(),
                taken,
            });
        } else {
            drop(conn);
        }
        drop(turn);
        result
    }
}

fn query(statement: Statement) -> sqlx::query::Query<'static, Postgres, SqlxValues> {
    let values = statement.values.unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(statement.sql), SqlxValues(values))
}

fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e.into()))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e.into()))
}

/// As sea-orm reports a pool that could not lend a connection.
fn acquire_err(e: sqlx::Error) -> DbErr {
    match e {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(e.into())),
    }
}
