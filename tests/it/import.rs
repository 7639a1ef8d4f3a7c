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

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// The sheet XML of `rows`, with inline strings.
fn sheet_xml(rows: &[Vec<String>]) -> String {
    let mut sheet = format!("{SHEET_HEAD}<sheetData>");
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            sheet.push_str(&format!(r#"<c r="{}{}" t="inlineStr"><is><t>{v}</t></is></c>"#, col_name(c + 1), r + 1));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    sheet
}

/// Column 1 → "A", 28 → "AB".
fn col_name(mut n: usize) -> String {
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// The parts Excel itself writes around one worksheet.
const XLSX_PARTS: [(&str, &str); 4] = [
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    ),
];

/// An XLSX whose worksheet is `sheet`, written as it is.
fn xlsx_with_sheet(sheet: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, body) in XLSX_PARTS.iter().copied().chain([("xl/worksheets/sheet1.xml", sheet)]) {
            z.start_file(name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// A minimal XLSX (the parts Excel itself writes), with inline strings.
fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    xlsx_with_sheet(&sheet_xml(rows))
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

/// Uploads `file` through the API and through the HTML form; both must refuse it with a 422 and
/// `message`, and leave residents and import batches as they were.
async fn refused(app: &TestApp, c: i64, api: &mut Client, file: Vec<u8>, message: &str) {
    let residents = app.count("SELECT COUNT(*) FROM residents").await;
    let batches = app.count("SELECT COUNT(*) FROM import_batches").await;
    let rows = app.count("SELECT COUNT(*) FROM import_rows").await;
    let (st, body) = api.api_upload(&format!("/api/v1/communities/{c}/imports?filename=x.xlsx"), file.clone()).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains(message), "{body}");
    let boundary = "LimitBoundary7";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        api.csrf
    )
    .into_bytes();
    form.extend_from_slice(&file);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(format!("/staff/communities/{c}/import"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(form))
        .unwrap();
    let r = api.send(req).await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains(message), "{}", r.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM residents").await, residents);
    assert_eq!(app.count("SELECT COUNT(*) FROM import_batches").await, batches);
    assert_eq!(app.count("SELECT COUNT(*) FROM import_rows").await, rows);
}

/// A 1.5 kB file with cells A1 and XFD1048576 used to make the reader allocate rows × columns
/// (549,755,813,888 cells) and abort the process; A1 + CV100000 cost 325 MB per request.
async fn xlsx_far_corner_cells_are_refused_before_any_allocation(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let a1 = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号</t></is></c></row>"#;
    let far = format!(
        r#"{SHEET_HEAD}<sheetData>{a1}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#
    );
    let file = xlsx_with_sheet(&far);
    assert!(file.len() < 2000, "{}", file.len());
    refused(&app, c, &mut api, file, "上限 200,000 行").await;
    let wide = format!(
        r#"{SHEET_HEAD}<sheetData>{a1}<row r="100000"><c r="CV100000"><v>1</v></c></row></sheetData></worksheet>"#
    );
    refused(&app, c, &mut api, xlsx_with_sheet(&wide), "上限 64 列").await;
    // The same far cell on a row that claims to be row 2.
    let odd = format!(
        r#"{SHEET_HEAD}<sheetData>{a1}<row r="2"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#
    );
    refused(&app, c, &mut api, xlsx_with_sheet(&odd), "上限 64 列").await;
}
both!(xlsx_far_corner_cells_are_refused_before_any_allocation);

/// A declared used range past the limits is refused before any cell is read.
async fn xlsx_declared_range_past_the_limits_is_refused(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let rows = vec![vec!["姓名".into(), "身份证号".into()], vec!["孙丽".into(), id_number("1988-08-08", 2)]];
    let body = sheet_xml(&rows);
    for range in ["A1:XFD1048576", "A1:B200002", "A1:BM2"] {
        let sheet = body.replacen("<sheetData>", &format!(r#"<dimension ref="{range}"/><sheetData>"#), 1);
        refused(&app, c, &mut api, xlsx_with_sheet(&sheet), "使用范围超过上限").await;
    }
    // At the limits exactly, the file is read.
    let sheet = body.replacen("<sheetData>", r#"<dimension ref="A1:BL200001"/><sheetData>"#, 1);
    let (st, b) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), xlsx_with_sheet(&sheet)).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(b["batch"]["total_rows"], json!(1));
}
both!(xlsx_declared_range_past_the_limits_is_refused);

/// 65 columns are refused, in XLSX and in CSV; 64 are read.
async fn too_many_columns_are_refused(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let row = |n: usize, last: &str| -> Vec<String> {
        let mut r: Vec<String> = vec!["姓名".into(), "身份证号".into()];
        r.extend((3..n).map(|i| format!("备注{i}")));
        r.push(last.into());
        r
    };
    let data = |n: usize| {
        let mut r: Vec<String> = vec!["孙丽".into(), id_number("1988-08-08", 2)];
        r.resize(n, "x".into());
        r
    };
    refused(&app, c, &mut api, xlsx(&[row(65, "多余"), data(65)]), "上限 64 列").await;
    let csv = |rows: &[Vec<String>]| rows.iter().map(|r| r.join(",") + "\n").collect::<String>().into_bytes();
    refused(&app, c, &mut api, csv(&[row(65, "多余"), data(65)]), "上限 64 列").await;
    for file in [xlsx(&[row(64, "末列"), data(64)]), csv(&[row(64, "末列"), data(64)])] {
        let (st, b) = api.api_upload(&format!("/api/v1/communities/{c}/imports"), file).await;
        assert_eq!(st, S::OK, "{b}");
        assert_eq!(b["batch"]["total_rows"], json!(1), "{b}");
    }
}
both!(too_many_columns_are_refused);

/// A zip bomb: ~0.6 MB that unpacks to 640 MiB of XML comments (which the reader skips, so only
/// the unpacked-bytes cap of 512 MiB can stop it). It is refused at the cap, not read to its end.
fn zip_bomb() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_level(Some(9));
        for (name, body) in XLSX_PARTS {
            z.start_file(name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.start_file("xl/worksheets/sheet1.xml", opts.large_file(true)).unwrap();
        z.write_all(format!("{SHEET_HEAD}<sheetData>").as_bytes()).unwrap();
        let comment = format!("<!--{}-->", " ".repeat(256 * 1024 - 7));
        for _ in 0..2560 {
            z.write_all(comment.as_bytes()).unwrap();
        }
        z.write_all(b"</sheetData></worksheet>").unwrap();
        z.finish().unwrap();
        buf.into_inner()
    })
}

async fn xlsx_zip_bomb_is_refused_at_the_unpacked_cap(app: TestApp) {
    let (c, mut api) = setup(&app).await;
    let file = zip_bomb().to_vec();
    assert!(file.len() < 1024 * 1024, "{}", file.len());
    refused(&app, c, &mut api, file, "解压后过大").await;
}
both!(xlsx_zip_bomb_is_refused_at_the_unpacked_cap);

/// A small seeded generator: the fuzz cases are the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Random XML in the worksheet vocabulary, with hostile references, entities, nesting and markup.
fn hostile_sheet(g: &mut Gen) -> String {
    const NAMES: &[&str] = &["row", "c", "v", "is", "t", "r", "rPh", "f", "x:c", "dimension", "sheetData", "worksheet"];
    const REFS: &[&str] = &[
        "A1",
        "B2",
        "BL200001",
        "BM1",
        "XFD1048576",
        "CV100000",
        "A0",
        "$A$1",
        "1A",
        "",
        "ZZZZZZZZZZZZ9",
        "A99999999999",
    ];
    const TYPES: &[&str] = &["s", "inlineStr", "str", "b", "e", "d", "n", "bogus"];
    const TEXT: &[&str] = &[
        "姓名",
        "身份证号",
        "0",
        "1",
        "-1",
        "1e308",
        "NaN",
        "21916",
        "4294967296",
        "&amp;",
        "&#x10FFFF;",
        "&#0;",
        "&bogus;",
        "&#xD800;",
        "<![CDATA[<v>]]>",
        "<!-- c -->",
        "<?pi x?>",
        " ",
        "\r\n",
        "&lt;c&gt;",
    ];
    let mut s = String::from(SHEET_HEAD);
    if g.below(4) == 0 {
        s.insert_str(0, "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>");
    }
    s.push_str("<sheetData>");
    let mut open: Vec<&str> = Vec::new();
    for _ in 0..g.below(80) {
        match g.below(6) {
            0 | 1 => {
                let name = g.pick(NAMES);
                let mut tag = format!("<{name}");
                for _ in 0..g.below(4) {
                    match g.below(4) {
                        0 => tag.push_str(&format!(r#" r="{}""#, g.pick(REFS))),
                        1 => tag.push_str(&format!(r#" t="{}""#, g.pick(TYPES))),
                        2 => tag.push_str(&format!(r#" s="{}""#, g.below(1 << 20))),
                        _ => tag.push_str(&format!(r#" ref="A1:{}""#, g.pick(REFS))),
                    }
                }
                if g.below(3) == 0 {
                    tag.push_str("/>");
                } else {
                    tag.push('>');
                    open.push(name);
                }
                s.push_str(&tag);
            }
            2 => {
                if let Some(name) = open.pop() {
                    s.push_str(&format!("</{name}>"));
                }
            }
            3 => s.push_str(g.pick(TEXT)),
            4 => {
                let depth = g.below(150);
                s.push_str(&"<is>".repeat(depth));
            }
            _ => {
                let n = g.below(2000);
                s.push_str(&"&b;".repeat(n % 5));
                s.push_str(&String::from_utf8_lossy(&g.bytes(n % 40)));
            }
        }
    }
    if g.below(2) == 0 {
        while let Some(name) = open.pop() {
            s.push_str(&format!("</{name}>"));
        }
        s.push_str("</sheetData></worksheet>");
    }
    s
}

/// Stored (not deflated), so byte mutations reach the XML rather than only breaking the CRC.
fn xlsx_stored(sheet: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in XLSX_PARTS.iter().copied().chain([("xl/worksheets/sheet1.xml", sheet)]) {
        z.start_file(name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    buf.into_inner()
}

/// Random and hostile files through the CSV, GBK and XLSX readers: each answers a sheet or a
/// typed error, never panics, and what it kept and unpacked stays within the caps. (The counters
/// stand in for a counting allocator, which would need `unsafe`; the crate forbids it.)
#[test]
fn fuzz_import_parsers() {
    use huanjie::service::import::{
        MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES, MAX_UNPACKED_BYTES, SheetError, parse_sheet,
    };
    let mut g = Gen(0x5EED_1234_ABCD_0001);
    let valid_rows: Vec<Vec<String>> = (0..20)
        .map(|i| vec![format!("居民{i}"), id_number("1960-01-01", i * 2 + 1), format!("{:04}", i / 3), "是".into()])
        .chain(std::iter::once(vec!["姓名".into(), "身份证号".into(), "户号".into(), "户籍在本社区".into()]))
        .rev()
        .collect();
    let valid_deflated = xlsx(&valid_rows);
    let valid_stored = xlsx_stored(&sheet_xml(&valid_rows));
    let valid_csv = csv_rows(20, 0);
    let (valid_gbk, _, _) = encoding_rs::GBK.encode(&valid_csv);
    let mut cases = 0;
    let (mut ok, mut refused) = (0, std::collections::HashMap::<SheetError, usize>::new());
    for case in 0..3000 {
        let file: Vec<u8> = match case % 10 {
            0 => {
                let n = g.below(3000);
                g.bytes(n)
            }
            1 => {
                let mut f = b"PK\x03\x04".to_vec();
                let n = g.below(3000);
                f.extend(g.bytes(n));
                f
            }
            2 | 3 => {
                // A mutated or truncated valid XLSX, deflated or stored.
                let mut f = if g.below(2) == 0 { valid_deflated.clone() } else { valid_stored.clone() };
                if g.below(3) == 0 {
                    let keep = g.below(f.len());
                    f.truncate(keep.max(4));
                } else {
                    for _ in 0..1 + g.below(8) {
                        let i = g.below(f.len());
                        f[i] = g.next() as u8;
                    }
                }
                f
            }
            4..=6 => xlsx_stored(&hostile_sheet(&mut g)),
            7 => {
                // CSV made of its own syntax: quotes, separators, line ends, CJK, NUL, BOM.
                let atoms: &[&[u8]] =
                    &[b",", b"\"", b"\n", b"\r\n", "姓名".as_bytes(), b"x", b"\0", b"\xEF\xBB\xBF", b""];
                let mut f = Vec::new();
                for _ in 0..g.below(400) {
                    f.extend_from_slice(g.pick(atoms));
                }
                f
            }
            8 => {
                // Mutated valid UTF-8 and GBK CSV.
                let mut f = if g.below(2) == 0 { valid_csv.clone().into_bytes() } else { valid_gbk.to_vec() };
                for _ in 0..1 + g.below(6) {
                    let i = g.below(f.len());
                    f[i] = g.next() as u8;
                }
                f
            }
            _ => {
                // Wide and long CSV near the column limit.
                let cols = 60 + g.below(10);
                let row = vec!["x"; cols].join(",") + "\n";
                format!("姓名,身份证号\n{}", row.repeat(g.below(50))).into_bytes()
            }
        };
        cases += 1;
        match parse_sheet(&file) {
            Ok((sheet, stats)) => {
                ok += 1;
                assert!(stats.cells <= MAX_CELLS && stats.text_bytes <= MAX_TEXT_BYTES, "case {case}: {stats:?}");
                assert!(stats.xlsx.unpacked_bytes <= MAX_UNPACKED_BYTES, "case {case}: {stats:?}");
                assert!(sheet.rows.len() <= MAX_ROWS, "case {case}");
                assert!(sheet.headers.len() <= MAX_COLUMNS, "case {case}");
                let mut last = 0;
                for (n, cells) in &sheet.rows {
                    assert!(cells.len() <= MAX_COLUMNS, "case {case}");
                    assert!(*n > last, "case {case}: row numbers key the staged rows and must increase");
                    last = *n;
                }
            }
            Err(e) => *refused.entry(e).or_default() += 1,
        }
    }
    assert_eq!(cases, 3000);
    // The generator reaches both answers and several refusals.
    assert!(ok > 100, "ok {ok}, refused {refused:?}");
    assert!(refused.len() >= 4, "refused {refused:?}");
}
