//! The one embedded typeface (a subset of Noto Sans CJK SC, see `assets/fonts/README.md`) and the
//! little text measurement the layout needs.
//!
//! We map characters to glyphs through the font's `cmap` and advance by `hmtx` ourselves instead of
//! running a shaper: Chinese and the Latin digits/letters on notices need no ligatures or kerning,
//! and skipping rustybuzz keeps the build light and lets the layout measure exactly what is drawn.

use std::collections::BTreeSet;

use krilla::text::{GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

use super::ReportError;

/// The font travels inside the binary so every deployment prints the same PDF, with no system fonts.
pub(crate) static FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf");

/// Where the baseline sits below the top of the em box (Noto CJK: ascender 880 / 1000).
pub(crate) const ASCENT: f32 = 0.88;

/// Glyph lookup and metrics over the embedded font, plus the PDF-side font handle.
pub(crate) struct Face {
    pub(crate) pdf_font: krilla::text::Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    units_per_em: f32,
    /// Advance of `.notdef` (the tofu box), used for characters the subset lacks.
    notdef_advance: f32,
}

/// A run of text turned into positioned glyphs, ready for `Surface::draw_glyphs`.
pub(crate) struct GlyphRun {
    pub(crate) glyphs: Vec<KrillaGlyph>,
}

impl Face {
    pub(crate) fn load() -> Result<Self, ReportError> {
        let font_ref = FontRef::from_index(FONT_DATA, 0).map_err(|e| ReportError::Font(e.to_string()))?;
        // Advances in font units divided by units-per-em exactly as krilla does: any rounding
        // difference makes krilla write a kerning adjustment after every glyph.
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(font_ref.head().map(|h| h.units_per_em()).unwrap_or(1000));
        let notdef_advance = metrics.advance_width(skrifa::GlyphId::NOTDEF).unwrap_or(units_per_em) / units_per_em;
        let pdf_font = krilla::text::Font::new(FONT_DATA.into(), 0)
            .ok_or_else(|| ReportError::Font("krilla could not parse the embedded font".into()))?;
        Ok(Self { pdf_font, charmap: font_ref.charmap(), metrics, units_per_em, notdef_advance })
    }

    /// Glyph id and advance (em) for one character; `None` glyph means the font lacks it.
    fn lookup(&self, c: char) -> (Option<skrifa::GlyphId>, f32) {
        match self.charmap.map(c) {
            Some(gid) => {
                let adv = self.metrics.advance_width(gid).map(|a| a / self.units_per_em);
                (Some(gid), adv.unwrap_or(self.notdef_advance))
            }
            None => (None, self.notdef_advance),
        }
    }

    /// Width of one character in em; used by the line breaker.
    pub(crate) fn advance(&self, c: char) -> f32 {
        self.lookup(c).1
    }

    /// Width of a string in em.
    pub(crate) fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }

    /// Turns `text` into glyphs; characters the font lacks become `.notdef` (drawn as a box, so
    /// the printout shows *something* is there) and are collected into `missing` for the caller.
    pub(crate) fn glyph_run(&self, text: &str, missing: &mut BTreeSet<char>) -> GlyphRun {
        let mut glyphs = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            let (gid, adv) = self.lookup(c);
            let gid = match gid {
                Some(g) => g.to_u32(),
                None => {
                    missing.insert(c);
                    0
                }
            };
            glyphs.push(KrillaGlyph::new(GlyphId::new(gid), adv, 0.0, 0.0, 0.0, i..i + c.len_utf8(), None));
        }
        GlyphRun { glyphs }
    }
}

/// Characters of `text` that the print font cannot show (sorted, unique; line breaks ignored).
///
/// Lets data entry warn about a name such as "吉𠮷" when it is typed, not when the notice is
/// already printed.
pub fn unsupported_chars(text: &str) -> Vec<char> {
    let Ok(font) = FontRef::from_index(FONT_DATA, 0) else {
        // Unreachable with the font compiled in; claiming every character is missing is the
        // conservative answer.
        return text.chars().collect::<BTreeSet<_>>().into_iter().collect();
    };
    let charmap = font.charmap();
    let missing: BTreeSet<char> =
        text.chars().filter(|&c| !matches!(c, '\n' | '\r') && charmap.map(c).is_none()).collect();
    missing.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_gb2312_and_rare_name_characters() {
        let face = Face::load().unwrap();
        let mut missing = BTreeSet::new();
        // Level-1, level-2 GB 2312 hanzi, rare surname/given-name characters and punctuation.
        face.glyph_run("张王李赵鑫淼珺喆昇堃琍钰玥〇、。，；：？！（）「」《》ABC123", &mut missing);
        assert!(missing.is_empty(), "missing {missing:?}");
    }

    #[test]
    fn reports_characters_outside_the_subset() {
        let face = Face::load().unwrap();
        let mut missing = BTreeSet::new();
        // U+20BB7 𠮷 (CJK Ext. B) and a Hangul syllable are outside our subset.
        let run = face.glyph_run("吉𠮷한", &mut missing);
        assert_eq!(missing.into_iter().collect::<Vec<_>>(), vec!['한', '𠮷'], "sorted by code point");
        assert_eq!(run.glyphs[1].glyph_id.to_u32(), 0);
        assert!(face.width("𠮷") > 0.5, "tofu still takes space");
    }

    #[test]
    fn unsupported_chars_checks_names_before_printing() {
        assert!(unsupported_chars("欧阳珺\n李喆").is_empty());
        assert_eq!(unsupported_chars("吉𠮷 吉𠮷"), vec!['𠮷']);
    }

    #[test]
    fn cjk_is_one_em_and_latin_narrower() {
        let face = Face::load().unwrap();
        assert!((face.advance('中') - 1.0).abs() < 0.01);
        assert!(face.advance('1') < 0.7);
    }
}
