//! The one CSV writer every export uses (the residents register, the elections dashboard).
//!
//! Two things every export needs and none may forget:
//! - **Excel in China opens it as UTF-8**: the file starts with a byte-order mark, otherwise
//!   Excel reads it as GBK and the names come out garbled.
//! - **No cell runs as a formula** (CSV injection, OWASP): a cell that starts with `=`, `+`, `-`,
//!   `@`, tab or carriage return (or the full-width `＝＋－＠` an IME types) gets a leading `'`, so
//!   Excel and WPS show it as text instead of evaluating `=HYPERLINK(…)` or a DDE command. A cell
//!   that already starts with `'` before such a sign gets one more, so [`restore`] undoes
//!   [`neutralise`] exactly and our own export imports back unchanged (`+86 139…` stays a phone
//!   number, `-1` a household number).

use std::borrow::Cow;

/// Signs that make a spreadsheet treat a cell as a formula (or strip to one).
const FORMULA_SIGNS: &[char] = &['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Whether `cell`, after any leading apostrophes, starts a formula.
fn formula_like(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_SIGNS)
}

/// The cell as written to a CSV export: prefixed with `'` if a spreadsheet would run it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if formula_like(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// The value behind a cell of our own export: the inverse of [`neutralise`]. A lone `'` in front
/// of anything else is kept (it is the person's data, not our mark).
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// A CSV file being written: UTF-8 with BOM, every cell neutralised, fields quoted where CSV
/// needs it (RFC 4180), one `\n` per record.
pub struct CsvSheet {
    out: Vec<u8>,
}

impl CsvSheet {
    /// A new file with its header row.
    pub fn new<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> CsvSheet {
        let mut sheet = CsvSheet { out: b"\xEF\xBB\xBF".to_vec() };
        sheet.row(header);
        sheet
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            let cell = neutralise(cell.as_ref());
            if cell.contains([',', '"', '\n', '\r']) {
                self.out.push(b'"');
                self.out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                self.out.push(b'"');
            } else {
                self.out.extend_from_slice(cell.as_bytes());
            }
        }
        self.out.push(b'\n');
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(bytes: &[u8]) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
        ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn every_formula_sign_is_neutralised() {
        for c in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1", "＋1", "－1", "＠x"] {
            assert_eq!(neutralise(c), format!("'{c}"), "{c:?}");
        }
        let attack = "=HYPERLINK(\"http://evil.example\",\"x\")";
        assert_eq!(neutralise(attack), format!("'{attack}"));
        // Apostrophes in front of a sign do not smuggle it through.
        assert_eq!(neutralise("'=1"), "''=1");
        assert_eq!(neutralise("''+1"), "'''+1");
    }

    #[test]
    fn ordinary_cells_are_untouched() {
        for c in ["王芳", "", "110101198005060012", "1-2", "a=b", " 12", "'quoted", "O'Brien", "2026-12-01"] {
            assert!(matches!(neutralise(c), Cow::Borrowed(_)), "{c:?}");
            assert_eq!(restore(c), c, "{c:?}");
        }
    }

    #[test]
    fn restore_inverts_neutralise() {
        let cells = [
            "=1+1",
            "-5",
            "+86 139 0000 0000",
            "@",
            "\tx",
            "\rx",
            "'=1",
            "''-1",
            "'",
            "''",
            "'x",
            "x",
            "",
            "－甲",
            "＠",
        ];
        for c in cells {
            assert_eq!(restore(&neutralise(c)), c, "{c:?}");
        }
    }

    #[test]
    fn file_has_bom_header_and_quoted_fields() {
        let mut s = CsvSheet::new(["姓名", "备注"]);
        s.row(["王芳", "a,b"]);
        s.row(["say \"hi\"", "two\nlines"]);
        s.row(["=HYPERLINK(\"http://evil.example\",\"x\")", "-3"]);
        let bytes = s.into_bytes();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF\xE5\xA7\x93")); // BOM, then 姓 in UTF-8
        let rows = read_back(&bytes);
        assert_eq!(rows[0], ["姓名", "备注"]);
        assert_eq!(rows[1], ["王芳", "a,b"]);
        assert_eq!(rows[2], ["say \"hi\"", "two\nlines"]);
        assert_eq!(rows[3], ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'-3"]);
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn a_cell_opening_with_carriage_return_stays_one_cell() {
        let mut s = CsvSheet::new(["a", "b"]);
        s.row(["\r=1", "x"]);
        let rows = read_back(&s.into_bytes());
        assert_eq!(rows[1], ["'\r=1", "x"]);
    }
}
