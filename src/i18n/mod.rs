//! What Huanjie says, in Simplified Chinese by default and English as the second language:
//! the message catalogue ([`messages::MESSAGES`]), the [`Lang`] a reader chose and the [`Tr`]
//! translator the templates use. The web pages, the JSON API's `message` fields and the CLI all
//! speak through this module. The web layer picks the language from the `lang` cookie (set by
//! the switch in the page header), else from `Accept-Language` ([`Lang::from_headers`]).

mod messages;
pub use messages::MESSAGES;

tokio::task_local! {
    static LARGE: bool;
}

/// Whether the request being answered asked for the 大字版 (false outside a request; see
/// `web::display`, whose layer runs each request inside [`with_display`]).
pub fn large() -> bool {
    LARGE.try_with(|l| *l).unwrap_or(false)
}

/// Runs `fut` (a request) with its display choice in scope, so [`Tr::large`] can read it while
/// a page renders without a field in every page struct.
pub async fn with_display<F: std::future::Future>(large: bool, fut: F) -> F::Output {
    LARGE.scope(large, fut).await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn from_headers(cookie: Option<&str>, accept: Option<&str>) -> Lang {
        if let Some(c) = cookie {
            for part in c.split(';') {
                match part.trim() {
                    "lang=en" => return Lang::En,
                    "lang=zh" => return Lang::Zh,
                    _ => {}
                }
            }
        }
        // First language range that we speak wins; anything unknown falls back to Chinese.
        if let Some(a) = accept {
            for range in a.split(',') {
                let tag = range.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                if tag.starts_with("zh") {
                    return Lang::Zh;
                }
                if tag.starts_with("en") {
                    return Lang::En;
                }
            }
        }
        Lang::Zh
    }
}

/// The translator handed to templates: `{{ t.t("key") }}`.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        text(self.0, key)
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    pub fn is_zh(&self) -> bool {
        self.0 == Lang::Zh
    }
    /// The 大字版 was chosen for this request (see `web::display`): `<html class="large">`.
    pub fn large(&self) -> bool {
        large()
    }
    /// The request runs in a rehearsal deployment (the 演练 banner of every page).
    pub fn rehearsal(&self) -> bool {
        crate::clock::in_rehearsal()
    }
    /// The day the app runs on (a rehearsal's moved day).
    pub fn today(&self) -> String {
        crate::clock::today().to_string()
    }
    /// A rule's plain citation for staff pages ("依据 LAW.md §1"); empty when it names none.
    pub fn cite(&self, rule: &str) -> String {
        match plain_citation(rule) {
            c if c.is_empty() => c,
            c => text(self.0, "law.basis").replace("{rule}", &c).trim().to_string(),
        }
    }
}

/// A rule as staff read it: the LAW.md sections it names, without the [N] / [P] tags or notes
/// ("LAW.md §6 [P] (double entry)" → "LAW.md §6"). Empty when it names no section.
pub fn plain_citation(rule: &str) -> String {
    let sections: Vec<String> = rule
        .split('§')
        .skip(1)
        .filter_map(|s| {
            let n: String = s.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '–')).collect();
            let n = n.trim_end_matches(['.', '–']).to_string();
            (!n.is_empty()).then(|| format!("§{n}"))
        })
        .collect();
    if sections.is_empty() { String::new() } else { format!("LAW.md {}", sections.join(", ")) }
}

/// Looks a message up; an unknown key shows the key itself (visible in review, never a crash).
pub fn text(lang: Lang, key: &str) -> &'static str {
    match MESSAGES.binary_search_by(|(k, _, _)| (*k).cmp(key)) {
        Ok(i) => {
            let (_, zh, en) = MESSAGES[i];
            if lang == Lang::Zh { zh } else { en }
        }
        Err(_) => {
            // Keys with a parameter ("err.id.repeat:12") use their base text.
            match key.split_once(':') {
                Some((base, _)) if base != key => text(lang, base),
                _ => "?",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_sorted_and_unique() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|m| m.0).collect();
        let orig = keys.clone();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(orig, keys, "MESSAGES must be sorted by key, without duplicates");
    }

    #[test]
    fn language_from_cookie_then_accept_language() {
        assert_eq!(Lang::from_headers(None, None), Lang::Zh);
        assert_eq!(Lang::from_headers(None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_headers(Some("a=b; lang=zh"), Some("en")), Lang::Zh);
        assert_eq!(Lang::from_headers(Some("lang=en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::from_headers(None, Some("fr,zh;q=0.5")), Lang::Zh);
        assert_eq!(text(Lang::En, "err.id.repeat:7"), "ID number repeats an earlier row of the file");
    }
}

#[cfg(test)]
mod coverage {
    /// Every message key the code names exists (a missing key shows "?" to users).
    #[test]
    fn every_key_used_in_the_code_has_a_message() {
        let sources = [
            include_str!("../service/import.rs"),
            include_str!("../service/accounts.rs"),
            include_str!("../service/registry.rs"),
            include_str!("../service/voters.rs"),
            include_str!("../service/elections.rs"),
            include_str!("../domain/person.rs"),
            include_str!("../domain/id_card.rs"),
            include_str!("../web/auth.rs"),
            include_str!("../web/error.rs"),
        ];
        let mut missing = Vec::new();
        for src in sources {
            for (i, _) in src.match_indices("\"err.") {
                let key: String = src[i + 1..].chars().take_while(|c| *c != '"').collect();
                if super::text(super::Lang::Zh, &key) == "?" && !key.ends_with('.') {
                    missing.push(key);
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:?}");
    }
}

/// Issue 13 item 6: every message a user can be shown exists in both languages, is translated,
/// and English strings carry no Chinese text or punctuation. Keys are collected from the source
/// tree, so a new code or key without its message fails here.
#[cfg(test)]
mod words {
    use super::{Lang, MESSAGES, text};
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn files(dir: &Path, ext: &str, out: &mut Vec<(String, String)>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                files(&p, ext, out);
            } else if p.extension().is_some_and(|e| e == ext) {
                let rel = p.strip_prefix(root()).unwrap_or(&p).display().to_string();
                out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }

    fn ident(s: &str) -> String {
        s.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '.').collect()
    }

    /// The identifier after every occurrence of `pat`.
    fn after(src: &str, pat: &str) -> Vec<String> {
        src.match_indices(pat).map(|(i, _)| ident(&src[i + pat.len()..])).filter(|s| !s.is_empty()).collect()
    }

    fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
        MESSAGES.binary_search_by(|(k, _, _)| (*k).cmp(key)).ok().map(|i| (MESSAGES[i].1, MESSAGES[i].2))
    }

    /// What is wrong with the message of `key`, if anything.
    fn problem(key: &str) -> Option<String> {
        let Some((zh, en)) = lookup(key) else { return Some(format!("{key}: no message")) };
        // Word order: English needs no word before the number of seats.
        let may_be_empty = ["vote.seats_pre"];
        if zh.trim().is_empty() || (en.trim().is_empty() && !may_be_empty.contains(&key)) {
            return Some(format!("{key}: empty"));
        }
        if zh == en {
            return Some(format!("{key}: English equals Chinese ({en:?})"));
        }
        if zh == key || en == key {
            return Some(format!("{key}: the message echoes its key"));
        }
        None
    }

    fn snake(camel: &str) -> String {
        let mut out = String::new();
        for (i, c) in camel.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The variants of `pub enum name` in `src`, snake_case (as serde names them).
    fn variants(src: &str, name: &str) -> Vec<String> {
        let start = src.find(&format!("pub enum {name} {{")).unwrap_or_else(|| panic!("no enum {name}"));
        let body = &src[start..];
        let body = &body[body.find('{').unwrap_or(0) + 1..body.find('}').unwrap_or(0)];
        body.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//") && !l.starts_with('#') && !l.is_empty())
            .map(|l| snake(l.trim_end_matches(',').split([' ', '{', '(']).next().unwrap_or("")))
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Every law refusal code a page can show (message key `law.<code>`): the codes the
    /// services raise by name, and the law engine's refusal enums.
    fn law_codes() -> Vec<String> {
        let mut sources = Vec::new();
        files(&root().join("src/service"), "rs", &mut sources);
        let mut codes = Vec::new();
        for (path, src) in &sources {
            codes.extend(after(src, "law(\""));
            codes.extend(after(src, "law(\n            \""));
            codes.extend(after(src, "code: \"").into_iter().filter(|c| src.contains(&format!("code: \"{c}\".into()"))));
            if path.ends_with("nominations.rs") {
                codes.extend(after(src, "=> (\""));
            }
            if path.ends_with("recall.rs") {
                // `let code = if … { "no_written_reasons" } else { "too_few_signatures" };`
                for line in src.lines().filter(|l| l.contains("let code = if")) {
                    codes.extend(line.split('"').skip(1).step_by(2).map(str::to_string));
                }
            }
        }
        codes.extend(variants(&read("src/law/eligibility.rs"), "RefusalCode"));
        codes.extend(variants(&read("src/law/proxy.rs"), "ProxyRefusalCode").into_iter().map(|c| format!("proxy_{c}")));
        codes.sort();
        codes.dedup();
        codes
    }

    /// Every field a field error can name (message key `field.<name>`).
    fn field_names() -> Vec<String> {
        let mut sources = Vec::new();
        files(&root().join("src"), "rs", &mut sources);
        let mut out = Vec::new();
        for (_, src) in sources {
            out.extend(after(&src, "field: Some(\""));
            out.extend(after(&src, "field: \""));
            for (i, _) in src.match_indices("invalid(\"") {
                let rest = &src[i + 9..];
                if let Some(j) = rest.find("\", \"").filter(|j| *j < 40) {
                    out.push(ident(&rest[j + 4..]));
                }
            }
            for (i, _) in src.match_indices("num(&") {
                let rest = &src[i..];
                if let Some(j) = rest.find(", \"").filter(|j| *j < 40) {
                    out.push(ident(&rest[j + 3..]));
                }
            }
        }
        // Fields not shown by name (see web::error::messages).
        out.retain(|f| {
            !f.is_empty() && !f.contains('.') && !["file", "password", "scope", "role"].contains(&f.as_str())
        });
        out.sort();
        out.dedup();
        out
    }

    /// Every key the code and the templates use.
    fn used_keys() -> Vec<String> {
        let families: Vec<&str> = MESSAGES.iter().filter_map(|m| m.0.split_once('.')).map(|(f, _)| f).collect();
        let mut keys = Vec::new();
        let mut templates = Vec::new();
        files(&root().join("templates"), "html", &mut templates);
        for (_, src) in &templates {
            for (i, _) in src.match_indices("t.t(\"") {
                keys.push(src[i + 5..].chars().take_while(|c| *c != '"').collect());
            }
        }
        let mut sources = Vec::new();
        files(&root().join("src"), "rs", &mut sources);
        for (path, src) in &sources {
            // The law engine names no message keys; event names are the events' own (zh, en).
            if path.starts_with("src/law") || path.starts_with("src/audit") || path.starts_with("src/i18n") {
                continue;
            }
            for lit in src.split('"').skip(1).step_by(2) {
                let well_formed = lit.contains('.')
                    && !lit.ends_with('.')
                    && lit.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
                let file_name = [".pdf", ".json", ".csv", ".html", ".md", ".toml", ".txt", ".xlsx", ".css", ".js"]
                    .iter()
                    .any(|x| lit.ends_with(x));
                if well_formed
                    && families.contains(&lit.split('.').next().unwrap_or(""))
                    && !(file_name && lookup(lit).is_none())
                {
                    keys.push(lit.to_string());
                }
            }
        }
        // Keys built from a value (`format!("stage.{}", …)`, `t.t(format!("check.{}", …))`).
        let each = |prefix: &str, values: &[&str]| values.iter().map(|v| format!("{prefix}.{v}")).collect::<Vec<_>>();
        keys.extend(crate::domain::Stage::ALL.iter().map(|s| format!("stage.{}", s.as_str())));
        keys.extend(crate::law::Post::ALL.iter().map(|p| format!("post.{}", p.as_str())));
        keys.extend(crate::domain::Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
        keys.extend(each("method", &["direct", "household", "representatives"]));
        keys.extend(each("channel", &["paper", "mobile_box", "proxy", "booth", "remote"]));
        keys.extend(each("round", &["first", "runoff", "revote", "primary"]));
        keys.extend(each("gender", &["male", "female"]));
        keys.extend(each("rights", &["full", "deprived"]));
        keys.extend(each("dl", &["done", "due", "future", "late"]));
        keys.extend(each("objection", &["omitted", "wrongly_included", "wrong_details"]));
        keys.extend(each("objection.status", &["open", "upheld", "rejected", "applied", "approved"]));
        keys.extend(each("vacancy", &["resignation", "death", "sentence", "legal_capacity", "office_ended"]));
        keys.extend(each("void", crate::service::counting::VOID_REASONS));
        keys.extend(each("void", &["totals_do_not_reconcile"]));
        keys.extend(each("handover", &crate::service::counting::HANDOVER_ITEMS));
        let counting = read("src/service/counting.rs");
        keys.extend(
            after(&counting, "code: \"")
                .iter()
                .filter(|c| !counting.contains(&format!("code: \"{c}\".into()")))
                .map(|c| format!("check.{c}")),
        );
        keys.extend(variants(&read("src/law/timetable.rs"), "DeadlineName").iter().map(|d| format!("deadline.{d}")));
        keys.extend(law_codes().iter().map(|c| format!("law.{c}")));
        keys.extend(field_names().iter().map(|f| format!("field.{f}")));
        keys.retain(|k| !k.ends_with('.'));
        // Keys with a parameter ("err.id.repeat:12") use their base text.
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn citations_drop_tags_and_notes() {
        assert_eq!(super::plain_citation("LAW.md §6 [P] (double entry)"), "LAW.md §6");
        assert_eq!(super::plain_citation("LAW.md §7–8 [N?, P]"), "LAW.md §7–8");
        assert_eq!(super::plain_citation("LAW.md §1 [P: 5–9]"), "LAW.md §1");
        assert_eq!(super::plain_citation("DESIGN.md lifecycle"), "");
        assert_eq!(super::Tr(Lang::Zh).cite("LAW.md §3 [N?]"), "（依据 LAW.md §3）");
        assert_eq!(super::Tr(Lang::En).cite("LAW.md §3 [N?]"), "(rule: LAW.md §3)");
    }

    #[test]
    fn every_key_code_and_field_has_a_translated_message() {
        let keys = used_keys();
        assert!(keys.len() > 300, "the scan found too few keys: {}", keys.len());
        for must in
            ["stage.void", "law.paper_boxes_pending", "field.filed_by", "field.resident_id", "law.proxy_self_proxy"]
        {
            assert!(keys.iter().any(|k| k == must), "the scan missed {must}");
        }
        let problems: Vec<String> = keys.iter().filter_map(|k| problem(k)).collect();
        assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
        // Every stage has a name, so no page shows "?" for one.
        for s in crate::domain::Stage::ALL {
            assert_ne!(text(Lang::Zh, &format!("stage.{}", s.as_str())), "?");
        }
    }

    fn cjk(c: char) -> bool {
        matches!(c, '\u{2e80}'..='\u{2fff}' | '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ffef}')
    }

    #[test]
    fn english_strings_have_no_chinese_text_or_punctuation() {
        let bad: Vec<String> = MESSAGES
            .iter()
            // The language switch names Chinese in Chinese, as every bilingual site does.
            .filter(|(k, _, en)| *k != "lang.switch" && en.chars().any(cjk))
            .map(|(k, _, en)| format!("{k}: {en}"))
            .collect();
        assert!(bad.is_empty(), "English strings with CJK text or punctuation:\n{}", bad.join("\n"));
        // Nor may a template hold Chinese text of its own, which English pages would show too.
        let mut templates = Vec::new();
        files(&root().join("templates"), "html", &mut templates);
        let mut found = Vec::new();
        for (path, src) in templates {
            let mut visible = String::new();
            let (mut in_expr, mut in_tag) = (false, false);
            let b: Vec<char> = src.chars().collect();
            let mut i = 0;
            while i < b.len() {
                let two: String = b[i..(i + 2).min(b.len())].iter().collect();
                match two.as_str() {
                    "{{" | "{%" | "{#" => {
                        in_expr = true;
                        i += 2;
                        continue;
                    }
                    "}}" | "%}" | "#}" if in_expr => {
                        in_expr = false;
                        i += 2;
                        continue;
                    }
                    _ => {}
                }
                if !in_expr {
                    match b[i] {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => visible.push(c),
                        _ => {}
                    }
                }
                i += 1;
            }
            // Placeholders are visible too.
            for p in src.split("placeholder=\"").skip(1).filter_map(|x| x.split('"').next()) {
                visible.push_str(p);
            }
            if visible.chars().any(cjk) {
                found.push(format!("{path}: {}", visible.chars().filter(|c| cjk(*c)).collect::<String>()));
            }
        }
        assert!(found.is_empty(), "templates with Chinese text outside messages:\n{}", found.join("\n"));
    }
}
