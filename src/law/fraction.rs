//! Exact ratios for the law's thresholds ("more than half", "at least a third"), compared in
//! integers so that no rounding can move a legal threshold.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A ratio such as "1/5", written that way in TOML and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fraction {
    pub num: u64,
    pub den: u64,
}

impl Fraction {
    pub const fn new(num: u64, den: u64) -> Fraction {
        Fraction { num, den }
    }

    /// `part > self × whole`, in integers so no rounding can move a legal threshold.
    pub fn exceeded_by(self, part: u64, whole: u64) -> bool {
        u128::from(part) * u128::from(self.den) > u128::from(self.num) * u128::from(whole)
    }

    /// `part ≥ self × whole`.
    pub fn reached_by(self, part: u64, whole: u64) -> bool {
        u128::from(part) * u128::from(self.den) >= u128::from(self.num) * u128::from(whole)
    }

    /// The smallest count that is more than `self × whole`.
    pub fn least_exceeding(self, whole: u64) -> u64 {
        if self.den == 0 {
            return u64::MAX;
        }
        let p = u128::from(self.num) * u128::from(whole);
        u64::try_from(p / u128::from(self.den) + 1).unwrap_or(u64::MAX)
    }

    /// The smallest count that is at least `self × whole`.
    pub fn least_reaching(self, whole: u64) -> u64 {
        if self.den == 0 {
            return u64::MAX;
        }
        let p = u128::from(self.num) * u128::from(whole);
        u64::try_from(p.div_ceil(u128::from(self.den))).unwrap_or(u64::MAX)
    }
}

impl TryFrom<String> for Fraction {
    type Error = String;
    fn try_from(s: String) -> Result<Fraction, String> {
        let bad = || format!("expected a fraction like \"1/2\", got {s:?}");
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let num = a.trim().parse().map_err(|_| bad())?;
        let den: u64 = b.trim().parse().map_err(|_| bad())?;
        if den == 0 || num > den {
            return Err(bad());
        }
        Ok(Fraction { num, den })
    }
}

impl From<Fraction> for String {
    fn from(f: Fraction) -> String {
        f.to_string()
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fraction_thresholds_are_exact() {
        let half = Fraction::new(1, 2);
        assert!(!half.exceeded_by(50, 100));
        assert!(half.exceeded_by(51, 100));
        assert_eq!(half.least_exceeding(100), 51);
        assert_eq!(half.least_exceeding(101), 51);
        let third = Fraction::new(1, 3);
        assert!(third.reached_by(34, 100));
        assert!(!third.reached_by(33, 100));
        assert_eq!(third.least_reaching(100), 34);
        assert_eq!(third.least_reaching(99), 33);
    }
}
