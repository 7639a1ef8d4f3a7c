//! The 18-digit resident identity card number (GB 11643-1999): 6-digit area code,
//! 8-digit birth date, 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::Gender;

/// An identity number as a role that may not see it in full sees it (DESIGN.md, README "Roles"):
/// the first four and the last two characters, the rest `*`; fewer than eight characters are all
/// masked. Pure, so the registry, the roll, the export and the polling pages share it.
pub fn mask_id_number(id_number: &str) -> String {
    let cs: Vec<char> = id_number.chars().collect();
    let n = cs.len();
    if n < 8 {
        return "*".repeat(n);
    }
    let head: String = cs[..4].iter().collect();
    let tail: String = cs[n - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - 6))
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdCardNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdCardError {
    #[error("length")]
    Length,
    #[error("characters")]
    Characters,
    #[error("birth date")]
    BirthDate,
    #[error("check digit")]
    CheckDigit,
}

impl IdCardError {
    /// Message key for the UI (see `crate::i18n`).
    pub fn key(self) -> &'static str {
        match self {
            IdCardError::Length => "err.id.length",
            IdCardError::Characters => "err.id.chars",
            IdCardError::BirthDate => "err.id.birth",
            IdCardError::CheckDigit => "err.id.check",
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

impl IdCardNumber {
    /// The check character for the first 17 digits.
    pub fn check_char(first17: &[u8]) -> Option<u8> {
        if first17.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (d, w) in first17.iter().zip(WEIGHTS) {
            if !d.is_ascii_digit() {
                return None;
            }
            sum += u32::from(d - b'0') * w;
        }
        Some(CHECK[(sum % 11) as usize])
    }

    pub fn parse(input: &str) -> Result<Self, IdCardError> {
        let s: String = input.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdCardError::Length);
        }
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdCardError::Characters);
        }
        if !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdCardError::Characters);
        }
        let check_ok = Self::check_char(&b[..17]) == Some(b[17]);
        let id = IdCardNumber(s);
        if id.birth_date().is_none() {
            return Err(IdCardError::BirthDate);
        }
        if !check_ok {
            return Err(IdCardError::CheckDigit);
        }
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Option<Date> {
        let s = &self.0;
        let y: i32 = s.get(6..10)?.parse().ok()?;
        let m: u8 = s.get(10..12)?.parse().ok()?;
        let d: u8 = s.get(12..14)?.parse().ok()?;
        if !(1900..=2100).contains(&y) {
            return None;
        }
        Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
    }

    /// The 17th digit: odd for men, even for women.
    pub fn gender(&self) -> Option<Gender> {
        let d = self.0.as_bytes().get(16)?;
        Some(if (d - b'0') % 2 == 1 { Gender::Male } else { Gender::Female })
    }

    /// For the public and for read-only roles: area code and check digit hidden.
    pub fn masked(&self) -> String {
        let s = &self.0;
        format!("{}************{}", &s[..4], &s[16..])
    }
}

impl fmt::Display for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdCardNumber {
    type Error = IdCardError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdCardNumber::parse(&s)
    }
}

impl From<IdCardNumber> for String {
    fn from(v: IdCardNumber) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ID number as an observer sees it: four first and two last characters, the birth
    /// date and sequence hidden; a short or non-ASCII stored value never panics.
    #[test]
    fn a_masked_id_number_hides_the_birth_date() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101************2X");
        assert_eq!(mask_id_number("1234567"), "*******");
        assert_eq!(mask_id_number("一二三四五六七八九"), "一二三四***八九");
    }

    // A published sample number (GB 11643 example) with a valid check character.
    #[test]
    fn accepts_valid_numbers_and_reads_birth_and_gender() {
        let id = IdCardNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), Some(time::macros::date!(1949 - 12 - 31)));
        assert_eq!(id.gender(), Some(Gender::Female));
        let id = IdCardNumber::parse("110105198001010016").unwrap();
        assert_eq!(id.gender(), Some(Gender::Male));
        // lower-case x is accepted and normalised
        assert_eq!(IdCardNumber::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn rejects_every_single_digit_change_of_the_check_character() {
        let good = "11010519491231002X";
        for c in "0123456789".chars() {
            let bad = format!("{}{}", &good[..17], c);
            assert_eq!(IdCardNumber::parse(&bad), Err(IdCardError::CheckDigit), "{bad}");
        }
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(IdCardNumber::parse("123"), Err(IdCardError::Length));
        assert_eq!(IdCardNumber::parse("1101051949123100AX"), Err(IdCardError::Characters));
        assert_eq!(IdCardNumber::parse("１１０１０５１９４９１２３１００２X"), Err(IdCardError::Characters));
        // 1949-02-30 does not exist
        let mut s = String::from("11010519490230002");
        let c = IdCardNumber::check_char(s.as_bytes()).unwrap();
        s.push(c as char);
        assert_eq!(IdCardNumber::parse(&s), Err(IdCardError::BirthDate));
    }

    #[test]
    fn masks_the_middle() {
        let id = IdCardNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101************2X");
    }
}
