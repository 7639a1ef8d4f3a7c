//! Surname stroke counts (姓氏笔画) for ordering candidate lists (LAW.md §5 [P]).
//!
//! Standard stroke counts of the simplified characters (GB 13000.1 stroke-order standard), grouped
//! by count and, within a count, by first stroke in the order 横 一, 竖 丨, 撇 丿, 点 丶, 折 乙
//! (the order of 姓氏笔画排序: fewer strokes first, then the first stroke, then — where both agree —
//! Unicode order, which is how printed lists are usually settled too).

use crate::law::profile::CandidateOrder;
use serde::Serialize;

/// First strokes, in sorting order.
pub const HENG: u8 = 1;
pub const SHU: u8 = 2;
pub const PIE: u8 = 3;
pub const DIAN: u8 = 4;
pub const ZHE: u8 = 5;

/// (strokes, first stroke, characters). Covers the characters of the ~550 most common surnames,
/// single and compound.
const TABLE: &[(u8, u8, &str)] = &[
    (2, HENG, "丁"),
    (2, SHU, "卜"),
    (2, PIE, "人"),
    (2, ZHE, "刁力乜"),
    (3, HENG, "于干万"),
    (3, SHU, "上山"),
    (3, PIE, "千么"),
    (3, DIAN, "门广"),
    (3, ZHE, "马卫习弓子"),
    (4, HENG, "王井开元韦云尤车支太木区丰戈五亓"),
    (4, SHU, "贝水中"),
    (4, PIE, "牛毛仇公乌从长仉仓勾凤殳父"),
    (4, DIAN, "文方卞计亢火"),
    (4, ZHE, "孔邓尹巴双毋"),
    (5, HENG, "石左甘艾古平玉正龙东厉布术"),
    (5, SHU, "申田史叶归卢占帅冉由"),
    (5, PIE, "白丘付代包乐印令丛仝生"),
    (5, DIAN, "冯宁兰玄邝"),
    (5, ZHE, "皮边司台弘加母"),
    (6, HENG, "邢吉成巩权过毕朴西达匡戎夹百扬亚厍"),
    (6, SHU, "吕曲同师光"),
    (6, PIE, "朱乔伍任华向伊全仲后危伏舟竹年仰先邬延舌尧"),
    (6, DIAN, "刘江汤许安齐池关米闫羊庄祁农宇衣汝闭"),
    (6, ZHE, "孙阮阳纪牟那阴如红"),
    (7, HENG, "杨李苏严杜来花芦劳巫连辰麦芮寿豆束贡轩甫"),
    (7, SHU, "吴时岑里步别肖旷"),
    (7, PIE, "何余佘邹谷狄利佟伯邱希位但邸"),
    (7, DIAN, "宋沈汪冷沙辛应闵况言库冶初沃良"),
    (7, ZHE, "张陈陆邵君改阿迟邰"),
    (8, HENG, "林范郁茅苗武英苟杭幸青拓欧奉环苑松雨"),
    (8, SHU, "易罗尚卓明昌虎具国呼畅叔"),
    (8, PIE, "金周岳季和竺牧秉佩依狐"),
    (8, DIAN, "郑庞宗房单郎冼宛宓官庚於空"),
    (8, ZHE, "孟经练屈承居驷孤"),
    (9, HENG, "赵胡柯荣查柏茹荀项封南郝柳相革荆郦政"),
    (9, SHU, "哈冒战"),
    (9, PIE, "钟段侯俞饶秋钮皇禹郜信香修昝郗保须俟独"),
    (9, DIAN, "姜施洪宣祝闻宫娄祖养洛闾"),
    (9, ZHE, "贺姚骆费胥"),
    (10, HENG, "秦袁夏聂莫贾桂耿晋索栗原都顾班敖桓"),
    (10, SHU, "晏柴党晁"),
    (10, PIE, "钱倪徐殷翁奚卿徒"),
    (10, DIAN, "高郭唐凌谈诸涂容宰席浦海益栾宾离"),
    (10, ZHE, "陶桑能姬展"),
    (11, HENG, "黄曹萧盛戚梅龚"),
    (11, SHU, "常崔"),
    (11, PIE, "符银盘第"),
    (11, DIAN, "梁章康麻商阎寇盖淳宿谌扈鹿庹"),
    (11, ZHE, "屠隋尉逯隆隗巢"),
    (12, HENG, "韩董蒋彭葛覃惠斯越粟敬辜揭植"),
    (12, SHU, "喻景跋"),
    (12, PIE, "程傅焦舒储鲁嵇智"),
    (12, DIAN, "曾温童谢游富湛普禄"),
    (12, ZHE, "强"),
    (13, HENG, "蓝蒲靳甄楚蒙雷赖楼裘鄢蒯"),
    (13, SHU, "路虞訾督"),
    (13, PIE, "詹简鲍解微"),
    (13, DIAN, "窦廉褚雍满阙新"),
    (14, HENG, "蔡臧赫慕蔺蔚辕"),
    (14, SHU, "裴"),
    (14, PIE, "管鲜"),
    (14, DIAN, "谭廖端阚漆"),
    (14, ZHE, "熊缪翟暨"),
    (15, HENG, "樊"),
    (15, SHU, "暴颛"),
    (15, PIE, "黎滕稽"),
    (15, DIAN, "潘颜"),
    (16, HENG, "薛霍燕薄融"),
    (16, SHU, "冀"),
    (16, PIE, "穆衡雕"),
    (16, DIAN, "澹"),
    (17, HENG, "戴鞠檀"),
    (17, PIE, "魏"),
    (17, DIAN, "糜濮"),
    (18, SHU, "瞿"),
    (20, HENG, "壤"),
    (20, PIE, "籍"),
];

/// Compound surnames (复姓), matched before single ones.
pub const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐",
    "端木", "西门", "南宫", "独孤", "轩辕", "澹台", "公冶", "濮阳", "淳于", "单于", "太叔", "申屠", "钟离", "闾丘",
    "东郭", "百里", "呼延", "万俟", "司空", "拓跋", "赫连", "鲜于", "闻人", "公羊", "宗政", "仲孙", "亓官", "司寇",
    "仉督", "子车", "颛孙", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "夹谷", "宰父", "谷梁", "段干", "东门",
    "南门", "羊舌", "微生", "梁丘", "左丘", "第五",
];

/// Stroke count and first stroke of a character, if the table has it.
pub fn stroke_info(c: char) -> Option<(u8, u8)> {
    TABLE.iter().find(|(_, _, chars)| chars.contains(c)).map(|(n, first, _)| (*n, *first))
}

/// The surname of a full name: a known compound surname if the name is long enough to also have
/// a given name, else the first character.
pub fn surname(name: &str) -> &str {
    let name = name.trim();
    if name.chars().count() >= 3
        && let Some(c) = COMPOUND_SURNAMES.iter().find(|c| name.starts_with(**c))
    {
        return &name[..c.len()];
    }
    match name.char_indices().nth(1) {
        Some((i, _)) => &name[..i],
        None => name,
    }
}

/// Per character: (strokes, first stroke, code point).
pub type StrokeKey = Vec<(u8, u8, u32)>;

/// Sort key of a surname; `None` when a character is not in the table.
pub fn surname_key(surname: &str) -> Option<StrokeKey> {
    surname.chars().map(|c| stroke_info(c).map(|(n, f)| (n, f, u32::from(c)))).collect()
}

/// Every distinct character in the table (for tests and coverage reports).
pub fn known_characters() -> impl Iterator<Item = char> {
    TABLE.iter().flat_map(|(_, _, s)| s.chars())
}

/// A name on a list to be ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub id: String,
    pub name: String,
    pub nomination_votes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderedList {
    pub ids: Vec<String>,
    /// True when some surname is not in the stroke table and the list fell back to Unicode
    /// order: the committee must check the order by hand.
    pub unicode_fallback: bool,
    pub unknown_surnames: Vec<String>,
}

/// LAW.md §5 [P]: order by surname stroke count (姓氏笔画) or by nomination votes.
pub fn order_candidates(entries: &[ListEntry], order: CandidateOrder) -> OrderedList {
    let keyed: Vec<(&ListEntry, Option<StrokeKey>)> =
        entries.iter().map(|e| (e, surname_key(surname(&e.name)))).collect();
    let mut unknown: Vec<String> =
        keyed.iter().filter(|(_, k)| k.is_none()).map(|(e, _)| surname(&e.name).to_string()).collect();
    unknown.sort();
    unknown.dedup();
    let fallback = !unknown.is_empty();
    let mut v = keyed;
    v.sort_by(|(a, ka), (b, kb)| {
        let by_votes = match order {
            CandidateOrder::NominationVotes => b.nomination_votes.cmp(&a.nomination_votes),
            CandidateOrder::SurnameStrokes => std::cmp::Ordering::Equal,
        };
        let by_strokes = if fallback { std::cmp::Ordering::Equal } else { ka.cmp(kb) };
        by_votes.then(by_strokes).then_with(|| a.name.cmp(&b.name)).then_with(|| a.id.cmp(&b.id))
    });
    OrderedList {
        ids: v.iter().map(|(e, _)| e.id.clone()).collect(),
        unicode_fallback: fallback,
        unknown_surnames: unknown,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_no_duplicates_and_covers_500_surnames_p() {
        let mut seen = HashSet::new();
        for c in known_characters() {
            assert!(seen.insert(c), "{c} twice");
        }
        for c in COMPOUND_SURNAMES {
            assert!(surname_key(c).is_some(), "{c} not covered");
        }
        // Compound surnames reuse characters; the table holds more than 500 surname characters.
        assert!(seen.len() + COMPOUND_SURNAMES.len() >= 500, "{}", seen.len());
    }

    #[test]
    fn stroke_counts_of_common_surnames_p() {
        let table = [
            ('王', 4, HENG),
            ('李', 7, HENG),
            ('张', 7, ZHE),
            ('刘', 6, DIAN),
            ('陈', 7, ZHE),
            ('杨', 7, HENG),
            ('黄', 11, HENG),
            ('赵', 9, HENG),
            ('吴', 7, SHU),
            ('周', 8, PIE),
            ('丁', 2, HENG),
            ('马', 3, ZHE),
            ('魏', 17, PIE),
            ('瞿', 18, SHU),
        ];
        for (c, n, f) in table {
            assert_eq!(stroke_info(c), Some((n, f)), "{c}");
        }
    }

    #[test]
    fn compound_surnames_are_recognised_p() {
        assert_eq!(surname("欧阳修"), "欧阳");
        assert_eq!(surname("司马光"), "司马");
        assert_eq!(surname("诸葛亮"), "诸葛");
        assert_eq!(surname("司雨"), "司");
        assert_eq!(surname("王"), "王");
        assert_eq!(surname(""), "");
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn e(id: &str, name: &str, v: u32) -> ListEntry {
        ListEntry { id: id.into(), name: name.into(), nomination_votes: v }
    }

    #[test]
    fn order_by_surname_strokes_p() {
        // 丁 2 < 王 4 < 白 5 (撇) < 冯 5 (点) < 刘 6 < 李 7 (横) < 张 7 (折) < 欧阳 8 < 赵 9
        let entries = vec![
            e("zhao", "赵敏", 0),
            e("zhang", "张伟", 0),
            e("li", "李娜", 0),
            e("ouyang", "欧阳明", 0),
            e("liu", "刘洋", 0),
            e("feng", "冯军", 0),
            e("bai", "白雪", 0),
            e("wang", "王芳", 0),
            e("ding", "丁一", 0),
        ];
        let o = order_candidates(&entries, CandidateOrder::SurnameStrokes);
        assert!(!o.unicode_fallback);
        assert_eq!(o.ids, s(&["ding", "wang", "bai", "feng", "liu", "li", "zhang", "ouyang", "zhao"]));
    }

    #[test]
    fn order_falls_back_to_unicode_with_flag_p() {
        let entries = vec![e("a", "王芳", 0), e("b", "㐀某", 0), e("c", "丁一", 0)];
        let o = order_candidates(&entries, CandidateOrder::SurnameStrokes);
        assert!(o.unicode_fallback);
        assert_eq!(o.unknown_surnames, s(&["㐀"]));
        assert_eq!(o.ids, s(&["b", "c", "a"])); // 㐀 U+3400 < 丁 U+4E01 < 王 U+738B
    }

    #[test]
    fn order_by_nomination_votes_p() {
        let entries = vec![e("a", "王芳", 10), e("b", "丁一", 30), e("c", "李娜", 20)];
        assert_eq!(order_candidates(&entries, CandidateOrder::NominationVotes).ids, s(&["b", "c", "a"]));
    }
}
