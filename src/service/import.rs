//! Importing residents from the spreadsheet a street office already has: CSV (UTF-8 with or
//! without BOM, or GB18030/GBK as Excel in China saves it) and XLSX. Rows are checked and staged
//! for a preview; the operator confirms; then every row is written in one transaction.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{Permission, Staff};
use super::audit;
use super::{Result, ServiceError, invalid};
use crate::audit::{Actor, EventKind, SYSTEM_LOG};
use crate::domain::{NewResident, RawResident, ResidentInputError};
use crate::store::{Store, imports, now_ms, registry};

mod xlsx;

pub use xlsx::XlsxStats;

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

// What one file may hold. Each cap bounds memory or time for one request; a file past any of
// them is refused with its own message before anything is staged.
/// The largest file accepted (a 100,000-row register is ~15 MB as CSV).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Data rows (the header is one more).
pub const MAX_ROWS: usize = 200_000;
/// Columns, A to BL.
pub const MAX_COLUMNS: usize = 64;
/// Cells kept, counting the empty ones left of the last filled cell of each row.
pub const MAX_CELLS: usize = 4_000_000;
/// Text kept from all cells together, and for XLSX the shared strings together.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Bytes an XLSX file may really unpack to, all its parts together (zip bombs stop here).
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// Why a file cannot be read; each has a message for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum SheetError {
    #[error("not a valid CSV table")]
    Csv,
    #[error("unknown text encoding")]
    Encoding,
    #[error("not a readable XLSX file")]
    Xlsx,
    #[error("old binary .xls")]
    Xls,
    #[error("file larger than {MAX_FILE_BYTES} bytes")]
    TooBig,
    #[error("more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("more than {MAX_COLUMNS} columns")]
    TooManyColumns,
    #[error("more than {MAX_CELLS} cells")]
    TooManyCells,
    #[error("more than {MAX_TEXT_BYTES} bytes of text, or a cell too long")]
    TooMuchText,
    #[error("the declared sheet range is past the row or column limit")]
    Dimension,
    #[error("unpacks to more than {MAX_UNPACKED_BYTES} bytes")]
    Unpacked,
}

impl SheetError {
    pub fn key(self) -> &'static str {
        match self {
            SheetError::Csv => "err.import.csv",
            SheetError::Encoding => "err.import.encoding",
            SheetError::Xlsx => "err.import.xlsx",
            SheetError::Xls => "err.import.xls",
            SheetError::TooBig => "err.import.too_big",
            SheetError::TooManyRows => "err.import.too_many",
            SheetError::TooManyColumns => "err.import.limit.columns",
            SheetError::TooManyCells => "err.import.limit.cells",
            SheetError::TooMuchText => "err.import.limit.text",
            SheetError::Dimension => "err.import.limit.range",
            SheetError::Unpacked => "err.import.limit.unpacked",
        }
    }
}

impl From<SheetError> for ServiceError {
    fn from(e: SheetError) -> Self {
        invalid(e.key(), "file")
    }
}

/// A spreadsheet as header + rows of text cells, with 1-based row numbers as the operator sees
/// them in Excel (the header is row 1).
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(i64, Vec<String>)>,
}

/// What reading a file kept and unpacked, to check the caps hold.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadStats {
    pub cells: usize,
    pub text_bytes: usize,
    pub xlsx: XlsxStats,
}

/// Collects rows within the caps; both readers fill one.
#[derive(Default)]
pub struct SheetBuilder {
    headers: Option<Vec<String>>,
    rows: Vec<(i64, Vec<String>)>,
    cells: usize,
    text_bytes: usize,
}

impl SheetBuilder {
    fn has_header(&self) -> bool {
        self.headers.is_some()
    }

    fn count(&mut self, cells: &[String]) -> std::result::Result<(), SheetError> {
        if cells.len() > MAX_COLUMNS {
            return Err(SheetError::TooManyColumns);
        }
        self.cells += cells.len();
        self.text_bytes += cells.iter().map(String::len).sum::<usize>();
        if self.cells > MAX_CELLS {
            return Err(SheetError::TooManyCells);
        }
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(SheetError::TooMuchText);
        }
        Ok(())
    }

    fn header(&mut self, cells: Vec<String>) -> std::result::Result<(), SheetError> {
        self.count(&cells)?;
        self.headers = Some(cells);
        Ok(())
    }

    fn row(&mut self, row_no: i64, cells: Vec<String>) -> std::result::Result<(), SheetError> {
        self.count(&cells)?;
        self.rows.push((row_no, cells));
        if self.rows.len() > MAX_ROWS {
            return Err(SheetError::TooManyRows);
        }
        Ok(())
    }

    fn finish(self) -> (Sheet, ReadStats) {
        let stats = ReadStats { cells: self.cells, text_bytes: self.text_bytes, ..Default::default() };
        (Sheet { headers: self.headers.unwrap_or_default(), rows: self.rows }, stats)
    }
}

/// Reads CSV or XLSX bytes. Text that is not UTF-8 is read as GB18030 (a superset of GBK).
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet> {
    Ok(parse_sheet(bytes)?.0)
}

/// [`read_sheet`] with what reading cost, and the typed error.
pub fn parse_sheet(bytes: &[u8]) -> std::result::Result<(Sheet, ReadStats), SheetError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetError::TooBig);
    }
    let mut out = SheetBuilder::default();
    if bytes.starts_with(b"PK\x03\x04") {
        let x = xlsx::read(bytes, &mut out)?;
        let (sheet, stats) = out.finish();
        return Ok((sheet, ReadStats { xlsx: x, ..stats }));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // Old binary .xls: ask for "save as .xlsx or CSV" rather than guessing.
        return Err(SheetError::Xls);
    }
    read_csv(bytes, &mut out)?;
    Ok(out.finish())
}

fn read_csv(bytes: &[u8], out: &mut SheetBuilder) -> std::result::Result<(), SheetError> {
    let text = decode_text(bytes).map_err(|_| SheetError::Encoding)?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    // Row numbers count records, as Excel shows the rows of a CSV file.
    let mut row_no = 0i64;
    while rdr.read_record(&mut rec).map_err(|_| SheetError::Csv)? {
        row_no += 1;
        // Trailing empty fields (",,,," that Excel leaves) cost nothing and are dropped.
        let width = rec.iter().enumerate().filter(|(_, c)| !c.trim().is_empty()).last().map_or(0, |(i, _)| i + 1);
        if width > MAX_COLUMNS {
            return Err(SheetError::TooManyColumns);
        }
        let cells: Vec<String> = rec.iter().take(width).map(|c| c.trim().to_string()).collect();
        if row_no == 1 {
            out.header(cells)?;
        } else if !cells.is_empty() {
            out.row(row_no, cells)?;
        }
    }
    Ok(())
}

pub fn decode_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(b) {
        return Ok(s.into());
    }
    let (s, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(b);
    if had_errors || s.contains('\0') {
        return Err(invalid("err.import.encoding", "file"));
    }
    Ok(s)
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
    let Sheet { headers, rows } = read_sheet(bytes)?;
    let map = map_headers(&headers)?;
    if rows.is_empty() {
        return Err(invalid("err.import.empty", "file"));
    }
    let groups: HashSet<i64> = registry::groups(store, community_id).await?.into_iter().map(|g| g.number).collect();
    let existing: HashSet<String> =
        registry::all_residents(store, community_id).await?.into_iter().map(|(r, _, _)| r.id_number).collect();
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut staged = Vec::with_capacity(rows.len());
    let mut error_rows = 0i64;
    // Each row's cells are dropped as it is staged, so the file is not held twice.
    for (row_no, cells) in rows {
        let raw = raw_from_cells(&map, &cells);
        let mut errors: Vec<ResidentInputError> = Vec::new();
        match raw.parse() {
            Ok(r) => {
                let id = r.id_number.as_str().to_string();
                if existing.contains(&id) {
                    errors.push(ResidentInputError { field: "id_number".into(), key: "err.id.exists".into() });
                } else if let Some(first) = seen.insert(id, row_no) {
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
        staged.push((row_no, data, errs));
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
            rows.push(r.data.parse().map_err(|_| ServiceError::Conflict("err.import.has_errors"))?);
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

// ---- read models of the import pages (issue 14 item 3) ----

pub use crate::domain::records::Batch;

/// Import batch `id`, for `staff` who may write its community's registry.
pub async fn batch(store: &Store, staff: &Staff, id: i64) -> Result<Batch> {
    let b = imports::batch(store, id).await?.ok_or(ServiceError::NotFound)?;
    staff.authorize(store, Permission::WriteRegistry, b.community_id).await?;
    Ok(b)
}

/// The errors found in the first `limit` refused rows of batch `b`, as (row number, error);
/// a staged row that does not parse is an error of the store naming the batch and row.
pub async fn row_errors(store: &Store, b: &Batch, limit: i64) -> Result<Vec<(i64, ResidentInputError)>> {
    let rows = imports::rows(store, b.id, true, limit, 0).await?;
    Ok(rows.into_iter().flat_map(|r| r.errors.into_iter().map(move |e| (r.row_no, e))).collect())
}

/// The first `limit` good rows of batch `b` as staged, as (row number, the row as read).
pub async fn sample(store: &Store, b: &Batch, limit: i64) -> Result<Vec<(i64, RawResident)>> {
    Ok(imports::rows(store, b.id, false, limit, 0).await?.into_iter().map(|r| (r.row_no, r.data)).collect())
}

/// The name of community `id`, for `staff` who may write its registry (the upload page).
pub async fn community_name(store: &Store, staff: &Staff, id: i64) -> Result<String> {
    staff.authorize(store, Permission::WriteRegistry, id).await?;
    Ok(registry::community(store, id).await?.ok_or(ServiceError::NotFound)?.name)
}
