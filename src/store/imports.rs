//! Staged spreadsheet imports: rows are parsed and checked into `import_rows` for the operator's
//! preview; nothing reaches the registry until the batch is committed in one transaction.

use super::on_conn;
use super::{Result, Store, Tx};
pub use crate::domain::records::{Batch, StagedRow};

pub async fn insert_batch(tx: &mut Tx, community_id: i64, user_id: i64, filename: &str, now: i64) -> Result<i64> {
    Ok(on_conn!(tx tx, |c| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO import_batches (community_id, created_by, created_ms, filename, status, total_rows, error_rows) \
             VALUES ($1, $2, $3, $4, 'preview', 0, 0) RETURNING id",
        )
        .bind(community_id)
        .bind((user_id > 0).then_some(user_id))
        .bind(now)
        .bind(filename)
        .fetch_one(c)
        .await?
    }))
}

/// Inserts staged rows in multi-row statements (fast on both engines, bounded bind count).
pub async fn insert_rows(tx: &mut Tx, batch_id: i64, rows: &[(i64, String, String)]) -> Result<()> {
    let per = super::registry::rows_per_insert(tx, 200);
    for chunk in rows.chunks(per) {
        let mut sql = String::from("INSERT INTO import_rows (batch_id, row_no, data_json, errors_json) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 4;
            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        }
        on_conn!(tx tx, |c| {
            let mut q = sqlx::query(&sql);
            for (row_no, data, errors) in chunk {
                q = q.bind(batch_id).bind(*row_no).bind(data).bind(errors);
            }
            q.execute(c).await?;
        });
    }
    Ok(())
}

pub async fn set_counts(tx: &mut Tx, batch_id: i64, total: i64, errors: i64) -> Result<()> {
    on_conn!(tx tx, |c| {
        sqlx::query("UPDATE import_batches SET total_rows = $1, error_rows = $2 WHERE id = $3")
            .bind(total)
            .bind(errors)
            .bind(batch_id)
            .execute(c)
            .await?;
    });
    Ok(())
}

/// Moves a batch out of `preview`; false if it was not in preview (already committed/discarded).
pub async fn finish(tx: &mut Tx, batch_id: i64, status: &str) -> Result<bool> {
    let n = on_conn!(tx tx, |c| {
        sqlx::query("UPDATE import_batches SET status = $1 WHERE id = $2 AND status = 'preview'")
            .bind(status)
            .bind(batch_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if n == 1 {
        // The staged copy has done its job; the registry (and the audit log) now hold the data.
        on_conn!(tx tx, |c| {
            sqlx::query("DELETE FROM import_rows WHERE batch_id = $1").bind(batch_id).execute(c).await?;
        });
    }
    Ok(n == 1)
}

pub async fn batch(store: &Store, id: i64) -> Result<Option<Batch>> {
    Ok(on_conn!(pool store, |c| {
        sqlx::query_as::<_, Batch>(
            "SELECT id, community_id, created_by, created_ms, filename, status, total_rows, error_rows \
             FROM import_batches WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

#[derive(sqlx::FromRow)]
struct StagedRecord {
    row_no: i64,
    data_json: String,
    errors_json: String,
}

impl StagedRecord {
    /// A staged row that does not read is an error naming its batch and row, never an empty row.
    fn parse(self, batch_id: i64) -> Result<StagedRow> {
        let what = |col: &str| format!("row {} {col}", self.row_no);
        Ok(StagedRow {
            data: super::parse_json("import_rows", batch_id, &what("data_json"), &self.data_json)?,
            errors: super::parse_json("import_rows", batch_id, &what("errors_json"), &self.errors_json)?,
            row_no: self.row_no,
            data_json: self.data_json,
        })
    }
}

pub async fn rows(store: &Store, batch_id: i64, only_errors: bool, limit: i64, offset: i64) -> Result<Vec<StagedRow>> {
    let sql = if only_errors {
        "SELECT row_no, data_json, errors_json FROM import_rows WHERE batch_id = $1 AND errors_json <> '[]' \
         ORDER BY row_no LIMIT $2 OFFSET $3"
    } else {
        "SELECT row_no, data_json, errors_json FROM import_rows WHERE batch_id = $1 ORDER BY row_no LIMIT $2 OFFSET $3"
    };
    let rows = on_conn!(pool store, |c| {
        sqlx::query_as::<_, StagedRecord>(sql).bind(batch_id).bind(limit).bind(offset).fetch_all(c).await?
    });
    rows.into_iter().map(|r| r.parse(batch_id)).collect()
}

/// All staged rows of a batch, streamed in pages inside the commit transaction.
pub async fn rows_in_tx(tx: &mut Tx, batch_id: i64, after_row: i64, limit: i64) -> Result<Vec<StagedRow>> {
    let rows = on_conn!(tx tx, |c| {
        sqlx::query_as::<_, StagedRecord>(
            "SELECT row_no, data_json, errors_json FROM import_rows WHERE batch_id = $1 AND row_no > $2 \
             ORDER BY row_no LIMIT $3",
        )
        .bind(batch_id)
        .bind(after_row)
        .bind(limit)
        .fetch_all(c)
        .await?
    });
    rows.into_iter().map(|r| r.parse(batch_id)).collect()
}
