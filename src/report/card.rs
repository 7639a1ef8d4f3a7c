//! Voter cards (选民证) and similar small cards, eight to an A4 sheet, to be cut apart.
//!
//! A 2,000-voter community prints 2,000 cards in one job, so the layout is fixed-size boxes with
//! no measurement beyond wrapping each field.

use std::sync::Arc;

use super::font::Face;
use super::pdf::{A4_HEIGHT, A4_WIDTH, Area, MM, Op, PageOps, write_pdf};
use super::qr::QrMatrix;
use super::text::wrap;
use super::{Rendered, ReportError};

/// One card. Fields are printed as given: the caller masks the ID number (e.g. `1101**********1234`)
/// because the card may be seen by others at the polling station.
#[derive(Debug, Clone, Default)]
pub struct Card {
    /// Card type, printed large: "选民证".
    pub title: String,
    /// The election, e.g. "××社区第十二届居民委员会选举".
    pub heading: String,
    pub name: String,
    pub id_masked: String,
    pub community: String,
    /// Further "label：value" lines (voter number, polling station, residents' group).
    pub extra: Vec<(String, String)>,
    /// Printed in full under the QR code, for voters who type it in.
    pub voting_code: String,
    /// QR payload (usually a URL carrying the voting code).
    pub qr: String,
    /// The vote page's address, printed above the code for those who type both in.
    pub address: String,
    /// The short check-in number for the clerk (not the code), printed under the QR code.
    pub checkin_no: String,
}

const COLS: usize = 2;
const ROWS: usize = 4;
const PAGE_MARGIN: f32 = 10.0 * MM;
/// Extra room at the bottom for the page number.
const FOOT: f32 = 15.0 * MM;
const GAP: f32 = 4.0 * MM;
const PAD: f32 = 8.0;
const FIELD_SIZE: f32 = 10.0;
const QR_SIDE: f32 = 26.0 * MM;
/// Light margin between the QR code and the card's frame: scanners want 4 modules of quiet zone
/// (a 29–33-module code at 26 mm has ~2.2–2.5 pt modules).
const QR_QUIET: f32 = 12.0;

/// Lays out `cards` eight per A4 page, in reading order.
pub fn render_cards(cards: &[Card]) -> Result<Rendered, ReportError> {
    let face = Face::load()?;
    let per_page = COLS * ROWS;
    let card_w = (A4_WIDTH - 2.0 * PAGE_MARGIN - (COLS - 1) as f32 * GAP) / COLS as f32;
    let card_h = (A4_HEIGHT - PAGE_MARGIN - FOOT - (ROWS - 1) as f32 * GAP) / ROWS as f32;
    let mut qrs = encode_all(cards)?.into_iter();
    let mut pages: Vec<PageOps> = Vec::with_capacity(cards.len().div_ceil(per_page));
    for chunk in cards.chunks(per_page) {
        let mut ops = Vec::with_capacity(per_page * 24);
        for (i, card) in chunk.iter().enumerate() {
            let x = PAGE_MARGIN + (i % COLS) as f32 * (card_w + GAP);
            let y = PAGE_MARGIN + (i / COLS) as f32 * (card_h + GAP);
            let qr = qrs.next().ok_or_else(|| ReportError::Qr("QR code count mismatch".into()))?;
            draw_card(&face, card, qr, Area { x, y, w: card_w, h: card_h }, &mut ops);
        }
        pages.push(ops);
    }
    write_pdf("选民证", &pages, &face, true)
}

/// Encodes every card's QR code, on all cores: choosing the best of the eight QR masks is more
/// than half of the time a 2,000-card job takes, and each code is independent.
fn encode_all(cards: &[Card]) -> Result<Vec<Arc<QrMatrix>>, ReportError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads == 1 || cards.len() < 64 {
        return cards.iter().map(|c| QrMatrix::encode(&c.qr).map(Arc::new)).collect();
    }
    let chunk = cards.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = cards
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter().map(|c| QrMatrix::encode(&c.qr).map(Arc::new)).collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(cards.len());
        for worker in workers {
            let part = worker.join().map_err(|_| ReportError::Qr("QR encoder thread panicked".into()))??;
            all.extend(part);
        }
        Ok(all)
    })
}

fn draw_card(face: &Face, card: &Card, qr: Arc<QrMatrix>, area: Area, ops: &mut Vec<Op>) {
    ops.push(Op::Frame { area, width: 0.8 });
    let inner_x = area.x + PAD;
    let inner_w = area.w - 2.0 * PAD;
    let mut y = area.y + PAD;
    let centered = |ops: &mut Vec<Op>, text: &str, size: f32, bold: bool, max_lines: usize, y: &mut f32| {
        for line in wrap(text, inner_w / size, |c| face.advance(c)).into_iter().take(max_lines) {
            let x = inner_x + (inner_w - face.width(&line) * size) / 2.0;
            ops.push(Op::Text { x, top: *y, size, text: line, bold });
            *y += size * 1.3;
        }
    };
    centered(ops, &card.heading, 9.0, false, 2, &mut y);
    y += 2.0;
    centered(ops, &card.title, 15.0, true, 1, &mut y);
    y += 4.0;

    // Fields on the left, the QR code on the right.
    let qr_x = area.x + area.w - QR_QUIET - QR_SIDE;
    ops.push(Op::Qr { x: qr_x, y, side: QR_SIDE, matrix: qr });
    let field_w = qr_x - 6.0 - inner_x;
    // The check-in number under the QR code, large enough for a clerk to read across the desk.
    if !card.checkin_no.is_empty() {
        let line = format!("签到号 {}", card.checkin_no);
        let size = 10.0_f32.min(QR_SIDE / face.width(&line).max(1.0));
        let x = qr_x + (QR_SIDE - face.width(&line) * size) / 2.0;
        // Below the QR code's quiet zone (4 modules, about 9 pt at this size).
        ops.push(Op::Text { x, top: y + QR_SIDE + 9.0, size, text: line, bold: true });
    }
    // The community is the heading's first words already: printed again only if it is not.
    let community = (!card.heading.contains(&card.community)).then_some(("社区", &card.community));
    let fields = [("姓名", &card.name), ("身份证号", &card.id_masked)].into_iter().chain(community);
    let extra = card.extra.iter().map(|(l, v)| (l.as_str(), v));
    let code_top = area.y + area.h - PAD - 11.0;
    // The address above the code, on one line: shrunk to fit rather than wrapped.
    let address_top = code_top - 12.0;
    let fields_end = if card.address.is_empty() { code_top } else { address_top };
    for (k, (label, value)) in fields.into_iter().chain(extra).enumerate() {
        // The name is what a clerk checks against the roll: larger and bold.
        let is_name = k == 0;
        let size = if is_name { 12.0 } else { FIELD_SIZE };
        for line in wrap(&format!("{label}：{value}"), field_w / size, |c| face.advance(c)).into_iter().take(2) {
            // Never draw over the address and code lines; a card with too many extras loses the last ones.
            if y + size > fields_end - 2.0 {
                break;
            }
            ops.push(Op::Text { x: inner_x, top: y, size, text: line, bold: is_name });
            y += size * 1.45;
        }
    }
    if !card.address.is_empty() {
        let line = format!("投票网址：{}", card.address);
        let size = if face.width(&line) * 9.0 <= inner_w { 9.0 } else { inner_w / face.width(&line) };
        ops.push(Op::Text { x: inner_x, top: address_top, size, text: line, bold: false });
    }
    let code = format!("投票码：{}", card.voting_code);
    let size = if face.width(&code) * 10.5 <= inner_w { 10.5 } else { inner_w / face.width(&code) };
    ops.push(Op::Text { x: inner_x, top: code_top, size, text: code, bold: true });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn cards(n: usize) -> Vec<Card> {
        (0..n)
            .map(|i| Card {
                title: "选民证".into(),
                heading: "幸福里社区第十二届居民委员会选举".into(),
                name: format!("李{}", ["喆", "堃", "秀英"][i % 3]),
                id_masked: format!("1101**********{:04}", i % 10000),
                community: "朝阳区幸福里社区".into(),
                extra: vec![("选民编号".into(), format!("{:05}", i + 1)), ("投票站".into(), "第一投票站".into())],
                voting_code: format!("K7Q2-MX9D-4RTA-{:04}", i % 10000),
                qr: format!("https://huanjie.example/v/K7Q2MX9D4RTA{:04}", i % 10000),
                address: "https://huanjie.example/vote".into(),
                checkin_no: (i + 1).to_string(),
            })
            .collect()
    }

    #[test]
    fn eight_cards_per_page() {
        let r = render_cards(&cards(17)).unwrap();
        assert_eq!(r.pages, 3);
        assert!(r.pdf.starts_with(b"%PDF") && r.pdf.trim_ascii_end().ends_with(b"%%EOF"));
        assert!(r.missing_glyphs.is_empty());
    }

    #[test]
    fn no_cards_is_one_blank_page() {
        let r = render_cards(&[]).unwrap();
        assert_eq!(r.pages, 1);
        assert!(r.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn card_text_extracts_with_pdftotext() {
        let r = render_cards(&cards(3)).unwrap();
        let path = std::env::temp_dir().join(format!("huanjie-cards-{}.pdf", std::process::id()));
        std::fs::write(&path, &r.pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output();
        let _ = std::fs::remove_file(&path);
        let Ok(out) = out else {
            eprintln!("SKIPPED card_text_extracts_with_pdftotext: pdftotext not installed (poppler-utils)");
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("选民证") && text.contains("李堃") && text.contains("K7Q2-MX9D-4RTA-0001"), "{text}");
        // The address and the check-in number are printed (issue 13 item 2).
        assert!(text.contains("https://huanjie.example/vote") && text.contains("签到号 3"), "{text}");
    }

    /// Not required (the matrix test covers the encoding), but proves the vector drawing scans:
    /// rasterise with pdftoppm and decode with zbarimg when both are installed.
    #[test]
    fn printed_qr_codes_scan() {
        let r = render_cards(&cards(2)).unwrap();
        let dir = std::env::temp_dir().join(format!("huanjie-qr-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("c.pdf"), &r.pdf).unwrap();
        let raster = std::process::Command::new("pdftoppm")
            .args(["-r", "150", "-png", "-singlefile", "c.pdf", "c"])
            .current_dir(&dir)
            .status();
        let scan = std::process::Command::new("zbarimg")
            .args(["-q", "--raw", "--set", "databar.disable=1", "c.png"])
            .current_dir(&dir)
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        let (Ok(raster), Ok(scan)) = (raster, scan) else {
            eprintln!("SKIPPED printed_qr_codes_scan: needs pdftoppm (poppler-utils) and zbarimg (zbar-tools)");
            return;
        };
        assert!(raster.success());
        let text = String::from_utf8_lossy(&scan.stdout);
        assert!(text.contains("https://huanjie.example/v/K7Q2MX9D4RTA0000"), "{text}");
        assert!(text.contains("https://huanjie.example/v/K7Q2MX9D4RTA0001"), "{text}");
    }
}
