//! The printed backup of a trustee's share (issue 18 item 2, docs/e2e.md §4): a page the
//! trustee prints after `huanjie trustee finish` and keeps sealed, so that a lost computer or a
//! forgotten passphrase does not lose a share. It holds the share x_l in four lines of 16 hex
//! digits, each followed by a 4-digit check of that line (a mistyped digit names its line), and
//! the key's fingerprint. `huanjie trustee restore` reads it back and accepts it only when
//! x_l·G equals the trustee's verification key Y_l on the public board, so a wrong page can never
//! make a state file. A restored state file holds the share only: it can mix and decrypt, it
//! cannot redo the ceremony.

use huanjie_crypto::group::{decode_scalar, mul_g};
use huanjie_crypto::hash::Hasher;

use crate::domain::ceremony::{CeremonyBoard, fingerprint, point, point_hex};
use crate::trustee::TrusteeState;

const HEADER: &str = "HUANJIE TRUSTEE SHARE BACKUP v1";

/// `hex(H32("trustee-backup", ceremony, u64(trustee), u64(line), line text)[..2])`.
fn check(ceremony: &str, trustee: u32, line: usize, text: &str) -> String {
    let h = Hasher::new("trustee-backup")
        .bytes(ceremony.as_bytes())
        .u64(trustee.into())
        .u64(line as u64)
        .bytes(text.as_bytes())
        .finish32();
    hex::encode(&h[..2])
}

/// The page to print, from a finished state file.
pub fn paper(st: &TrusteeState) -> Result<String, String> {
    let share = st.share.as_deref().ok_or("the state file has no share yet: run `huanjie trustee finish` first")?;
    let key = st.election_key.as_deref().ok_or("the state file has no election key yet")?;
    let key = point(key, "election_key").map_err(|f| f.0.to_string())?;
    let mut out = format!(
        "{HEADER}\n受托人密钥份额纸质备份：请打印后密封保存，不要拍照，不要存入电脑。\n\
         Print, seal in an envelope, keep apart from the computer; never photograph it.\n\n\
         election: {}\nceremony: {}\ntrustee: {}\nkey fingerprint: {}\n\n",
        st.election_id,
        st.ceremony,
        st.trustee,
        fingerprint(&st.ceremony, &key)
    );
    for (i, chunk) in share.as_bytes().chunks(16).enumerate() {
        let text = std::str::from_utf8(chunk).map_err(|_| "share is not hex")?;
        let groups: Vec<&str> = (0..4).filter_map(|g| text.get(g * 4..g * 4 + 4)).collect();
        out.push_str(&format!(
            "share-{}: {}  check {}\n",
            i + 1,
            groups.join(" "),
            check(&st.ceremony, st.trustee, i + 1, text)
        ));
    }
    out.push_str("\nrestore: huanjie trustee restore --election <id> --trustee <n> --from <this page typed> --file <new state file>\n");
    Ok(out)
}

/// A state file from the typed page, checked line by line and against the board's Y_l.
pub fn restore(text: &str, board: &CeremonyBoard) -> Result<TrusteeState, String> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}:")).map(|v| v.trim().to_string()))
            .ok_or(format!("the page has no `{name}:` line"))
    };
    if !text.lines().any(|l| l.trim() == HEADER) {
        return Err(format!("not a trustee backup page (no `{HEADER}` line)"));
    }
    let ceremony = field("ceremony")?;
    let trustee: u32 = field("trustee")?.parse().map_err(|_| "the `trustee:` line is not a number")?;
    let election_id: i64 = field("election")?.parse().map_err(|_| "the `election:` line is not a number")?;
    if ceremony != board.ceremony || election_id != board.election_id {
        return Err(format!("the page is for {ceremony}, the board is {}", board.ceremony));
    }
    if board.status != "done" {
        return Err(format!("the ceremony on the board is at `{}`, not done", board.status));
    }
    let mut share = String::new();
    for i in 1..=4 {
        let line = field(&format!("share-{i}"))?;
        let (digits, ck) = line.split_once("check").ok_or(format!("share-{i}: no check digits"))?;
        let digits: String = digits.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if digits.len() != 16 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("share-{i}: 16 hex digits expected"));
        }
        if check(&ceremony, trustee, i, &digits) != ck.trim().to_ascii_lowercase() {
            return Err(format!("share-{i}: the check does not match: a digit of this line is mistyped"));
        }
        share.push_str(&digits);
    }
    let bytes = hex::decode(&share).map_err(|_| "the share is not hex")?;
    let x = decode_scalar(&bytes, "share").map_err(|e| e.to_string())?;
    let mine = board
        .verification_keys
        .get(trustee.checked_sub(1).ok_or("trustee 0")? as usize)
        .ok_or(format!("the board has no verification key for trustee {trustee}"))?;
    if point_hex(&mul_g(&x)) != *mine {
        return Err(format!("this share is not trustee {trustee}'s: it does not match Y_{trustee} on the board"));
    }
    Ok(TrusteeState {
        election_id,
        ceremony,
        trustee,
        ceremony_secret: String::new(),
        own_share: None,
        received: Default::default(),
        share: Some(share),
        election_key: board.election_key.clone(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use huanjie_crypto::Scalar;

    fn setup() -> (TrusteeState, CeremonyBoard) {
        let x = Scalar::from(123_456_789u64);
        let key = mul_g(&Scalar::from(42u64));
        let ceremony = "log/election-7/ceremony-1".to_string();
        let st = TrusteeState {
            election_id: 7,
            ceremony: ceremony.clone(),
            trustee: 2,
            ceremony_secret: "00".into(),
            own_share: None,
            received: Default::default(),
            share: Some(hex::encode(x.as_bytes())),
            election_key: Some(point_hex(&key)),
        };
        let board = CeremonyBoard {
            election_id: 7,
            number: 1,
            ceremony,
            n: 3,
            k: 2,
            status: "done".into(),
            trustees: vec![],
            complaints: vec![],
            qualified: vec![1, 2, 3],
            election_key: Some(point_hex(&key)),
            verification_keys: vec![point_hex(&mul_g(&Scalar::from(1u64))), point_hex(&mul_g(&x)), String::new()],
            fingerprint: None,
        };
        (st, board)
    }

    #[test]
    fn a_printed_share_restores_and_only_when_it_matches_the_board_docs_e2e_4() {
        let (st, board) = setup();
        let page = paper(&st).unwrap();
        assert!(page.contains("key fingerprint:"));
        let back = restore(&page, &board).unwrap();
        assert_eq!(
            (back.share.clone(), back.trustee, back.election_key.clone()),
            (st.share.clone(), 2, st.election_key.clone())
        );
        // A mistyped digit is named by its line.
        let line = page.lines().find(|l| l.starts_with("share-3:")).unwrap();
        let digit = line.chars().nth(9).unwrap();
        let typo = line.replacen(digit, if digit == '0' { "1" } else { "0" }, 1);
        let err = restore(&page.replace(line, &typo), &board).unwrap_err();
        assert!(err.contains("share-3"), "{err}");
        // Another trustee's number: its Y_l does not match (and the checks are bound to it).
        let err = restore(&page.replace("trustee: 2", "trustee: 1"), &board).unwrap_err();
        assert!(err.contains("check") || err.contains("Y_1"), "{err}");
        // A board of another ceremony, or one not done, is refused.
        let mut other = board.clone();
        other.ceremony = "log/election-7/ceremony-2".into();
        assert!(restore(&page, &other).is_err());
        let mut open = board;
        open.status = "checking".into();
        assert!(restore(&page, &open).is_err());
    }

    #[test]
    fn no_page_before_the_key_is_fixed() {
        let (mut st, _) = setup();
        st.share = None;
        assert!(paper(&st).is_err());
    }
}
