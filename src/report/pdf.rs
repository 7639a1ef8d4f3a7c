//! The drawing layer: layouts produce pages of simple drawing operations, and [`write_pdf`] turns
//! them into a PDF with krilla.
//!
//! Layout and output are two passes because every page carries "第 N 页 / 共 M 页", and the total
//! is only known once the whole document has been laid out.

use std::collections::BTreeSet;
use std::sync::Arc;

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::font::{ASCENT, Face};
use super::qr::QrMatrix;
use super::{Rendered, ReportError};

/// A4 portrait in PostScript points (1/72 in).
pub(crate) const A4_WIDTH: f32 = 595.28;
pub(crate) const A4_HEIGHT: f32 = 841.89;
pub(crate) const MM: f32 = 72.0 / 25.4;

/// One drawing operation; coordinates are points from the page's top-left corner, y downwards.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// One line of text whose em box starts at `top`.
    Text { x: f32, top: f32, size: f32, text: String, bold: bool },
    /// A filled rectangle in a gray level (0 black – 255 white).
    Fill { area: Area, gray: u8 },
    /// A rectangle outline.
    Frame { area: Area, width: f32 },
    /// A QR code whose side (quiet zone excluded) is `side` points.
    Qr { x: f32, y: f32, side: f32, matrix: Arc<QrMatrix> },
}

pub(crate) type PageOps = Vec<Op>;

/// A rectangle as laid out; krilla's `Rect` rejects degenerate sizes, so conversion happens at
/// drawing time, where a degenerate box is simply skipped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) w: f32,
    pub(crate) h: f32,
}

impl Area {
    fn path(&self) -> PathBuilder {
        let mut pb = PathBuilder::new();
        if let Some(r) = Rect::from_xywh(self.x, self.y, self.w, self.h) {
            pb.push_rect(r);
        }
        pb
    }
}

/// Writes `pages` as an A4 PDF. With `page_numbers`, each page gets "第 N 页 / 共 M 页" centred
/// in the bottom margin.
pub(crate) fn write_pdf(
    title: &str,
    pages: &[PageOps],
    face: &Face,
    page_numbers: bool,
) -> Result<Rendered, ReportError> {
    let mut missing = BTreeSet::new();
    let mut doc = Document::new();
    doc.set_metadata(Metadata::new().title(title.to_string()).language("zh-CN".into()).creator("Huanjie".into()));
    let settings = PageSettings::from_wh(A4_WIDTH, A4_HEIGHT).ok_or(ReportError::Pdf("bad page size".into()))?;
    let total = pages.len().max(1);
    // An empty document is not a valid PDF; emit one blank page instead.
    let empty: [PageOps; 1] = [Vec::new()];
    let pages = if pages.is_empty() { &empty[..] } else { pages };
    for (n, ops) in pages.iter().enumerate() {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, face, &mut missing);
        }
        if page_numbers {
            let label = format!("第 {} 页 / 共 {} 页", n + 1, total);
            let size = 9.0;
            let x = (A4_WIDTH - face.width(&label) * size) / 2.0;
            let op = Op::Text { x, top: A4_HEIGHT - 12.0 * MM, size, text: label, bold: false };
            draw(&mut surface, &op, face, &mut missing);
        }
        surface.finish();
        page.finish();
    }
    let pdf = doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    Ok(Rendered { pdf, missing_glyphs: missing.into_iter().collect(), pages: total })
}

fn black_fill() -> Fill {
    Fill { paint: luma::Color::black().into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

fn black_stroke(width: f32) -> Stroke {
    Stroke { paint: luma::Color::black().into(), width, ..Default::default() }
}

fn draw(surface: &mut Surface<'_>, op: &Op, face: &Face, missing: &mut BTreeSet<char>) {
    match op {
        Op::Text { x, top, size, text, bold } => {
            if text.is_empty() {
                return;
            }
            let run = face.glyph_run(text, missing);
            surface.set_fill(Some(black_fill()));
            // We ship one weight to stay small; bold is the regular outline filled *and* stroked,
            // which prints convincingly at heading sizes.
            surface.set_stroke(bold.then(|| black_stroke(size * 0.035)));
            let baseline = Point::from_xy(*x, top + ASCENT * size);
            surface.draw_glyphs(baseline, &run.glyphs, face.pdf_font.clone(), text, *size, false);
            surface.set_stroke(None);
        }
        Op::Fill { area, gray } => {
            if let Some(path) = area.path().finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill { paint: luma::Color::new(*gray).into(), ..black_fill() }));
                surface.draw_path(&path);
            }
        }
        Op::Frame { area, width } => stroke_path(surface, area.path(), *width),
        Op::Qr { x, y, side, matrix } => {
            let module = side / matrix.width as f32;
            let mut pb = PathBuilder::new();
            // Rectangles in module units under one scaling transform: small integers instead of
            // long decimals make the content stream ~3x smaller, and with 2,000 voter cards most
            // of the rendering time is spent compressing content streams. For the same reason a
            // rectangle covers a horizontal run of dark modules, extended down over the rows
            // that repeat the exact same run (finder patterns, vertical strokes).
            for (x0, y0, x1, y1) in matrix.rectangles() {
                if let Some(r) = Rect::from_ltrb(x0 as f32, y0 as f32, x1 as f32, y1 as f32) {
                    pb.push_rect(r);
                }
            }
            if let Some(path) = pb.finish() {
                surface.push_transform(&Transform::from_row(module, 0.0, 0.0, module, *x, *y));
                surface.set_stroke(None);
                surface.set_fill(Some(black_fill()));
                surface.draw_path(&path);
                surface.pop();
            }
        }
    }
}

fn stroke_path(surface: &mut Surface<'_>, pb: PathBuilder, width: f32) {
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(black_stroke(width)));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_shapes_and_empty_text_are_skipped_not_fatal() {
        let face = Face::load().unwrap();
        let area = Area { x: 10.0, y: 10.0, w: -5.0, h: 0.0 };
        let ops = vec![
            Op::Fill { area, gray: 200 },
            Op::Frame { area, width: 1.0 },
            Op::Text { x: 0.0, top: 0.0, size: 12.0, text: String::new(), bold: true },
        ];
        let r = write_pdf("测试", &[ops], &face, false).unwrap();
        assert_eq!(r.pages, 1);
        assert!(r.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn document_title_is_in_the_metadata() {
        let face = Face::load().unwrap();
        let r = write_pdf("选举结果公告", &[Vec::new()], &face, true).unwrap();
        // krilla writes the Info title as a hex string of UTF-16BE with a byte-order mark.
        let hex: String = "选举结果公告".encode_utf16().map(|u| format!("{u:04X}")).collect();
        let needle = format!("/Title<FEFF{hex}>");
        assert!(r.pdf.windows(needle.len()).any(|w| w == needle.as_bytes()));
    }
}
