//! Official notices: a title, optional subtitle, key facts, paragraphs, one table that may run over
//! many pages (a 2,000-voter list), footer notes, an optional QR code and the issuing body's
//! signature block (organisation and date, where the seal is stamped).

use std::sync::Arc;

use super::flow::{Align, BODY_WIDTH, Flow, MARGIN};
use super::font::Face;
use super::pdf::{MM, Op, write_pdf};
use super::qr::QrMatrix;
use super::table::Table;
use super::{Rendered, ReportError};

/// A notice to be printed and posted (公告) or handed out.
#[derive(Debug, Clone, Default)]
pub struct Notice {
    pub title: String,
    pub subtitle: Option<String>,
    /// Key facts shown as "label：value" lines under the title (e.g. 选举日期).
    pub meta: Vec<(String, String)>,
    /// Body paragraphs; each gets the customary two-character first-line indent.
    pub paragraphs: Vec<String>,
    pub table: Option<Table>,
    /// Notes after the table (e.g. where to lodge objections and by when).
    pub footer: Vec<String>,
    /// Payload drawn as a QR code at the end (e.g. the URL of the online copy).
    pub qr: Option<String>,
    /// Issuing organisation and date, right-aligned at the end, where the seal goes.
    pub signature_block: Option<(String, String)>,
}

/// Renders `notice` as A4 portrait with 2 cm margins and "第 N 页 / 共 M 页" on every page.
pub fn render_notice(notice: &Notice) -> Result<Rendered, ReportError> {
    render_notices(std::slice::from_ref(notice))
}

/// Renders several notices into one PDF, each starting on a new page (e.g. one certificate
/// 当选证书 per elected member).
pub fn render_notices(notices: &[Notice]) -> Result<Rendered, ReportError> {
    let face = Face::load()?;
    let mut flow = Flow { face: &face, pages: vec![Vec::new()], y: MARGIN };
    for (i, notice) in notices.iter().enumerate() {
        if i > 0 {
            flow.new_page();
        }
        draw(&mut flow, notice)?;
    }
    let title = notices.first().map(|n| n.title.as_str()).unwrap_or("");
    write_pdf(title, &flow.pages, &face, true)
}

fn draw(flow: &mut Flow<'_>, notice: &Notice) -> Result<(), ReportError> {
    flow.block(&notice.title, 18.0, 1.4, Align::Center, true);
    if let Some(sub) = &notice.subtitle {
        flow.block(sub, 12.0, 1.4, Align::Center, false);
    }
    flow.y += 8.0;
    for (label, value) in &notice.meta {
        flow.block(&format!("{label}：{value}"), 10.5, 1.5, Align::Left, false);
    }
    flow.y += 4.0;
    for p in &notice.paragraphs {
        // Two ideographic spaces: the first-line indent of Chinese official documents (GB/T 9704).
        flow.block(&format!("\u{3000}\u{3000}{}", p.trim_start()), 12.0, 1.6, Align::Left, false);
    }
    if let Some(table) = &notice.table {
        flow.y += 6.0;
        flow.table(table)?;
    }
    flow.y += 6.0;
    for line in &notice.footer {
        flow.block(line, 10.5, 1.5, Align::Left, false);
    }
    flow.closing(notice)
}

impl Flow<'_> {
    fn closing(&mut self, notice: &Notice) -> Result<(), ReportError> {
        let qr = notice.qr.as_deref().map(QrMatrix::encode).transpose()?;
        if qr.is_none() && notice.signature_block.is_none() {
            return Ok(());
        }
        let qr_side = 28.0 * MM;
        let sig_size = 12.0;
        let sig_h = 2.0 * sig_size * 1.8 + 24.0;
        let height = if qr.is_some() { qr_side.max(sig_h) } else { sig_h };
        self.ensure(height + 12.0);
        self.y += 12.0;
        let top = self.y;
        if let Some(matrix) = qr {
            self.ops().push(Op::Qr { x: MARGIN, y: top, side: qr_side, matrix: Arc::new(matrix) });
        }
        if let Some((org, date)) = &notice.signature_block {
            // Org and date are centred on each other at the right, as on a stamped document.
            self.y = top + 24.0;
            let w = self.face.width(org).max(self.face.width(date)) * sig_size;
            let right = MARGIN + BODY_WIDTH - 2.0 * sig_size;
            for line in [org, date] {
                let lw = self.face.width(line) * sig_size;
                let x = right - w + (w - lw) / 2.0;
                let y = self.y;
                self.text(x.max(MARGIN), y, sig_size, line, false);
                self.y += sig_size * 1.8;
            }
        }
        self.y = top + height;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A voter-list notice with `rows` voters, as `publish_voter_list` would build it.
    pub(crate) fn voter_list(rows: usize) -> Notice {
        let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
        let given = ["珺", "喆", "昇", "堃", "琍", "钰", "建国", "秀英", "志强", "丽华"];
        Notice {
            title: "幸福里社区第十二届居民委员会选举选民名单公告".into(),
            subtitle: Some("（第一号）".into()),
            meta: vec![("选举日期".into(), "2026年12月20日".into()), ("选民人数".into(), rows.to_string())],
            paragraphs: vec![
                "根据《中华人民共和国城市居民委员会组织法》和本市有关规定，经本社区居民选举委员会审核，现将选民名单予以公布。"
                    .into(),
                "对公布的选民名单有不同意见的，可以在名单公布之日起五日内向本社区居民选举委员会提出申诉。".into(),
            ],
            table: Some(Table {
                headers: vec!["序号".into(), "姓名".into(), "性别".into(), "居民小组".into(), "住址".into()],
                rows: (0..rows)
                    .map(|i| {
                        vec![
                            (i + 1).to_string(),
                            format!("{}{}", surnames[i % 10], given[(i / 10) % 10]),
                            if i % 2 == 0 { "男" } else { "女" }.into(),
                            format!("第{}居民小组", i % 12 + 1),
                            format!("幸福里{}号楼{}单元{}室", i % 40 + 1, i % 4 + 1, 101 + i % 30),
                        ]
                    })
                    .collect(),
                col_widths: Some(vec![1.0, 2.0, 1.0, 2.0, 4.0]),
            }),
            footer: vec!["注：选民证将于选举日前三日发放。".into()],
            qr: Some("https://huanjie.example/e/42/voters".into()),
            signature_block: Some(("幸福里社区居民选举委员会".into(), "2026年11月25日".into())),
        }
    }

    pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn output_is_a_complete_pdf() {
        let r = render_notice(&voter_list(10)).unwrap();
        assert!(r.pdf.starts_with(b"%PDF"));
        assert!(r.pdf.trim_ascii_end().ends_with(b"%%EOF"));
        assert_eq!(r.pages, 1);
        assert!(r.missing_glyphs.is_empty(), "{:?}", r.missing_glyphs);
    }

    #[test]
    fn an_empty_notice_is_still_one_page() {
        let r = render_notice(&Notice::default()).unwrap();
        assert_eq!(r.pages, 1);
        assert!(r.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn page_count_grows_with_rows() {
        let counts: Vec<usize> = [10, 100, 400].iter().map(|&n| render_notice(&voter_list(n)).unwrap().pages).collect();
        assert!(counts[0] < counts[1] && counts[1] < counts[2], "{counts:?}");
        // ~37 rows of 18.5 pt fit on a 25.7 cm body: 400 rows need 10–13 pages.
        assert!((10..=13).contains(&counts[2]), "{counts:?}");
    }

    #[test]
    fn font_is_embedded_and_subset() {
        let r = render_notice(&voter_list(50)).unwrap();
        assert!(contains(&r.pdf, b"/FontFile2") || contains(&r.pdf, b"/FontFile3"));
        // The full subset font is ~1.6 MB; a notice uses a few hundred glyphs.
        assert!(r.pdf.len() < super::super::font::FONT_DATA.len() / 10, "{} bytes", r.pdf.len());
    }

    #[test]
    fn missing_glyphs_are_reported_not_fatal() {
        let mut n = voter_list(3);
        if let Some(t) = n.table.as_mut() {
            t.rows[1][1] = "吉𠮷".into();
        }
        n.title.push('한');
        let r = render_notice(&n).unwrap();
        assert_eq!(r.missing_glyphs, vec!['한', '𠮷']);
        assert!(r.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn long_cells_wrap_and_huge_rows_split_across_pages() {
        let mut n = voter_list(2);
        if let Some(t) = n.table.as_mut() {
            t.rows[0][4] = "很长的地址".repeat(400);
        }
        let r = render_notice(&n).unwrap();
        assert!(r.pages >= 2, "a 2,000-character cell must continue on the next page");
    }

    #[test]
    fn inconsistent_tables_are_errors() {
        let mut n = voter_list(3);
        if let Some(t) = n.table.as_mut() {
            t.rows[2].pop();
        }
        assert!(matches!(render_notice(&n), Err(ReportError::Table(_))));
        let mut n = voter_list(3);
        if let Some(t) = n.table.as_mut() {
            t.col_widths = Some(vec![1.0]);
        }
        assert!(matches!(render_notice(&n), Err(ReportError::Table(_))));
    }

    #[test]
    pub(super) fn text_extracts_with_pdftotext() {
        let r = render_notice(&voter_list(60)).unwrap();
        let dir = std::env::temp_dir().join(format!("huanjie-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notice.pdf");
        std::fs::write(&path, &r.pdf).unwrap();
        let out = match std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output() {
            Ok(out) => out,
            Err(e) => {
                eprintln!(
                    "SKIPPED text_extracts_with_pdftotext: pdftotext not runnable ({e}); apt-get install poppler-utils"
                );
                return;
            }
        };
        let _ = std::fs::remove_dir_all(&dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // pdftotext guesses spaces from glyph positions; compare without them.
        let text: String = String::from_utf8_lossy(&out.stdout).split_whitespace().collect();
        assert!(text.contains("居民委员会选举选民名单公告"), "{text}");
        assert!(text.contains("王珺"), "table cell: {text}");
        assert!(text.contains(&format!("第{0}页/共{0}页", r.pages)), "page numbers: {text}");
        assert!(r.pages >= 2 && text.matches("居民小组").count() >= 60 + 2, "header repeated on page 2");
    }
}
