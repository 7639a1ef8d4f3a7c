//! The first worksheet of an XLSX file, read as a stream: the zip's parts go through quick-xml
//! cell by cell, and nothing is ever allocated from a size the file declares. Every part is
//! unpacked through a counter that stops at a cap on the bytes really decompressed (a zip bomb
//! is refused at the cap, not read to its end), every XML token is bounded, and the cells go
//! into the same bounded [`SheetBuilder`] the CSV reader fills.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES, MAX_UNPACKED_BYTES, SheetBuilder, SheetError};

/// Zip entries in one file (an XLSX has a dozen; each costs memory in the zip's directory).
const MAX_ZIP_ENTRIES: usize = 10_000;
/// Unpacked bytes of each small part (workbook, relationships, styles).
const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;
/// One XML token (a tag or a run of text): quick-xml buffers a whole token.
const MAX_TOKEN_BYTES: usize = 1024 * 1024;
/// Element nesting (a worksheet is ~7 deep; quick-xml keeps the open names).
const MAX_DEPTH: usize = 100;
/// Text of one cell: Excel itself stops at 32,767 characters.
const MAX_CELL_BYTES: usize = 128 * 1024;
/// Cell formats read from styles.xml (Excel's own limit is 64,000).
const MAX_FORMATS: usize = 100_000;

/// What reading one file cost, for the limits' tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct XlsxStats {
    pub unpacked_bytes: u64,
    pub shared_strings: usize,
    pub shared_bytes: usize,
}

/// The unpacked bytes left for the whole file.
struct Budget {
    left: Cell<u64>,
    exceeded: Cell<bool>,
}

/// Counts the bytes a zip entry really unpacks to and fails past the caps.
struct Counted<'b, R> {
    inner: R,
    part_left: u64,
    budget: &'b Budget,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        if n64 > self.part_left || n64 > self.budget.left.get() {
            self.budget.exceeded.set(true);
            return Err(io::Error::other("unpacked size limit"));
        }
        self.part_left -= n64;
        self.budget.left.set(self.budget.left.get() - n64);
        Ok(n)
    }
}

/// Bounds what quick-xml buffers for one token: it consumes input only into the current token,
/// so the bytes consumed since the last token ended bound the buffer.
struct TokenGuard<R> {
    inner: BufReader<R>,
    since_token: usize,
}

impl<R: Read> Read for TokenGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for TokenGuard<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.since_token > MAX_TOKEN_BYTES {
            return Err(io::Error::other("XML token too long"));
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.since_token += amt;
        self.inner.consume(amt);
    }
}

/// One XML part being read, event by event.
struct Part<'b, R> {
    xml: quick_xml::Reader<TokenGuard<Counted<'b, R>>>,
    buf: Vec<u8>,
    depth: usize,
    budget: &'b Budget,
}

impl<R: Read> Part<'_, R> {
    fn next(&mut self) -> Result<Event<'_>, SheetError> {
        self.buf.clear();
        self.xml.get_mut().since_token = 0;
        let budget = self.budget;
        let ev = self
            .xml
            .read_event_into(&mut self.buf)
            .map_err(|_| if budget.exceeded.get() { SheetError::Unpacked } else { SheetError::Xlsx })?;
        match &ev {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(SheetError::Xlsx);
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(ev)
    }
}

/// Appends the character data of a text-like event to `out`, within `cap` bytes in all.
fn append_text(ev: &Event<'_>, out: &mut String, cap: usize) -> Result<(), SheetError> {
    let before = out.len();
    match ev {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::CData(t) => out.push_str(&t.xml10_content()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => out.push(c),
            Ok(None) => out.push(match r.as_ref() {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "apos" => '\'',
                "quot" => '"',
                _ => return Err(SheetError::Xlsx),
            }),
            Err(_) => return Err(SheetError::Xlsx),
        },
        _ => {}
    }
    if out.len() > cap && out.len() > before {
        return Err(SheetError::TooMuchText);
    }
    Ok(())
}

fn local<'a>(e: &'a BytesStart<'_>) -> &'a str {
    e.local_name().into_inner()
}

/// The values of the attributes named (by local name), in one pass over the tag.
fn attrs<const N: usize>(e: &BytesStart<'_>, names: [&str; N]) -> Result<[Option<String>; N], SheetError> {
    let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
    let mut it = e.attributes();
    it.with_checks(false);
    for a in it {
        let a = a.map_err(|_| SheetError::Xlsx)?;
        let key = a.key.local_name().into_inner();
        if let Some(i) = names.iter().position(|n| *n == key) {
            out[i] = Some(
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|_| SheetError::Xlsx)?.into_owned(),
            );
        }
    }
    Ok(out)
}

/// "BL200001" or "$A$1" as (column, row), both 1-based; values past u32 saturate.
fn cell_ref(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let (mut col, mut row, mut letters, mut digits) = (0u32, 0u32, 0, 0);
    for c in s.chars().filter(|c| *c != '$') {
        if c.is_ascii_alphabetic() && digits == 0 {
            col = col.saturating_mul(26).saturating_add(u32::from(c.to_ascii_uppercase() as u8 - b'A' + 1));
            letters += 1;
        } else if c.is_ascii_digit() && letters > 0 {
            row = row.saturating_mul(10).saturating_add(u32::from(c as u8 - b'0'));
            digits += 1;
        } else {
            return None;
        }
    }
    (letters > 0 && digits > 0).then_some((col, row))
}

/// Rows of the sheet as Excel numbers them: a header row plus `MAX_ROWS` data rows.
const LAST_ROW: u32 = MAX_ROWS as u32 + 1;

fn check_position(col: u32, row: u32) -> Result<(), SheetError> {
    if col as usize > MAX_COLUMNS {
        return Err(SheetError::TooManyColumns);
    }
    if row > LAST_ROW {
        return Err(SheetError::TooManyRows);
    }
    Ok(())
}

/// The shared strings, in one buffer (a `String` each would cost 24 bytes more per string).
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }
}

/// Whether cell format `i` shows a date, from styles.xml.
#[derive(Default)]
struct DateFormats {
    xf_is_date: Vec<bool>,
    date1904: bool,
}

struct Workbook<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    budget: Budget,
}

impl<'a> Workbook<'a> {
    fn index_of(&self, path: &str) -> Option<usize> {
        self.zip
            .index_for_name(path)
            .or_else(|| self.zip.file_names().position(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(path))))
    }

    fn open(&mut self, path: &str, cap: u64) -> Result<Option<Part<'_, impl Read + '_>>, SheetError> {
        let Some(i) = self.index_of(path) else { return Ok(None) };
        let entry = self.zip.by_index(i).map_err(|_| SheetError::Xlsx)?;
        let counted = Counted { inner: entry, part_left: cap, budget: &self.budget };
        let guard = TokenGuard { inner: BufReader::with_capacity(64 * 1024, counted), since_token: 0 };
        let mut xml = quick_xml::Reader::from_reader(guard);
        xml.config_mut().trim_text(false);
        Ok(Some(Part { xml, buf: Vec::new(), depth: 0, budget: &self.budget }))
    }
}

/// Relationships of a part: id → (target path inside the zip, type).
fn relationships(wb: &mut Workbook<'_>, path: &str, base: &str) -> Result<Vec<(String, String, String)>, SheetError> {
    let mut out = Vec::new();
    let Some(mut p) = wb.open(path, MAX_PART_BYTES)? else { return Ok(out) };
    loop {
        match p.next()? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                let [id, target, kind] = attrs(&e, ["Id", "Target", "Type"])?;
                if let (Some(id), Some(target)) = (id, target)
                    && out.len() < MAX_ZIP_ENTRIES
                {
                    out.push((id, resolve(base, &target), kind.unwrap_or_default()));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A relationship target relative to the folder `base`, as a zip path.
fn resolve(base: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{base}/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The first worksheet's path, and whether dates count from 1904.
fn first_sheet(wb: &mut Workbook<'_>, rels: &[(String, String, String)]) -> Result<(String, bool), SheetError> {
    let mut p = wb.open("xl/workbook.xml", MAX_PART_BYTES)?.ok_or(SheetError::Xlsx)?;
    let mut sheets: Vec<String> = Vec::new();
    let mut date1904 = false;
    loop {
        match p.next()? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match local(&e) {
                "workbookPr" => {
                    let [d] = attrs(&e, ["date1904"])?;
                    date1904 = matches!(d.as_deref(), Some("1" | "true"));
                }
                "sheet" if sheets.len() < MAX_ZIP_ENTRIES => {
                    let [id] = attrs(&e, ["id"])?;
                    sheets.extend(id);
                }
                _ => {}
            },
            _ => {}
        }
    }
    let target = |want_worksheet: bool| {
        sheets.iter().find_map(|id| {
            rels.iter()
                .find(|(rid, _, kind)| rid == id && (!want_worksheet || kind.ends_with("/worksheet")))
                .map(|(_, t, _)| t.clone())
        })
    };
    let path = target(true).or_else(|| target(false)).ok_or(SheetError::Xlsx)?;
    Ok((path, date1904))
}

fn shared_strings(wb: &mut Workbook<'_>, path: &str) -> Result<SharedStrings, SheetError> {
    let mut sst = SharedStrings::default();
    // The shared strings are held while the sheet is read, so they share the text cap.
    let Some(mut p) = wb.open(path, MAX_UNPACKED_BYTES)? else { return Ok(sst) };
    let (mut in_si, mut in_t, mut phonetic) = (false, false, 0usize);
    let push = |sst: &mut SharedStrings| -> Result<(), SheetError> {
        if sst.ends.len() >= MAX_CELLS {
            return Err(SheetError::TooMuchText);
        }
        sst.ends.push(sst.text.len() as u32);
        Ok(())
    };
    loop {
        let ev = p.next()?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) => match local(e) {
                "si" => in_si = true,
                "rPh" => phonetic += 1,
                "t" if in_si && phonetic == 0 => in_t = true,
                _ => {}
            },
            Event::Empty(e) if local(e) == "si" => push(&mut sst)?,
            Event::End(e) => match e.local_name().into_inner() {
                "si" => {
                    in_si = false;
                    push(&mut sst)?;
                }
                "rPh" => phonetic = phonetic.saturating_sub(1),
                "t" => in_t = false,
                _ => {}
            },
            _ if in_t => append_text(&ev, &mut sst.text, MAX_TEXT_BYTES)?,
            _ => {}
        }
    }
    Ok(sst)
}

fn date_formats(wb: &mut Workbook<'_>, path: &str) -> Result<DateFormats, SheetError> {
    let mut f = DateFormats::default();
    let Some(mut p) = wb.open(path, MAX_PART_BYTES)? else { return Ok(f) };
    let mut custom: HashMap<u32, bool> = HashMap::new();
    let mut in_xfs = false;
    loop {
        match p.next()? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match local(&e) {
                "numFmt" if custom.len() < MAX_FORMATS => {
                    let [id, code] = attrs(&e, ["numFmtId", "formatCode"])?;
                    if let (Some(id), Some(code)) = (id.and_then(|i| i.trim().parse().ok()), code) {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs && f.xf_is_date.len() < MAX_FORMATS => {
                    let [id] = attrs(&e, ["numFmtId"])?;
                    let id: u32 = id.and_then(|i| i.trim().parse().ok()).unwrap_or(0);
                    f.xf_is_date.push(custom.get(&id).copied().unwrap_or_else(|| is_builtin_date(id)));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().into_inner() == "cellXfs" => in_xfs = false,
            _ => {}
        }
    }
    Ok(f)
}

/// Excel's built-in date and time formats (ECMA-376 §18.8.30, and the CJK ones).
fn is_builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a custom number format shows a date or time: a d, m, y, h or s outside quotes,
/// brackets and escapes, in its first section (the rule calamine used before this reader).
fn is_date_format(code: &str) -> bool {
    let (mut escaped, mut quoted, mut brackets, mut ampm) = (false, false, 0u32, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        if quoted {
            quoted = c != '"';
            continue;
        }
        match c {
            '_' | '\\' | '*' => escaped = true,
            '"' => quoted = true,
            ';' => return false,
            '[' => brackets += 1,
            ']' => brackets = brackets.saturating_sub(1),
            _ if brackets > 0 => {}
            'a' | 'A' if !ampm => ampm = true,
            'p' | 'm' | '/' | 'P' | 'M' if ampm => return true,
            'd' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S' => return true,
            _ => {}
        }
    }
    false
}

/// Excel's serial date (days since 1899-12-30 in the 1900 system) as YYYY-MM-DD; None outside
/// the years Excel can show.
pub fn excel_date(serial: f64, date1904: bool) -> Option<String> {
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64 + if date1904 { 1462 } else { 0 };
    let d = time::macros::date!(1899 - 12 - 30).checked_add(time::Duration::days(days))?;
    Some(d.to_string())
}

/// A number cell as the operator typed it: whole numbers without ".0".
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { f.to_string() }
}

/// The cell being read.
struct CellInProgress {
    col: u32,
    kind: Option<String>,
    style: usize,
    value: String,
    in_v: bool,
    in_is: bool,
    in_t: bool,
    phonetic: usize,
}

impl CellInProgress {
    fn text(self, sst: &SharedStrings, dates: &DateFormats) -> Result<String, SheetError> {
        let v = self.value.trim();
        Ok(match self.kind.as_deref() {
            Some("s") => {
                let i: usize = v.parse().map_err(|_| SheetError::Xlsx)?;
                sst.get(i).ok_or(SheetError::Xlsx)?.trim().to_string()
            }
            Some("inlineStr" | "str" | "d") => v.to_string(),
            Some("b") => (if v == "0" { "否" } else { "是" }).to_string(),
            Some("e") => "#ERROR".to_string(),
            _ if v.is_empty() => String::new(),
            _ => match v.parse::<f64>() {
                Ok(f) if dates.xf_is_date.get(self.style).copied().unwrap_or(false) => {
                    excel_date(f, dates.date1904).unwrap_or_else(|| number_text(f))
                }
                Ok(f) => number_text(f),
                Err(_) => v.to_string(),
            },
        })
    }
}

/// Reads the first worksheet of an XLSX file into `out`.
pub fn read(bytes: &[u8], out: &mut SheetBuilder) -> Result<XlsxStats, SheetError> {
    // Every central directory record starts with this signature, so counting it bounds the
    // entries the zip reader will hold before it parses any.
    if bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count() > MAX_ZIP_ENTRIES {
        return Err(SheetError::Xlsx);
    }
    let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetError::Xlsx)?;
    let mut wb = Workbook { zip, budget: Budget { left: Cell::new(MAX_UNPACKED_BYTES), exceeded: Cell::new(false) } };
    let rels = relationships(&mut wb, "xl/_rels/workbook.xml.rels", "xl")?;
    let (sheet_path, date1904) = first_sheet(&mut wb, &rels)?;
    let find = |suffix: &str, default: &str| {
        rels.iter().find(|(_, _, k)| k.ends_with(suffix)).map(|(_, t, _)| t.clone()).unwrap_or(default.into())
    };
    let sst = shared_strings(&mut wb, &find("/sharedStrings", "xl/sharedStrings.xml"))?;
    let mut dates = date_formats(&mut wb, &find("/styles", "xl/styles.xml"))?;
    dates.date1904 = date1904;
    let mut stats = XlsxStats { shared_strings: sst.ends.len(), shared_bytes: sst.text.len(), ..Default::default() };
    let mut p = wb.open(&sheet_path, MAX_UNPACKED_BYTES)?.ok_or(SheetError::Xlsx)?;
    read_cells(&mut p, &sst, &dates, out)?;
    drop(p);
    stats.unpacked_bytes = MAX_UNPACKED_BYTES - wb.budget.left.get();
    Ok(stats)
}

fn read_cells<R: Read>(
    p: &mut Part<'_, R>,
    sst: &SharedStrings,
    dates: &DateFormats,
    out: &mut SheetBuilder,
) -> Result<(), SheetError> {
    let mut row_no = 0u32;
    let mut in_row = false;
    let mut col = 0u32;
    let mut cells: Vec<String> = Vec::new();
    let mut cell: Option<CellInProgress> = None;
    let flush = |row_no: u32, cells: &mut Vec<String>, out: &mut SheetBuilder| -> Result<(), SheetError> {
        while cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        if cells.is_empty() {
            return Ok(());
        }
        let row = std::mem::take(cells);
        if out.has_header() { out.row(i64::from(row_no), row) } else { out.header(row) }
    };
    loop {
        let ev = p.next()?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                match local(e) {
                    "dimension" => {
                        let [r] = attrs(e, ["ref"])?;
                        let last = r.as_deref().and_then(|r| r.rsplit(':').next()).and_then(cell_ref);
                        if let Some((c, r)) = last
                            && (c as usize > MAX_COLUMNS || r > LAST_ROW)
                        {
                            return Err(SheetError::Dimension);
                        }
                    }
                    "row" => {
                        let [r] = attrs(e, ["r"])?;
                        let n = match r {
                            Some(r) => r.trim().parse::<u32>().map_err(|_| SheetError::Xlsx)?,
                            None => row_no.saturating_add(1),
                        };
                        if n > LAST_ROW {
                            return Err(SheetError::TooManyRows);
                        }
                        // Excel writes rows in order; the row number is the staged row's key.
                        if n <= row_no {
                            return Err(SheetError::Xlsx);
                        }
                        row_no = n;
                        col = 0;
                        in_row = !empty;
                    }
                    "c" if in_row && cell.is_none() => {
                        let [r, t, s] = attrs(e, ["r", "t", "s"])?;
                        col = match r {
                            Some(r) => {
                                let (c, cr) = cell_ref(&r).ok_or(SheetError::Xlsx)?;
                                check_position(c, cr)?;
                                c
                            }
                            None => col.saturating_add(1),
                        };
                        check_position(col, row_no)?;
                        if !empty {
                            let style = s.and_then(|s| s.trim().parse().ok()).unwrap_or(0);
                            cell = Some(CellInProgress {
                                col,
                                kind: t,
                                style,
                                value: String::new(),
                                in_v: false,
                                in_is: false,
                                in_t: false,
                                phonetic: 0,
                            });
                        }
                    }
                    name if !empty => {
                        if let Some(c) = cell.as_mut() {
                            match name {
                                "v" => c.in_v = true,
                                "is" => c.in_is = true,
                                "rPh" => c.phonetic += 1,
                                "t" if c.in_is && c.phonetic == 0 => c.in_t = true,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().into_inner() {
                "c" => {
                    if let Some(c) = cell.take() {
                        let at = c.col as usize - 1;
                        let text = c.text(sst, dates)?;
                        if !text.is_empty() {
                            if cells.len() <= at {
                                cells.resize(at + 1, String::new());
                            }
                            cells[at] = text;
                        }
                    }
                }
                "row" if in_row => {
                    in_row = false;
                    flush(row_no, &mut cells, out)?;
                }
                "sheetData" => break,
                name => {
                    if let Some(c) = cell.as_mut() {
                        match name {
                            "v" => c.in_v = false,
                            "is" => c.in_is = false,
                            "rPh" => c.phonetic = c.phonetic.saturating_sub(1),
                            "t" => c.in_t = false,
                            _ => {}
                        }
                    }
                }
            },
            _ => {
                if let Some(c) = cell.as_mut()
                    && (c.in_v || c.in_t)
                {
                    append_text(&ev, &mut c.value, MAX_CELL_BYTES)?;
                }
            }
        }
    }
    if in_row {
        flush(row_no, &mut cells, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, body) in parts {
            z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        buf.into_inner()
    }

    const WORKBOOK: &str = r#"<workbook xmlns:r="r"><workbookPr/><sheets><sheet name="图表" sheetId="2" r:id="rId9"/><sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const RELS: &str = r#"<Relationships><Relationship Id="rId9" Type="x/chartsheet" Target="chartsheets/sheet9.xml"/><Relationship Id="rId1" Type="x/worksheet" Target="/xl/worksheets/s.xml"/><Relationship Id="rId2" Type="x/sharedStrings" Target="strings.xml"/><Relationship Id="rId3" Type="x/styles" Target="styles.xml"/></Relationships>"#;

    fn read_parts(sheet: &str, strings: &str, styles: &str) -> Result<SheetBuilder, SheetError> {
        let file = zip_of(&[
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/worksheets/s.xml", sheet),
            ("xl/strings.xml", strings),
            ("xl/styles.xml", styles),
        ]);
        let mut out = SheetBuilder::default();
        read(&file, &mut out)?;
        Ok(out)
    }

    /// Shared strings (phonetic runs left out), rich text, numbers that are ID numbers or
    /// dates by their format, booleans, errors, cells without a reference, a blank first row.
    #[test]
    fn cells_read_as_the_importer_needs_them() {
        let strings = r#"<sst><si><t>姓名</t></si><si><r><t>身份</t></r><r><t>证号</t></r><rPh><t>シェン</t></rPh></si><si><t xml:space="preserve"> 孙丽 </t></si><si/></sst>"#;
        let styles = r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/><numFmt numFmtId="165" formatCode="0_ ;[Red]\-0\ "/></numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"#;
        let sheet = r#"<worksheet><dimension ref="B2:H3"/><sheetData><row r="1"><c r="A1" s="1"/></row>
            <row r="2"><c r="B2" t="s"><v>0</v></c><c t="s"><v>1</v></c><c><v>出生</v></c></row>
            <row r="3"><c r="B3" t="s"><v>2</v></c><c r="C3"><v>1.10101196001011E+17</v></c><c r="D3" s="1"><v>21916</v></c><c r="E3" s="2"><v>21916.5</v></c><c r="F3" s="3"><v>42</v></c><c r="G3" t="b"><v>1</v></c><c r="H3" t="e"><v>#N/A</v></c><c r="I3" t="inlineStr"><is><t>a&amp;b&#x4E00;</t></is></c></row>
            <row r="5"><c r="B5" t="s"><v>3</v></c></row></sheetData><mergeCells/></worksheet>"#;
        let out = read_parts(sheet, strings, styles).unwrap();
        assert_eq!(
            out.headers.as_deref(),
            Some(&["".to_string(), "姓名".into(), "身份证号".into(), "出生".into()][..])
        );
        assert_eq!(out.rows.len(), 1, "the row of one empty string is not a row");
        let (n, cells) = &out.rows[0];
        assert_eq!(*n, 3);
        assert_eq!(
            &cells[1..],
            ["孙丽", "110101196001011000", "1960-01-01", "1960-01-01", "42", "是", "#ERROR", "a&b一"]
        );
    }

    #[test]
    fn rows_out_of_order_and_cells_past_the_limits_are_refused() {
        let sheet = |rows: &str| format!("<worksheet><sheetData>{rows}</sheetData></worksheet>");
        let read = |rows: &str| read_parts(&sheet(rows), "<sst/>", "<styleSheet/>").map(|_| ());
        assert_eq!(read(r#"<row r="2"/><row r="2"/>"#), Err(SheetError::Xlsx));
        assert_eq!(read(r#"<row r="200002"/>"#), Err(SheetError::TooManyRows));
        assert_eq!(read(r#"<row r="1"><c r="BM1"/></row>"#), Err(SheetError::TooManyColumns));
        assert_eq!(read(r#"<row r="1"><c r="A4294967296"/></row>"#), Err(SheetError::TooManyRows));
        assert_eq!(read(r#"<row r="1"><c r="AAAAAAAAAAAAAAAA1"/></row>"#), Err(SheetError::TooManyColumns));
        assert_eq!(read(r#"<row r="1"><c r="1A"/></row>"#), Err(SheetError::Xlsx));
        assert_eq!(read(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#), Err(SheetError::Xlsx));
        let deep = "<a>".repeat(200);
        assert_eq!(read(&deep), Err(SheetError::Xlsx));
        let long_text =
            format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row>"#, "字".repeat(50_000));
        assert_eq!(read(&long_text), Err(SheetError::TooMuchText));
        let long_token =
            format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row>"#, "x".repeat(2 << 20));
        assert_eq!(read(&long_token), Err(SheetError::Xlsx));
        let mut many = String::from("<sst>");
        many.push_str(&"<si/>".repeat(MAX_CELLS + 1));
        assert_eq!(
            read_parts(&sheet(""), &many, "<styleSheet/>").map(|_| ()),
            Err(SheetError::TooMuchText),
            "shared strings past the cap"
        );
    }

    #[test]
    fn references_formats_and_dates() {
        assert_eq!(cell_ref("A1"), Some((1, 1)));
        assert_eq!(cell_ref("$BL$200001"), Some((64, 200_001)));
        assert_eq!(cell_ref("XFD1048576"), Some((16384, 1_048_576)));
        assert_eq!(cell_ref("A"), None);
        assert_eq!(cell_ref("A1B"), None);
        assert_eq!(cell_ref("A99999999999999"), Some((1, u32::MAX)));
        assert!(is_date_format("yyyy-mm-dd"));
        assert!(is_date_format("[$-804]yyyy\"年\"m\"月\"d\"日\""));
        assert!(!is_date_format("0.00_);[Red](0.00)"));
        assert!(!is_date_format("\"day\"0"));
        assert_eq!(excel_date(21916.0, false).as_deref(), Some("1960-01-01"));
        assert_eq!(excel_date(20454.0, true).as_deref(), Some("1960-01-01"));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300, 2_958_466.0] {
            assert_eq!(excel_date(bad, false), None, "{bad}");
        }
        assert_eq!(resolve("xl", "worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml");
        assert_eq!(resolve("xl", "/xl/worksheets/a.xml"), "xl/worksheets/a.xml");
        assert_eq!(resolve("xl", "../../x/./y.xml"), "x/y.xml");
    }
}
