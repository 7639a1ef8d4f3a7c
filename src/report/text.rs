//! Line breaking for mixed Chinese/Latin text.
//!
//! Chinese may break between any two characters, except that closing punctuation must not start a
//! line and opening punctuation must not end one (the 禁则 rules of GB/T 15834 typesetting
//! practice). Latin words and numbers (ID numbers, codes, dates) stay whole unless a single word is
//! wider than the line, in which case it is cut where it overflows rather than spilling out of a cell.

/// Characters that must not begin a line.
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '。' | '，'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '〕'
            | '〗'
            | '”'
            | '’'
            | '…'
            | '—'
            | '·'
            | '・'
            | '%'
            | '％'
            | '‰'
            | '℃'
            | ')'
            | ']'
            | '}'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | '．'
            | '～'
    )
}

/// Characters that must not end a line.
fn no_break_after(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '《' | '〈' | '【' | '〔' | '〖' | '“' | '‘' | '(' | '[' | '{' | '￥' | '¥' | '$')
}

/// Ideographs, CJK punctuation and full-width forms: each is its own "word".
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// May a line end between `prev` and `cur`?
fn can_break(prev: char, cur: char) -> bool {
    if cur.is_whitespace() || no_break_before(cur) || no_break_after(prev) {
        return false;
    }
    prev.is_whitespace() || is_wide(prev) || is_wide(cur)
}

/// Splits `text` into lines no wider than `max_width`, where `advance(c)` is a character's width
/// in the same unit. Explicit `\n` forces a break; spaces at a break are dropped. Always returns
/// at least one (possibly empty) line, so an empty cell still has a row height.
pub(crate) fn wrap(text: &str, max_width: f32, advance: impl Fn(char) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        wrap_paragraph(para.trim_end_matches('\r'), max_width, &advance, &mut lines);
    }
    lines
}

fn wrap_paragraph(text: &str, max_width: f32, advance: &impl Fn(char) -> f32, lines: &mut Vec<String>) {
    let chars: Vec<char> = text.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let mut start = 0; // index of the first char of the current line
    let mut width = 0.0;
    let mut last_break: Option<usize> = None; // a break is allowed *before* this index
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if i > start && can_break(chars[i - 1], c) {
            last_break = Some(i);
        }
        let w = advance(c);
        // Trailing spaces may hang past the margin; they are trimmed below.
        if width + w > max_width && i > start && !c.is_whitespace() {
            let cut = match last_break {
                Some(b) if b > start => b,
                // No legal break on this line (one very long word, or a run of punctuation):
                // cut here so nothing overflows the column.
                _ => i,
            };
            lines.push(chars[start..cut].iter().collect::<String>().trim_end().to_string());
            start = cut;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
            i = i.max(start);
            // Re-measure what moved down, and remember any legal break inside it.
            width = chars[start..i].iter().map(|&c| advance(c)).sum();
            last_break = (start + 1..i).rev().find(|&k| can_break(chars[k - 1], chars[k]));
            continue;
        }
        width += w;
        i += 1;
    }
    lines.push(chars[start..].iter().collect::<String>().trim_end().to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wide characters 1.0, everything else 0.5: like the real font, close enough for rules.
    fn adv(c: char) -> f32 {
        if is_wide(c) { 1.0 } else { 0.5 }
    }

    #[test]
    fn breaks_between_hanzi() {
        assert_eq!(wrap("居民委员会选举", 3.0, adv), vec!["居民委", "员会选", "举"]);
    }

    #[test]
    fn never_starts_a_line_with_closing_punctuation() {
        // Cutting after 4 would start line 2 with "。", so 举 moves down with it.
        let lines = wrap("居民选举。下一步", 4.0, adv);
        assert_eq!(lines, vec!["居民选", "举。下一", "步"]);
        for l in &lines {
            assert!(!l.starts_with(['。', '，', '）']), "{lines:?}");
        }
    }

    #[test]
    fn never_ends_a_line_with_opening_punctuation() {
        assert_eq!(wrap("公告（第一号）", 3.0, adv), vec!["公告", "（第一", "号）"]);
    }

    #[test]
    fn keeps_latin_words_whole_and_drops_break_spaces() {
        assert_eq!(wrap("hello world again", 4.0, adv), vec!["hello", "world", "again"]);
        assert_eq!(wrap("hello world again", 6.0, adv), vec!["hello world", "again"]);
    }

    #[test]
    fn cuts_overlong_words() {
        let lines = wrap("110101199001011234", 4.0, adv);
        assert_eq!(lines, vec!["11010119", "90010112", "34"]);
    }

    #[test]
    fn mixed_text_and_newlines() {
        assert_eq!(wrap("第1组\n王小明", 10.0, adv), vec!["第1组", "王小明"]);
        assert_eq!(wrap("", 10.0, adv), vec![""]);
    }
}
