//! Business rules. Plain Rust over sea-orm: no async-graphql types in here.

pub mod access;
pub mod accounts;
pub mod authz;
pub mod care;
pub mod demo;
pub mod grants;
pub mod groups;
pub mod meetings;
pub mod memberships;
pub mod pagination;
pub mod reads;
pub mod resources;
pub mod row_decode;
pub mod throttle;
pub mod training;
pub mod umbrella;
pub mod values;

use sea_orm::ExprTrait as _;
use sea_orm::{ConnectionTrait, DatabaseBackend, sea_query::Expr};
use uuid::Uuid;

/// `expr IN (ids)`, as one array parameter on PostgreSQL so the statement text does not change
/// with the number of ids (prepared statement cache); a plain IN list on SQLite.
pub fn in_ids(backend: DatabaseBackend, expr: Expr, ids: &[Uuid]) -> Expr {
    match backend {
        DatabaseBackend::Postgres => {
            let array = sea_orm::Value::Array(
                sea_orm::sea_query::ArrayType::Uuid,
                Some(Box::new(
                    ids.iter().map(|id| sea_orm::Value::from(*id)).collect(),
                )),
            );
            expr.eq(sea_orm::sea_query::Func::cust("ANY").arg(Expr::val(array)))
        }
        _ => expr.is_in(ids.iter().copied()),
    }
}

pub fn backend(db: &impl ConnectionTrait) -> DatabaseBackend {
    db.get_database_backend()
}

/// Adds `alias.column AS "<prefix>column"` for every column of `E`, so a joined entity can be
/// read from the same rows with `FromQueryResult::from_query_result(row, prefix)`.
pub fn select_prefixed<E: sea_orm::EntityTrait>(
    q: &mut sea_orm::sea_query::SelectStatement,
    alias: &str,
    prefix: &str,
) {
    use sea_orm::{IdenStatic, Iterable, sea_query::Alias};
    for col in E::Column::iter() {
        q.expr_as(
            Expr::col((Alias::new(alias), Alias::new(col.as_str()))),
            Alias::new(format!("{prefix}{}", col.as_str())),
        );
    }
}

/// Escape LIKE wildcards in user text; used with `ESCAPE '\'`.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Begins a write transaction. On SQLite it takes the write lock at once (IMMEDIATE), so two
/// writers queue on the busy timeout instead of failing when a read turns into a write.
pub async fn begin<C: sea_orm::TransactionTrait>(db: &C) -> Result<C::Transaction, sea_orm::DbErr> {
    db.begin_with_options(sea_orm::TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
    })
    .await
}

/// A raw statement written with `?` placeholders, numbered `$1, $2, …` on PostgreSQL. For the
/// few queries (aggregates over joins) that read better as SQL than as builder calls.
pub fn raw_statement(
    backend: DatabaseBackend,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let text = match backend {
        DatabaseBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    sea_orm::Statement::from_sql_and_values(backend, text, values)
}
