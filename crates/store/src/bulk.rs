//! Many rows in few statements: `INSERT … VALUES (…), (…), …` in chunks, for the writes that
//! touch hundreds of rows at once (kept totals, generated data). Values are bound, never
//! spliced into the text.

use crate::{StoreError, Tx, exec_tx};
use chrono::{DateTime, NaiveDate, Utc};

/// One bound value of a row.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    NullInt,
    NullText,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullInt, Value::Int)
    }
}

/// Parameters per statement: small statements, because SQLite looks numbered parameters up one
/// by one (a statement of 25,000 takes seconds to prepare); far under both engines' limits.
const CHUNK_PARAMS: usize = 960;

/// Runs `head VALUES (…), … tail` for all `rows` (each of the same width) in as few
/// statements as the parameter limits allow.
pub async fn insert_rows(
    tx: &mut Tx,
    head: &str,
    tail: &str,
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    let per_statement = (CHUNK_PARAMS / width.max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let sql = statement(head, tail, width, chunk.len());
        exec_tx!(tx, conn => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for value in chunk.iter().flatten() {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.as_str()),
                    Value::Bool(v) => query.bind(*v),
                    Value::Date(v) => query.bind(*v),
                    Value::Time(v) => query.bind(*v),
                    Value::NullInt => query.bind(None::<i64>),
                    Value::NullText => query.bind(None::<String>),
                };
            }
            query.execute(conn).await
        })?;
    }
    Ok(())
}

fn statement(head: &str, tail: &str, width: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * width * 6);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..width {
            n += 1;
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    sql
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(
            super::statement("INSERT INTO t (a, b)", "ON CONFLICT DO NOTHING", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
    }
}
