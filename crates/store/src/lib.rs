//! One storage layer for SQLite (embedded default) and PostgreSQL (production).
//!
//! Queries are written once, with `$1` placeholders that both engines accept, and run through
//! the [`on_db!`] and [`on_tx!`] macros, which expand the same query text for whichever pool is
//! configured. Every write runs in a [`Tx`]; on SQLite it starts with `BEGIN IMMEDIATE` so that
//! two writers never deadlock on a lock upgrade. The audit row of a change is written in the
//! same transaction as the change (P-4), and chained when the transaction commits
//! ([`audit`]).

pub mod audit;
pub mod bulk;
pub mod calendar;
mod db;
pub mod health;

pub use audit::{AuditEntry, AuditFilter, AuditHead, AuditRecord, ChainBreak, ChainCheck, Who};
pub use db::{Db, Engine, StoreError, Tx};
pub use health::{Integrity, TableCounts};
pub use sqlx;

/// Runs `$body` with `$pool` bound to the concrete pool of `$db`.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the connection of the open transaction `$tx`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(transaction, ..) => {
                let $conn = &mut **transaction;
                $body
            }
            $crate::Tx::Postgres(transaction, ..) => {
                let $conn = &mut **transaction;
                $body
            }
        }
    };
}

/// Like [`on_tx!`] for statements: `$body` is an `execute` future's result; gives the number
/// of rows affected (the result types of the two engines differ).
#[macro_export]
macro_rules! exec_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(transaction, ..) => {
                let $conn = &mut **transaction;
                $body.map(|r| r.rows_affected())
            }
            $crate::Tx::Postgres(transaction, ..) => {
                let $conn = &mut **transaction;
                $body.map(|r| r.rows_affected())
            }
        }
    };
}

/// Like [`on_db!`] for statements outside a transaction; gives the number of rows affected.
#[macro_export]
macro_rules! exec_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body.map(|r| r.rows_affected()),
            $crate::Db::Postgres($pool) => $body.map(|r| r.rows_affected()),
        }
    };
}
