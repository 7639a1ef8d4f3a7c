//! The notice table: column widths, wrapped cells, rows that break across pages with the header
//! repeated on every page (a 2,000-voter list runs to ~55 pages).

use super::ReportError;
use super::flow::{BODY_WIDTH, Flow, MARGIN};
use super::font::Face;
use super::pdf::{Area, Op};
use super::text::wrap;

/// A table of text cells (a voter list, candidates with their votes); every row has one cell per
/// header.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Relative column widths (any unit; they are scaled to the text width). Without them,
    /// widths follow the content.
    pub col_widths: Option<Vec<f32>>,
}

const TABLE_SIZE: f32 = 10.0;
const CELL_PAD: f32 = 3.0;
const LINE_HEIGHT: f32 = 1.35;

impl Flow<'_> {
    pub(super) fn table(&mut self, table: &Table) -> Result<(), ReportError> {
        let widths = column_widths(self.face, table)?;
        let xs: Vec<f32> = widths.iter().scan(MARGIN, |x, w| Some(std::mem::replace(x, *x + w))).collect();
        let wrap_cells = |cells: &[String]| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| wrap(c, (w - 2.0 * CELL_PAD) / TABLE_SIZE, |ch| self.face.advance(ch)))
                .collect()
        };
        let header = wrap_cells(&table.headers);
        let header_lines = header.iter().map(Vec::len).max().unwrap_or(1);
        let header_h = header_lines as f32 * TABLE_SIZE * LINE_HEIGHT + 2.0 * CELL_PAD;
        // Keep the header with at least one row.
        self.ensure(header_h + TABLE_SIZE * LINE_HEIGHT + 2.0 * CELL_PAD);
        self.row(&xs, &widths, &header, header_lines, true);
        for (i, cells) in table.rows.iter().enumerate() {
            if cells.len() != widths.len() {
                return Err(ReportError::Table(format!(
                    "row {} has {} cells, the header has {}",
                    i + 1,
                    cells.len(),
                    widths.len()
                )));
            }
            let mut rest = wrap_cells(cells);
            let mut fresh_page = false;
            loop {
                let need = rest.iter().map(Vec::len).max().unwrap_or(1).max(1);
                let room = ((Self::bottom() - self.y - 2.0 * CELL_PAD) / (TABLE_SIZE * LINE_HEIGHT)).floor();
                let fit = if room < 1.0 { 0 } else { room as usize };
                if need <= fit {
                    self.row(&xs, &widths, &rest, need, false);
                    break;
                }
                if fresh_page && fit == 0 {
                    // Only a header filling the page gets here; print the row over the margin
                    // rather than loop forever.
                    self.row(&xs, &widths, &rest, need, false);
                    break;
                }
                if fresh_page {
                    // A row taller than a whole page: print what fits, continue it on the next.
                    let tail = rest.iter_mut().map(|c| c.split_off(fit.min(c.len()))).collect();
                    self.row(&xs, &widths, &rest, fit, false);
                    rest = tail;
                }
                self.new_page();
                self.row(&xs, &widths, &header, header_lines, true);
                fresh_page = true;
            }
        }
        Ok(())
    }

    /// Draws one table row of `lines` text lines at the current position and advances.
    fn row(&mut self, xs: &[f32], widths: &[f32], cells: &[Vec<String>], lines: usize, header: bool) {
        let lh = TABLE_SIZE * LINE_HEIGHT;
        let h = lines as f32 * lh + 2.0 * CELL_PAD;
        let y = self.y;
        if header {
            let area = Area { x: MARGIN, y, w: widths.iter().sum(), h };
            self.ops().push(Op::Fill { area, gray: 225 });
        }
        for ((x, w), cell) in xs.iter().zip(widths).zip(cells) {
            for (k, line) in cell.iter().enumerate() {
                let top = y + CELL_PAD + k as f32 * lh + (lh - TABLE_SIZE) / 2.0;
                let lx = if header { x + (w - self.face.width(line) * TABLE_SIZE) / 2.0 } else { x + CELL_PAD };
                self.text(lx, top, TABLE_SIZE, line, header);
            }
            self.ops().push(Op::Frame { area: Area { x: *x, y, w: *w, h }, width: 0.5 });
        }
        self.y += h;
    }
}

/// Column widths in points, summing to the body width.
fn column_widths(face: &Face, table: &Table) -> Result<Vec<f32>, ReportError> {
    let n = table.headers.len();
    if n == 0 {
        return Err(ReportError::Table("a table needs at least one column".into()));
    }
    let weights: Vec<f32> = match &table.col_widths {
        Some(w) if w.len() != n => {
            return Err(ReportError::Table(format!("{} column widths for {} columns", w.len(), n)));
        }
        Some(w) if w.iter().any(|x| !x.is_finite() || *x <= 0.0) => {
            return Err(ReportError::Table("column widths must be positive".into()));
        }
        Some(w) => w.clone(),
        None => {
            // Natural single-line width of each column, with long columns (addresses, notes)
            // capped so that one of them cannot squeeze the rest into slivers.
            let mut natural: Vec<f32> = table.headers.iter().map(|h| face.width(h)).collect();
            for row in &table.rows {
                for (nat, cell) in natural.iter_mut().zip(row) {
                    *nat = nat.max(face.width(cell));
                }
            }
            let cap = BODY_WIDTH / TABLE_SIZE * 0.45;
            natural.iter().map(|w| w.min(cap) + 2.0 * CELL_PAD / TABLE_SIZE).collect()
        }
    };
    let total: f32 = weights.iter().sum();
    Ok(weights.iter().map(|w| w / total * BODY_WIDTH).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_column_widths_fill_the_body() {
        let face = Face::load().unwrap();
        let t = Table {
            headers: vec!["序号".into(), "姓名".into(), "性别".into(), "居民小组".into(), "住址".into()],
            rows: (0..20)
                .map(|i| {
                    vec![
                        (i + 1).to_string(),
                        "王建国".into(),
                        if i % 2 == 0 { "男" } else { "女" }.into(),
                        format!("第{}居民小组", i % 12 + 1),
                        format!("幸福里{}号楼{}单元{}室", i % 40 + 1, i % 4 + 1, 101 + i % 30),
                    ]
                })
                .collect(),
            col_widths: None,
        };
        let w = column_widths(&face, &t).unwrap();
        assert!((w.iter().sum::<f32>() - BODY_WIDTH).abs() < 0.1);
        assert!(w[4] > w[2], "the address column is wider than 性别: {w:?}");
    }
}
