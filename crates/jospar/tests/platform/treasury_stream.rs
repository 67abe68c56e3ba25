//! A large Treasury form is read as a stream and stored in chunks ("import …
//! whatever the file size (stream it)"). A 5-52 of 10,000 rows (more than two chunks, 17 MB),
//! imported through the API, is stored whole and read back in its order; the same file broken in its
//! last row, or repeating a row just before its total, is refused naming that row, and the
//! earlier import stays as it was: nothing of the refused file is kept.

use crate::app::TestApp;
use crate::execution::{FormAt, get_json, post_treasury};
use jospar_execution::treasury::CashRow;
use jospar_execution::treasury_store::{self, CHUNK_ROWS};
use jospar_store::on_db;
use serde_json::Value;

const ROWS: usize = 10_000;
/// The generated file's header is its fourth row.
const FIRST_DATA_ROW: usize = 5;

pub async fn large_form(app: &TestApp) {
    let abp = app.token("abp.edu").await;
    let edu = app
        .org_id("Управление образования Мангистауской области")
        .await;
    let mut file = Vec::new();
    jospar::bench::write_552(&mut file, ROWS).expect("generated 5-52");
    // Long expense names make the file larger than the 16 MB an ordinary request may carry:
    // an upload of a form is spooled to disk, not held.
    let name = format!(";Расходы {};", "x".repeat(1_700));
    let text = String::from_utf8(file)
        .expect("utf-8")
        .replace(";Расходы;", &name);
    assert!(text.len() > 16 << 20, "{} bytes", text.len());
    let at = FormAt {
        form: "5-52",
        org: edu,
        date: "2027-03-30",
        file_name: Some("large-5-52.csv"),
    };
    let post = |body: String| post_treasury(app, &abp, at, body);

    let (status, imported) = post(text.clone()).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["row_count"], ROWS, "{imported}");
    let id = imported["id"].as_i64().expect("id");
    let chunks: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM treasury_report_rows WHERE report_id = $1")
        .bind(id).fetch_one(pool).await)
    .expect("chunks");
    assert_eq!(chunks as usize, ROWS.div_ceil(CHUNK_ROWS));
    let (_, rows) = treasury_store::report::<CashRow>(&app.db, id, "5-52")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(rows.len(), ROWS);
    let numbers: Vec<usize> = rows.iter().map(|r| r.row).collect();
    let expected: Vec<usize> = (FIRST_DATA_ROW..FIRST_DATA_ROW + ROWS).collect();
    assert_eq!(numbers, expected, "read back in the file's order");
    let paid: jospar_core::Tenge = rows.iter().map(|r| r.executed).sum();
    let total_line = text.lines().last().expect("total");
    let paid_cell = total_line.split(';').nth(7).expect("paid total");
    assert_eq!(paid, jospar_core::Tenge::parse(paid_cell).expect("amount"));

    // The last data row broken: refused by its row, after every chunk before it was written.
    let mut lines: Vec<&str> = text.lines().collect();
    let last_data = lines.len() - 2;
    let broken_row = lines[last_data].replacen(";Расходы ", ";много;Расходы ", 1);
    lines[last_data] = &broken_row;
    let (status, error) = post(lines.join("\n")).await;
    assert_eq!(status, 422, "{error}");
    let last_row = (FIRST_DATA_ROW + ROWS - 1).to_string();
    assert!(
        error["field"]
            .as_str()
            .unwrap_or_default()
            .contains(&last_row),
        "{error}"
    );

    // A row repeated just before the total: a duplicate named by both rows.
    let mut lines: Vec<&str> = text.lines().collect();
    let first = lines[FIRST_DATA_ROW - 1];
    lines.insert(lines.len() - 1, first);
    let (status, error) = post(lines.join("\n")).await;
    assert_eq!(status, 422, "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&(FIRST_DATA_ROW + ROWS).to_string())
            && message.contains(&FIRST_DATA_ROW.to_string()),
        "{message}"
    );

    // Both refusals left the first import whole.
    let (_, list) = get_json(app, &abp, "/execution/treasury").await;
    let kept: Vec<&Value> = list
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["file_name"] == "large-5-52.csv")
        .collect();
    assert_eq!(kept.len(), 1, "{list}");
    assert_eq!(
        (kept[0]["id"].as_i64(), &kept[0]["row_count"]),
        (Some(id), &Value::from(ROWS))
    );
    let chunks_after: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM treasury_report_rows").fetch_one(pool).await)
    .expect("chunks");
    let chunks_of_reports: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM treasury_report_rows r JOIN treasury_reports t ON t.id = r.report_id")
        .fetch_one(pool).await)
    .expect("chunks");
    assert_eq!(
        chunks_after, chunks_of_reports,
        "no chunk outlives its form"
    );
}
