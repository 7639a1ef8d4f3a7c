//! A resident as the registry holds them, parsed from forms, JSON and spreadsheets.

use serde::{Deserialize, Serialize};
use time::Date;

use super::IdCardNumber;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    /// Accepts the codes and the Chinese words spreadsheets use.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim() {
            "male" | "m" | "M" | "男" | "1" => Some(Gender::Male),
            "female" | "f" | "F" | "女" | "2" => Some(Gender::Female),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoliticalRights {
    Full,
    /// 被剥夺政治权利: may not vote (LAW.md §3 [N]).
    Deprived,
}

impl PoliticalRights {
    pub fn as_str(self) -> &'static str {
        match self {
            PoliticalRights::Full => "full",
            PoliticalRights::Deprived => "deprived",
        }
    }
    pub fn parse(s: &str) -> Option<PoliticalRights> {
        match s.trim() {
            "full" | "有" | "正常" | "" => Some(PoliticalRights::Full),
            "deprived" | "剥夺" | "被剥夺" | "无" => Some(PoliticalRights::Deprived),
            _ => None,
        }
    }
}

/// A person's name: 1–50 characters, no control characters. Chinese names with the middle dot
/// of minority names (·) and Latin names are allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(s: &str) -> Option<PersonName> {
        let t = s.trim();
        let n = t.chars().count();
        if n == 0 || n > 50 || t.chars().any(char::is_control) {
            return None;
        }
        Some(PersonName(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonName::parse(&s).ok_or("name")
    }
}
impl From<PersonName> for String {
    fn from(v: PersonName) -> String {
        v.0
    }
}

/// A validated resident record ready to store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewResident {
    pub name: PersonName,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: Date,
    pub id_number: IdCardNumber,
    pub household_number: Option<String>,
    pub household_address: Option<String>,
    pub group_number: Option<i64>,
    pub hukou_here: bool,
    pub months_resident: i64,
    pub community_worker: bool,
    pub worker_months: i64,
    pub political_rights: PoliticalRights,
    pub household_head: bool,
    pub phone: String,
}

/// One problem with one field, named by its column key, with a message key for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentInputError {
    pub field: String,
    pub key: String,
}

/// The raw text fields of a resident, as a form, JSON body or spreadsheet row gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RawResident {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_number: String,
    pub household_number: String,
    pub address: String,
    pub group_number: String,
    pub hukou_here: String,
    pub months_resident: String,
    pub community_worker: String,
    pub worker_months: String,
    pub political_rights: String,
    pub household_head: String,
    pub phone: String,
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "true" | "on" | "yes" | "是" | "Y" | "y" => Some(true),
        "0" | "false" | "off" | "no" | "否" | "N" | "n" | "" => Some(false),
        _ => None,
    }
}

fn parse_months(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0);
    }
    t.parse::<i64>().ok().filter(|m| (0..=1500).contains(m))
}

impl RawResident {
    fn fields(&self) -> [&String; 15] {
        [
            &self.name,
            &self.gender,
            &self.ethnicity,
            &self.birth_date,
            &self.id_number,
            &self.household_number,
            &self.address,
            &self.group_number,
            &self.hukou_here,
            &self.months_resident,
            &self.community_worker,
            &self.worker_months,
            &self.political_rights,
            &self.household_head,
            &self.phone,
        ]
    }

    /// This row without the `'` our CSV export puts before a formula-like cell
    /// ([`crate::report::csv::restore`]), if any field carries one: an exported register
    /// (`+86 139…`, a household `-1`) imports back unchanged. Rows without one (nearly all) are
    /// not copied.
    fn without_export_marks(&self) -> Option<RawResident> {
        if self.fields().iter().all(|f| crate::report::csv::restore(f).len() == f.len()) {
            return None;
        }
        // Rare (a re-imported export), so the copy may go the simple way.
        let mut v = serde_json::to_value(self).ok()?;
        for f in v.as_object_mut()?.values_mut() {
            if let serde_json::Value::String(s) = f {
                *s = crate::report::csv::restore(s).to_string();
            }
        }
        serde_json::from_value(v).ok()
    }

    /// Parses every field and reports every problem at once (an import preview shows them all).
    pub fn parse(&self) -> Result<NewResident, Vec<ResidentInputError>> {
        if let Some(r) = self.without_export_marks() {
            return r.parse_fields();
        }
        self.parse_fields()
    }

    fn parse_fields(&self) -> Result<NewResident, Vec<ResidentInputError>> {
        let mut errs = Vec::new();
        let name = PersonName::parse(&self.name);
        if name.is_none() {
            push(&mut errs, "name", "err.name");
        }
        let id = match IdCardNumber::parse(&self.id_number) {
            Ok(id) => Some(id),
            Err(e) => {
                push(&mut errs, "id_number", e.key());
                None
            }
        };
        let birth = if self.birth_date.trim().is_empty() {
            id.as_ref().and_then(IdCardNumber::birth_date)
        } else {
            let d = parse_date(&self.birth_date);
            if d.is_none() {
                push(&mut errs, "birth_date", "err.birth_date");
            }
            d
        };
        if let (Some(b), Some(i)) = (birth, id.as_ref())
            && i.birth_date() != Some(b)
        {
            push(&mut errs, "birth_date", "err.birth_mismatch");
        }
        let gender = if self.gender.trim().is_empty() {
            id.as_ref().and_then(IdCardNumber::gender)
        } else {
            let g = Gender::parse(&self.gender);
            if g.is_none() {
                push(&mut errs, "gender", "err.gender");
            }
            g
        };
        let ethnicity = {
            let t = self.ethnicity.trim();
            if t.is_empty() { "汉族".to_string() } else { t.to_string() }
        };
        if ethnicity.chars().count() > 20 || ethnicity.chars().any(char::is_control) {
            push(&mut errs, "ethnicity", "err.ethnicity");
        }
        let group_number = match self.group_number.trim() {
            "" => None,
            t => match t.trim_start_matches('第').trim_end_matches("组").trim_end_matches('小').parse::<i64>() {
                Ok(n) if n > 0 && n < 1000 => Some(n),
                _ => {
                    push(&mut errs, "group_number", "err.group");
                    None
                }
            },
        };
        let household_number = match self.household_number.trim() {
            "" => None,
            t if t.chars().count() <= 40 && !t.chars().any(char::is_control) => Some(t.to_string()),
            _ => {
                push(&mut errs, "household_number", "err.household");
                None
            }
        };
        let household_address = match self.address.trim() {
            "" => None,
            t if t.chars().count() <= 200 && !t.chars().any(char::is_control) => Some(t.to_string()),
            _ => {
                push(&mut errs, "address", "err.address");
                None
            }
        };
        if let (Some(g), Some(i)) = (gender, id.as_ref())
            && i.gender() != Some(g)
        {
            push(&mut errs, "gender", "err.gender_mismatch");
        }
        let flags = [
            ("hukou_here", parse_bool(&self.hukou_here)),
            ("community_worker", parse_bool(&self.community_worker)),
            ("household_head", parse_bool(&self.household_head)),
        ];
        for (field, b) in &flags {
            if b.is_none() {
                push(&mut errs, field, "err.flag");
            }
        }
        let months = parse_months(&self.months_resident);
        if months.is_none() {
            push(&mut errs, "months_resident", "err.months");
        }
        let worker_months = parse_months(&self.worker_months);
        if worker_months.is_none() {
            push(&mut errs, "worker_months", "err.months");
        }
        let rights = PoliticalRights::parse(&self.political_rights);
        if rights.is_none() {
            push(&mut errs, "political_rights", "err.rights");
        }
        let phone = self.phone.trim().to_string();
        if phone.len() > 30 || !phone.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) {
            push(&mut errs, "phone", "err.phone");
        }
        match (name, gender, birth, id, months, worker_months, rights) {
            (Some(name), Some(gender), Some(birth_date), Some(id_number), Some(m), Some(wm), Some(r))
                if errs.is_empty() =>
            {
                Ok(NewResident {
                    name,
                    gender,
                    ethnicity,
                    birth_date,
                    id_number,
                    household_number,
                    household_address,
                    group_number,
                    hukou_here: flags[0].1.unwrap_or(false),
                    months_resident: m,
                    community_worker: flags[1].1.unwrap_or(false),
                    worker_months: wm,
                    political_rights: r,
                    household_head: flags[2].1.unwrap_or(false),
                    phone,
                })
            }
            _ => Err(errs),
        }
    }
}

fn push(errs: &mut Vec<ResidentInputError>, field: &str, key: &str) {
    errs.push(ResidentInputError { field: field.into(), key: key.into() });
}

/// Accepts 1990-01-31, 1990/1/31, 1990.1.31, 19900131 and 1990年1月31日.
pub fn parse_date(s: &str) -> Option<Date> {
    let t = s.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let parts: Vec<&str> = t.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).collect();
    let (y, m, d) = if parts.len() == 3 {
        (parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?)
    } else if parts.len() == 1 && digits.len() == 8 {
        (digits[..4].parse().ok()?, digits[4..6].parse().ok()?, digits[6..].parse().ok()?)
    } else {
        return None;
    };
    let (y, m, d): (i32, u8, u8) = (y, m, d);
    if !(1900..=2100).contains(&y) {
        return None;
    }
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

#[cfg(test)]
mod export_mark_tests {
    use super::*;

    fn id(first17: &str) -> String {
        let c = IdCardNumber::check_char(first17.as_bytes()).unwrap() as char;
        format!("{first17}{c}")
    }

    #[test]
    fn the_export_mark_before_a_formula_sign_is_taken_off() {
        let raw = RawResident {
            name: "王芳".into(),
            id_number: id("11010519800506012"),
            household_number: "'-1".into(),
            phone: "'+86 139 0000 0000".into(),
            ..RawResident::default()
        };
        let r = raw.parse().unwrap();
        assert_eq!(r.phone, "+86 139 0000 0000");
        assert_eq!(r.household_number.as_deref(), Some("-1"));
    }

    #[test]
    fn an_apostrophe_that_is_not_our_mark_stays() {
        let raw = RawResident {
            name: "王芳".into(),
            id_number: id("11010519800506012"),
            household_number: "'12".into(),
            ..RawResident::default()
        };
        assert_eq!(raw.parse().unwrap().household_number.as_deref(), Some("'12"));
        assert!(raw.without_export_marks().is_none());
    }
}
