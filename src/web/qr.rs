//! QR codes as inline SVG (no image crates): a checkpoint or a voting code a phone can scan.

use qrcode::{Color, EcLevel, QrCode};

/// An SVG drawing of `data` as a QR code, `px` pixels wide, or None if it does not fit.
/// The drawing itself is hidden from screen readers: the page wraps it in an element with
/// `role="img"` and an `aria-label` in the reader's language saying what it holds and where
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
    #[test]
    fn draws_one_square_per_dark_module() {
        let s = super::svg("huanjie.localhost/system\n3\nabc=\n", 200).unwrap();
        assert!(s.starts_with("<svg"));
        let code =
            qrcode::QrCode::with_error_correction_level(b"huanjie.localhost/system\n3\nabc=\n", qrcode::EcLevel::M)
                .unwrap();
        let dark = code.to_colors().iter().filter(|c| **c == qrcode::Color::Dark).count();
        assert_eq!(s.matches('z').count(), dark);
    }
}
