//! Printable output: official notices (选民名单公告, 正式候选人名单, 选举结果公告, 当选证书, ballots)
//! and voter cards (选民证), rendered to A4 PDF; and the CSV exports, all through one writer
//! ([`csv::CsvSheet`]).
//!
//! Pure functions from plain data to bytes: no I/O besides the font compiled into the binary, no
//! async, so handlers can call them inside `spawn_blocking` and tests can call them directly.
//! Characters the embedded font lacks are drawn as a box and listed in [`Rendered::missing_glyphs`]
//! so the caller can warn the clerk before a name is printed wrongly on a public notice.

mod card;
pub mod csv;
mod flow;
mod font;
mod notice;
mod pdf;
pub mod qr;
mod table;
mod text;

use std::fmt;

pub use card::{Card, render_cards};
pub use font::unsupported_chars;
pub use notice::{Notice, render_notice, render_notices};
pub use qr::QrMatrix;
pub use table::Table;

/// A finished PDF.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// Characters not in the embedded font, printed as a fallback box (sorted, unique).
    pub missing_glyphs: Vec<char>,
    pub pages: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// The embedded font could not be read (a broken build, not bad input).
    Font(String),
    /// The QR payload does not fit in a QR code.
    Qr(String),
    /// The table's shape is inconsistent (row length, column widths).
    Table(String),
    /// krilla failed to write the document.
    Pdf(String),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Font(m) => write!(f, "embedded font: {m}"),
            Self::Qr(m) => write!(f, "QR code: {m}"),
            Self::Table(m) => write!(f, "table: {m}"),
            Self::Pdf(m) => write!(f, "PDF output: {m}"),
        }
    }
}

impl std::error::Error for ReportError {}
