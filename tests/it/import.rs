//! Spreadsheet import: preview with per-row errors, nothing written until confirmed, then all
//! rows in one transaction; GBK and BOM CSV; XLSX; files that are not spreadsheets.

use std::io::Write;

use axum::http::StatusCode as S;
use serde_json::json;

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};

const HEADER: &str = "姓名,性别,出生日期,身份证号,户号,住址,居民小组,户籍在本社区,居住月数,政治权利\n";

fn csv_rows(n: usize, seq0: u32) -> String {
    let mut s = String::from(HEADER);
    for i in 0..n {
        let seq = seq0 + (i as u32) * 2 + 1; // odd: male
        let id = id_number("1960-01-01", seq % 1000);
        s.push_str(&format!("居民{i},男,1960-01-01,{id},{:04},和平里{}号,,是,120,有\n", i / 3 + 1, i / 3 + 1));
    }
    s
}

async fn setup(app: &TestApp) -> (i64, Client) {
    let s = app.street("imp").await;
    let c = app.community(s, "imp-c").await;
    app.user("admin", R::StreetAdmin, K::StreetOffice, s).await;
    (c, app.login("admin").await)
}

async fn preview_shows_row_errors_and_writes_nothing(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let good = id_number("1960-01-01", 1);
    let mut bad_check = id_number("1960-01-01", 3);
    let last = bad_check.pop().unwrap();
    bad_check.push(if last == '1' { '2' } else { '1' });
    let csv = format!(
        "{HEADER}张三,男,1960-01-01,{good},0001,和平里1号,,是,12,有\n\
         李四,男,1960-01-01,{bad_check},0001,和平里1号,,是,12,有\n\
         王五,男,1960-13-01,{},0002,和平里2号,,是,12,有\n\
         赵六,男,1960-01-01,{good},0003,和平里3号,,是,12,有\n",
        id_number("1960-01-01", 5)
    );
    let residents = app.count("SELECT COUNT(*) FROM residents").await;
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports?filename=a.csv"), csv.into_bytes()).await;
    assert_eq!(st, S::OK, "{body}");
    assert_eq!(body["batch"]["total_rows"], json!(4));
    assert_eq!(body["batch"]["error_rows"], json!(3));
    let msgs: Vec<String> =
        body["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap().to_string()).collect();
    // Row numbers as Excel shows them (header = row 1), the column, and what is wrong, in Chinese.
    assert!(
        msgs.iter().any(|m| m.contains("第 3 行") && m.contains("公民身份号码") && m.contains("校验位")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("第 4 行") && m.contains("出生日期")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("第 5 行") && m.contains("重复")), "{msgs:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, residents);
    // A batch with errors cannot be committed.
    let id = body["batch"]["id"].as_i64().unwrap();
    let (st, _) = api.api_post_empty(&format!("/api/v1/imports/{id}/commit")).await;
    assert_eq!(st, S::CONFLICT);
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, residents);
}
both!(preview_shows_row_errors_and_writes_nothing);

async fn confirmed_import_writes_all_rows_once(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), csv_rows(300, 0).into_bytes()).await;
    assert_eq!(st, S::OK, "{body}");
    assert_eq!(body["batch"]["error_rows"], json!(0));
    let id = body["batch"]["id"].as_i64().unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, 0, "nothing before confirmation");
    let (st, r) = api.api_post_empty(&format!("/api/v1/imports/{id}/commit")).await;
    assert_eq!(st, S::OK, "{r}");
    assert_eq!(r["imported"], json!(300));
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, 300);
    assert_eq!(app.count("SELECT COUNT(*) FROM households").await, 100);
    assert_eq!(app.count("SELECT COUNT(*) FROM import_rows").await, 0);
    // The whole import is one audit entry with a digest of the rows.
    assert!(app.count("SELECT COUNT(*) FROM audit_entries WHERE leaf_hash IS NOT NULL").await > 0);
    let (st, _) = api.api_post_empty(&format!("/api/v1/imports/{id}/commit")).await;
    assert_eq!(st, S::CONFLICT, "a batch commits once");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, 300);
}
both!(confirmed_import_writes_all_rows_once);

async fn commit_is_all_or_nothing(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let csv = csv_rows(50, 0);
    let (_, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), csv.into_bytes()).await;
    let id = body["batch"]["id"].as_i64().unwrap();
    // Between preview and commit someone registers the person of the LAST row by hand.
    let last_id = id_number("1960-01-01", 49 * 2 + 1);
    let (st, _) = api
        .api_post(&format!("/api/v1/communities/{c}/residents"), &json!({"name": "先登记", "id_number": last_id}))
        .await;
    assert_eq!(st, S::OK);
    let (st, r) = api.api_post_empty(&format!("/api/v1/imports/{id}/commit")).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{r}");
    // Not one of the 49 earlier rows was kept, nor their households; the batch is still open.
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM households").await, 0);
    let (_, b) = api.api_get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(b["batch"]["status"], json!("preview"));
}
both!(commit_is_all_or_nothing);

async fn gbk_and_bom_csv_are_read(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let csv = csv_rows(3, 500);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&csv);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the test file must really be GBK");
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), gbk.into_owned()).await;
    assert_eq!(st, S::OK, "{body}");
    assert_eq!(body["batch"]["error_rows"], json!(0), "{body}");
    let id = body["batch"]["id"].as_i64().unwrap();
    api.api_post_empty(&format!("/api/v1/imports/{id}/commit")).await;
    let (_, list) = api.api_get(&format!("/api/v1/communities/{c}/residents?q=居民1")).await;
    assert_eq!(list["residents"][0]["name"], json!("居民1"));
    assert_eq!(list["residents"][0]["months_resident"], json!(120));
    // UTF-8 with BOM
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(csv_rows(2, 700).as_bytes());
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), bom).await;
    assert_eq!(st, S::OK, "{body}");
    assert_eq!(body["batch"]["error_rows"], json!(0), "{body}");
}
both!(gbk_and_bom_csv_are_read);

/// A minimal XLSX (the parts Excel itself writes), with inline strings.
fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            let col = (b'A' + c as u8) as char;
            sheet.push_str(&format!(r#"<c r="{col}{}" t="inlineStr"><is><t>{v}</t></is></c>"#, r + 1));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, body) in files {
            z.start_file(name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

async fn xlsx_is_read(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let rows = vec![
        vec!["姓名".into(), "身份证号".into(), "户号".into()],
        vec!["孙丽".into(), id_number("1988-08-08", 2), "0101".into()],
        vec!["周强".into(), id_number("1985-05-05", 3), "0101".into()],
    ];
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports?filename=r.xlsx"), xlsx(&rows)).await;
    assert_eq!(st, S::OK, "{body}");
    assert_eq!(body["batch"]["total_rows"], json!(2));
    assert_eq!(body["batch"]["error_rows"], json!(0), "{body}");
}
both!(xlsx_is_read);

async fn files_that_are_not_spreadsheets_are_refused(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let batches = app.count("SELECT COUNT(*) FROM import_batches").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\xfd".to_vec();
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), png).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("编码") || body["message"].as_str().unwrap().contains("列"),
        "{body}"
    );
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), b"PK\x03\x04garbage".to_vec()).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Excel"), "{body}");
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), b"a,b\n1,2\n".to_vec()).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("缺少必填列"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM import_batches").await, batches);
}
both!(files_that_are_not_spreadsheets_are_refused);

async fn export_is_csv_with_bom_that_imports_back(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let (_, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), csv_rows(5, 0).into_bytes()).await;
    let id = body["batch"]["id"].as_i64().unwrap();
    api.api_post_empty(&format!("/api/v1/imports/{id}/commit")).await;
    let r = api.get(&format!("/staff/communities/{c}/residents.csv")).await;
    assert_eq!(r.status, S::OK);
    assert!(r.body.starts_with(b"\xEF\xBB\xBF"));
    let text = r.text();
    assert_eq!(text.lines().count(), 6);
    // Re-importing the export into a fresh community finds the same five people.
    let s2 = app.street("imp2").await;
    let c2 = app.community(s2, "imp2-c").await;
    app.user("admin2", R::StreetAdmin, K::StreetOffice, s2).await;
    let mut api2 = app.login("admin2").await;
    let (st, body) = api2.api_upload(&format!("/api/v1/communities/{c2}/imports"), r.body.clone()).await;
    assert_eq!(st, S::OK, "{body}");
    assert_eq!(body["batch"]["total_rows"], json!(5));
    assert_eq!(body["batch"]["error_rows"], json!(0), "{body}");
}
both!(export_is_csv_with_bom_that_imports_back);

/// The HTML flow: upload form (multipart with CSRF) → preview page → commit → progress/result.
async fn html_upload_preview_and_commit(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let boundary = "XyZ123";
    let csv = csv_rows(4, 0);
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n",
        api.csrf
    );
    let req = axum::http::Request::post(format!("/staff/communities/{c}/import"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = api.send(req).await;
    assert_eq!(r.status, S::SEE_OTHER, "{}", r.text());
    let preview = r.location();
    let page = api.get(&preview).await.text();
    assert!(page.contains("确认导入"), "{page}");
    assert!(page.contains("居民0"));
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, 0);
    let r = api.form(&format!("{preview}/commit"), &[]).await;
    assert_eq!(r.status, S::SEE_OTHER);
    // The commit runs in the background; poll the stored status (no sleeping on a timer).
    let id: i64 = preview.rsplit('/').next().unwrap().parse().unwrap();
    let mut status = String::new();
    for _ in 0..2000 {
        let (_, b) = api.api_get(&format!("/api/v1/imports/{id}")).await;
        status = b["batch"]["status"].as_str().unwrap().to_string();
        if status == "committed" {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(status, "committed");
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, 4);
}
both!(html_upload_preview_and_commit);
