//! Importing residents from the spreadsheet a street office already has: CSV (UTF-8 with or
//! without BOM, or GB18030/GBK as Excel in China saves it) and XLSX. Rows are checked and staged
//! for a preview; the operator confirms; then every row is written in one transaction.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{Permission, Staff};
use super::{Result, ServiceError, invalid};
use crate::audit::{self, Actor, EventKind, SYSTEM_LOG};
use crate::domain::{NewResident, RawResident, ResidentInputError};
use crate::store::{Store, imports, now_ms, registry};

/// Column headers understood, Chinese first. Matching ignores spaces and a trailing "*".
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["姓名", "name"]),
    ("gender", &["性别", "gender"]),
    ("ethnicity", &["民族", "ethnicity"]),
    ("birth_date", &["出生日期", "生日", "birth_date"]),
    ("id_number", &["公民身份号码", "身份证号", "身份证号码", "id_number"]),
    ("household_number", &["户号", "household_number"]),
    ("address", &["住址", "地址", "家庭住址", "address"]),
    ("group_number", &["居民小组", "小组", "group_number"]),
    ("hukou_here", &["户籍在本社区", "本社区户籍", "hukou_here"]),
    ("months_resident", &["居住月数", "在本社区居住月数", "months_resident"]),
    ("community_worker", &["社区工作者", "community_worker"]),
    ("worker_months", &["工作月数", "worker_months"]),
    ("political_rights", &["政治权利", "political_rights"]),
    ("household_head", &["户主", "是否户主", "household_head"]),
    ("phone", &["联系电话", "电话", "手机", "phone"]),
];

/// The Chinese header of a field, for messages ("第 12 行「身份证号」…").
pub fn column_label(field: &str) -> &'static str {
    COLUMNS.iter().find(|(f, _)| *f == field).map(|(_, names)| names[0]).unwrap_or("")
}

/// The largest file accepted (a 100,000-row register is ~15 MB as CSV).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
pub const MAX_ROWS: usize = 200_000;

/// A spreadsheet as header + rows of text cells, with 1-based row numbers as the operator sees
/// them in Excel (the header is row 1).
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(i64, Vec<String>)>,
}

/// Reads CSV or XLSX bytes. Text that is not UTF-8 is read as GB18030 (a superset of GBK).
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(invalid("err.import.too_big", "file"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // Old binary .xls: ask for "save as .xlsx or CSV" rather than guessing.
        return Err(invalid("err.import.xls", "file"));
    }
    let text = decode_text(bytes)?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|_| invalid("err.import.csv", "file"))?;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if i == 0 {
            headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            rows.push((i as i64 + 1, cells));
            if rows.len() > MAX_ROWS {
                return Err(invalid("err.import.too_many", "file"));
            }
        }
    }
    Ok(Sheet { headers, rows })
}

pub fn decode_text(bytes: &[u8]) -> Result<String> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(b) {
        return Ok(s.to_string());
    }
    let (s, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(b);
    if had_errors || s.contains('\0') {
        return Err(invalid("err.import.encoding", "file"));
    }
    Ok(s.into_owned())
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => {
            if *b {
                "是".into()
            } else {
                "否".into()
            }
        }
        Data::DateTime(dt) => excel_date(dt.as_f64()).unwrap_or_default(),
        Data::Error(_) => "#ERROR".into(),
    }
}

/// Excel's serial date (days since 1899-12-30 in the 1900 system) as YYYY-MM-DD.
fn excel_date(serial: f64) -> Option<String> {
    let base = time::macros::date!(1899 - 12 - 30);
    let d = base.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(d.to_string())
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| invalid("err.import.xlsx", "file"))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(invalid("err.import.xlsx", "file"))?
        .map_err(|_| invalid("err.import.xlsx", "file"))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if i == 0 {
            headers = cells;
        } else if cells.iter().any(|c| !c.is_empty()) {
            rows.push((i as i64 + 1 + i64::from(first_row), cells));
            if rows.len() > MAX_ROWS {
                return Err(invalid("err.import.too_many", "file"));
            }
        }
    }
    Ok(Sheet { headers, rows })
}

/// Maps header cells to field names; name and ID number columns are required.
pub fn map_headers(headers: &[String]) -> Result<Vec<Option<&'static str>>> {
    let norm = |s: &str| s.trim().trim_end_matches('*').replace([' ', '\u{3000}'], "").to_lowercase();
    let mapped: Vec<Option<&'static str>> = headers
        .iter()
        .map(|h| {
            let h = norm(h);
            COLUMNS.iter().find(|(_, names)| names.iter().any(|n| norm(n) == h)).map(|(f, _)| *f)
        })
        .collect();
    for required in ["name", "id_number"] {
        if !mapped.contains(&Some(required)) {
            return Err(ServiceError::Invalid { key: "err.import.missing_column", field: Some(required.into()) });
        }
    }
    Ok(mapped)
}

fn raw_from_cells(map: &[Option<&'static str>], cells: &[String]) -> RawResident {
    let mut r = RawResident::default();
    for (field, cell) in map.iter().zip(cells) {
        let Some(field) = field else { continue };
        let v = cell.clone();
        match *field {
            "name" => r.name = v,
            "gender" => r.gender = v,
            "ethnicity" => r.ethnicity = v,
            "birth_date" => r.birth_date = v,
            "id_number" => r.id_number = v,
            "household_number" => r.household_number = v,
            "address" => r.address = v,
            "group_number" => r.group_number = v,
            "hukou_here" => r.hukou_here = v,
            "months_resident" => r.months_resident = v,
            "community_worker" => r.community_worker = v,
            "worker_months" => r.worker_months = v,
            "political_rights" => r.political_rights = v,
            "household_head" => r.household_head = if v == "户主" || v == "本人" { "是".into() } else { v },
            "phone" => r.phone = v,
            _ => {}
        }
    }
    r
}

/// Parses, checks and stages a file; returns the batch id for the preview.
pub async fn preview(store: &Store, staff: &Staff, community_id: i64, filename: &str, bytes: &[u8]) -> Result<i64> {
    let role = staff.authorize(store, Permission::WriteRegistry, community_id).await?;
    let sheet = read_sheet(bytes)?;
    let map = map_headers(&sheet.headers)?;
    if sheet.rows.is_empty() {
        return Err(invalid("err.import.empty", "file"));
    }
    let groups: HashSet<i64> = registry::groups(store, community_id).await?.into_iter().map(|g| g.number).collect();
    let existing: HashSet<String> =
        registry::all_residents(store, community_id).await?.into_iter().map(|(r, _, _)| r.id_number).collect();
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut staged = Vec::with_capacity(sheet.rows.len());
    let mut error_rows = 0i64;
    for (row_no, cells) in &sheet.rows {
        let raw = raw_from_cells(&map, cells);
        let mut errors: Vec<ResidentInputError> = Vec::new();
        match raw.parse() {
            Ok(r) => {
                let id = r.id_number.as_str().to_string();
                if existing.contains(&id) {
                    errors.push(ResidentInputError { field: "id_number".into(), key: "err.id.exists".into() });
                } else if let Some(first) = seen.insert(id, *row_no) {
                    errors
                        .push(ResidentInputError { field: "id_number".into(), key: format!("err.id.repeat:{first}") });
                }
                if let Some(g) = r.group_number
                    && !groups.contains(&g)
                {
                    errors.push(ResidentInputError { field: "group_number".into(), key: "err.group_unknown".into() });
                }
            }
            Err(e) => errors = e,
        }
        if !errors.is_empty() {
            error_rows += 1;
        }
        let data = serde_json::to_string(&raw).unwrap_or_default();
        let errs = serde_json::to_string(&errors).unwrap_or_default();
        staged.push((*row_no, data, errs));
    }
    let mut tx = store.begin().await?;
    let batch = imports::insert_batch(&mut tx, community_id, staff.user_id, filename, now_ms()).await?;
    imports::insert_rows(&mut tx, batch, &staged).await?;
    imports::set_counts(&mut tx, batch, staged.len() as i64, error_rows).await?;
    audit::record(&mut tx, SYSTEM_LOG, &staff.actor(role), EventKind::ImportPreviewed, &format!("import:{batch}"),
        json!({"batch_id": batch, "community_id": community_id, "filename": filename, "rows": staged.len(), "error_rows": error_rows})).await?;
    tx.commit().await?;
    Ok(batch)
}

/// Writes every staged row of a clean batch in one transaction. `progress(done, total)` is
/// called as rows are written (the page shows it; the transaction is still all-or-nothing).
pub async fn commit(
    store: &Store,
    staff: &Staff,
    batch_id: i64,
    progress: &(dyn Fn(i64, i64) + Send + Sync),
) -> Result<i64> {
    let b = imports::batch(store, batch_id).await?.ok_or(ServiceError::NotFound)?;
    let role = staff.authorize(store, Permission::WriteRegistry, b.community_id).await?;
    if b.status != "preview" {
        return Err(ServiceError::Conflict("err.import.done"));
    }
    if b.error_rows > 0 {
        return Err(ServiceError::Conflict("err.import.has_errors"));
    }
    commit_as(store, &staff.actor(role), &b, progress).await
}

pub async fn commit_as(
    store: &Store,
    actor: &Actor,
    b: &imports::Batch,
    progress: &(dyn Fn(i64, i64) + Send + Sync),
) -> Result<i64> {
    let community_id = b.community_id;
    let now = now_ms();
    let mut tx = store.begin().await?;
    let mut rows: Vec<NewResident> = Vec::with_capacity(b.total_rows as usize);
    let mut after = 0i64;
    let mut digest = Sha256::new();
    loop {
        let page = imports::rows_in_tx(&mut tx, b.id, after, 5000).await?;
        if page.is_empty() {
            break;
        }
        for r in page {
            after = r.row_no;
            digest.update(r.data_json.as_bytes());
            digest.update(b"\n");
            let raw: RawResident =
                serde_json::from_str(&r.data_json).map_err(|e| ServiceError::Internal(e.to_string()))?;
            rows.push(raw.parse().map_err(|_| ServiceError::Conflict("err.import.has_errors"))?);
        }
    }
    // Marking the batch done (which also drops the staged copy) in the same transaction makes a
    // second commit of the same batch impossible, even from two servers at once.
    if !imports::finish(&mut tx, b.id, "committed").await? {
        return Err(ServiceError::Conflict("err.import.done"));
    }
    let total = rows.len() as i64;
    let mut groups: HashMap<i64, i64> = HashMap::new();
    for g in registry::groups(store, community_id).await? {
        groups.insert(g.number, g.id);
    }
    let mut households: HashMap<String, i64> = HashMap::new();
    let mut new_households = 0i64;
    let mut pending = Vec::with_capacity(registry::RESIDENT_BATCH);
    for (i, r) in rows.iter().enumerate() {
        let group_id = match r.group_number {
            Some(n) => Some(*groups.get(&n).ok_or(invalid("err.group_unknown", "group_number"))?),
            None => None,
        };
        let household_id = match &r.household_number {
            None => None,
            Some(num) => match households.get(num) {
                Some(id) => Some(*id),
                None => {
                    let id = match registry::household_by_number(&mut tx, community_id, num).await? {
                        Some(h) => h.id,
                        None => {
                            new_households += 1;
                            let addr = r.household_address.clone().unwrap_or_default();
                            registry::insert_household(&mut tx, community_id, group_id, num, &addr, now).await?
                        }
                    };
                    households.insert(num.clone(), id);
                    Some(id)
                }
            },
        };
        pending.push((household_id, group_id, r));
        if pending.len() == registry::RESIDENT_BATCH || i + 1 == rows.len() {
            registry::insert_residents(&mut tx, community_id, &pending, now)
                .await
                .map_err(|e| if e.is_unique_violation() { invalid("err.id.exists", "id_number") } else { e.into() })?;
            pending.clear();
            progress(i as i64 + 1, total);
        }
    }
    // One entry for the whole import: the digest lets anyone holding the file check it.
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        actor,
        EventKind::ImportCommitted,
        &format!("import:{}", b.id),
        json!({"batch_id": b.id, "community_id": community_id, "rows": total, "households": new_households,
               "sha256": hex::encode(digest.finalize())}),
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    Ok(total)
}

pub async fn discard(store: &Store, staff: &Staff, batch_id: i64) -> Result<()> {
    let b = imports::batch(store, batch_id).await?.ok_or(ServiceError::NotFound)?;
    let role = staff.authorize(store, Permission::WriteRegistry, b.community_id).await?;
    let mut tx = store.begin().await?;
    if !imports::finish(&mut tx, batch_id, "discarded").await? {
        return Err(ServiceError::Conflict("err.import.done"));
    }
    audit::record(
        &mut tx,
        SYSTEM_LOG,
        &staff.actor(role),
        EventKind::ImportDiscarded,
        &format!("import:{batch_id}"),
        json!({"batch_id": batch_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The registry of a community as CSV with a UTF-8 BOM (so Excel in China opens it correctly),
/// in the same columns the import reads.
pub async fn export_csv(store: &Store, staff: &Staff, community_id: i64) -> Result<Vec<u8>> {
    let role = staff.authorize(store, Permission::ReadRegistry, community_id).await?;
    let full = staff.sees_full_ids(role);
    let rows = registry::all_residents(store, community_id).await?;
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let header: Vec<&str> = COLUMNS.iter().filter(|(f, _)| *f != "address").map(|(_, n)| n[0]).collect();
        w.write_record(&header).map_err(|e| ServiceError::Internal(e.to_string()))?;
        for (r, hh, g) in rows {
            let yn = |b: bool| if b { "是" } else { "否" };
            let id = if full { r.id_number.clone() } else { super::registry::mask(&r.id_number) };
            let rec = [
                r.name.clone(),
                if r.gender == "male" { "男".into() } else { "女".into() },
                r.ethnicity.clone(),
                r.birth_date.clone(),
                id,
                hh.unwrap_or_default(),
                g.map(|g| g.to_string()).unwrap_or_default(),
                yn(r.hukou_here).into(),
                r.months_resident.to_string(),
                yn(r.community_worker).into(),
                r.worker_months.to_string(),
                if r.political_rights == "full" { "有".into() } else { "被剥夺".into() },
                yn(r.household_head).into(),
                if full { r.phone.clone() } else { String::new() },
            ];
            // Spreadsheet formula injection: a cell starting with = + - @ is prefixed with '.
            let rec: Vec<String> = rec
                .into_iter()
                .map(|c| if c.starts_with(['=', '+', '-', '@']) { format!("'{c}") } else { c })
                .collect();
            w.write_record(&rec).map_err(|e| ServiceError::Internal(e.to_string()))?;
        }
        w.flush().map_err(|e| ServiceError::Internal(e.to_string()))?;
    }
    Ok(out)
}
