//! A top-to-bottom flow of content over A4 pages with 2 cm margins: what notices and their
//! tables are laid out on.

use super::font::Face;
use super::pdf::{A4_HEIGHT, A4_WIDTH, MM, Op, PageOps};
use super::text::wrap;

pub(super) const MARGIN: f32 = 20.0 * MM;
pub(super) const BODY_WIDTH: f32 = A4_WIDTH - 2.0 * MARGIN;

#[derive(Clone, Copy)]
pub(super) enum Align {
    Left,
    Center,
}

/// A top-to-bottom flow of content over pages.
pub(super) struct Flow<'a> {
    pub(super) face: &'a Face,
    pub(super) pages: Vec<PageOps>,
    pub(super) y: f32,
}

impl Flow<'_> {
    pub(super) fn bottom() -> f32 {
        A4_HEIGHT - MARGIN
    }

    pub(super) fn ops(&mut self) -> &mut PageOps {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits (a block taller than a page is not moved).
    pub(super) fn ensure(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > MARGIN {
            self.new_page();
        }
    }

    pub(super) fn text(&mut self, x: f32, top: f32, size: f32, text: &str, bold: bool) {
        self.ops().push(Op::Text { x, top, size, text: text.to_string(), bold });
    }

    /// A wrapped block of text at the full body width, line by line so it may cross pages.
    pub(super) fn block(&mut self, text: &str, size: f32, line_height: f32, align: Align, bold: bool) {
        let lh = size * line_height;
        for line in wrap(text, BODY_WIDTH / size, |c| self.face.advance(c)) {
            self.ensure(lh);
            let w = self.face.width(&line) * size;
            let x = match align {
                Align::Left => MARGIN,
                Align::Center => MARGIN + (BODY_WIDTH - w) / 2.0,
            };
            let top = self.y + (lh - size) / 2.0;
            self.text(x, top, size, &line, bold);
            self.y += lh;
        }
    }
}
