//! QR codes for voter cards and notices (e.g. a link to the published list), encoded with the
//! `qrcode` crate and drawn as vector rectangles so they stay sharp at any print resolution.

use qrcode::{Color, EcLevel, QrCode};

use super::ReportError;

/// The module matrix of a QR code, row by row, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    pub width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `payload` with error correction level M (15 % damage), a balance between a
    /// creased, stamped paper card still scanning and the code staying small.
    pub fn encode(payload: &str) -> Result<Self, ReportError> {
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
            .map_err(|e| ReportError::Qr(e.to_string()))?;
        let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
        Ok(Self { width: code.width(), dark })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }
}

impl QrMatrix {
    /// Dark areas as `(left, top, right, bottom)` rectangles in module units: horizontal runs,
    /// each merged with identical runs in the rows directly below.
    pub(crate) fn rectangles(&self) -> Vec<(usize, usize, usize, usize)> {
        let mut done = Vec::new();
        // Runs still growing downwards: (left, right, top).
        let mut open: Vec<(usize, usize, usize)> = Vec::new();
        for row in 0..=self.width {
            let runs = if row < self.width { self.runs(row) } else { Vec::new() };
            open.retain(|&(l, r, top)| {
                let continues = runs.contains(&(l, r));
                if !continues {
                    done.push((l, top, r, row));
                }
                continues
            });
            for (l, r) in runs {
                if !open.iter().any(|&(ol, or, _)| ol == l && or == r) {
                    open.push((l, r, row));
                }
            }
        }
        done
    }

    /// Maximal horizontal runs of dark modules in `row` as `(left, right)`, right exclusive.
    fn runs(&self, row: usize) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut col = 0;
        while col < self.width {
            if self.is_dark(col, row) {
                let start = col;
                while col < self.width && self.is_dark(col, row) {
                    col += 1;
                }
                runs.push((start, col));
            } else {
                col += 1;
            }
        }
        runs
    }
}

/// An SVG drawing of `data` as a QR code for a web page, `px` pixels wide, or None if it does
/// not fit. The drawing itself is hidden from screen readers: the page wraps it in an element
/// with `role="img"` and an `aria-label` in the reader's language saying what it holds and where
/// the same content is in words (a test checks every template that shows one).
pub fn svg(data: &str, px: u32) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let w = code.width();
    let quiet = 4;
    let size = w + 2 * quiet;
    let mut path = String::with_capacity(w * w * 4);
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % w + quiet, i / w + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" \
         aria-hidden=\"true\" focusable=\"false\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_draws_one_square_per_dark_module() {
        let s = svg("huanjie.localhost/system\n3\nabc=\n", 200).unwrap();
        assert!(s.starts_with("<svg"));
        let code = QrCode::with_error_correction_level(b"huanjie.localhost/system\n3\nabc=\n", EcLevel::M).unwrap();
        let dark = code.to_colors().iter().filter(|c| **c == Color::Dark).count();
        assert_eq!(s.matches('z').count(), dark);
    }

    #[test]
    fn matrix_matches_the_qrcode_crate() {
        let payload = "https://huanjie.example/v/ABCD-EFGH-JKMN-PQRS";
        let m = QrMatrix::encode(payload).unwrap();
        let reference = QrCode::with_error_correction_level(payload, EcLevel::M).unwrap();
        assert_eq!(m.width, reference.width());
        assert_eq!(m.is_dark(0, 0), reference[(0, 0)] == Color::Dark);
        // Finder patterns: the three corners are dark, the fourth corner's module is not a finder.
        assert!(m.is_dark(0, 0) && m.is_dark(m.width - 1, 0) && m.is_dark(0, m.width - 1));
        assert!(!m.is_dark(m.width, 0), "outside the matrix is light");
    }

    #[test]
    fn rectangles_cover_exactly_the_dark_modules() {
        let m = QrMatrix::encode("选民证 K7Q2-MX9D-4RTA-0001").unwrap();
        let mut covered = vec![0u8; m.width * m.width];
        let rects = m.rectangles();
        for &(l, t, r, b) in &rects {
            for y in t..b {
                for x in l..r {
                    covered[y * m.width + x] += 1;
                }
            }
        }
        for y in 0..m.width {
            for x in 0..m.width {
                assert_eq!(covered[y * m.width + x], u8::from(m.is_dark(x, y)), "module ({x}, {y})");
            }
        }
        let dark = (0..m.width * m.width).filter(|i| m.is_dark(i % m.width, i / m.width)).count();
        assert!(rects.len() * 2 < dark, "{} rectangles for {} dark modules", rects.len(), dark);
    }

    #[test]
    fn oversized_payload_is_an_error_not_a_panic() {
        let huge = "x".repeat(5000);
        assert!(matches!(QrMatrix::encode(&huge), Err(ReportError::Qr(_))));
    }
}
