//! The key ceremony's messages on the wire and in the log (docs/e2e.md §4): hex strings of the
//! byte encodings of `huanjie_crypto`, parsed here once into the crypto types. A message that
//! does not decode is refused with the field it names.

use huanjie_crypto::dkg::{Complaint, Dealing, SealedShare};
use huanjie_crypto::group::{decode_point, encode_point};
use huanjie_crypto::proofs::{DleqProof, DlogProof};
use huanjie_crypto::{Error as CryptoError, RistrettoPoint};
use serde::{Deserialize, Serialize};

/// A message field that is not the encoding it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField(pub &'static str);

fn bytes(hex_str: &str, field: &'static str) -> Result<Vec<u8>, BadField> {
    hex::decode(hex_str).map_err(|_| BadField(field))
}

pub fn point(hex_str: &str, field: &'static str) -> Result<RistrettoPoint, BadField> {
    decode_point(&bytes(hex_str, field)?, field).map_err(|_: CryptoError| BadField(field))
}

pub fn point_hex(p: &RistrettoPoint) -> String {
    hex::encode(encode_point(p))
}

/// A trustee's ceremony key with its proof of knowledge.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyMessage {
    /// The ceremony key P_l, 32 bytes hex.
    pub key: String,
    /// DlogProof `T ‖ z`, 64 bytes hex.
    pub proof: String,
}

impl KeyMessage {
    pub fn parse(&self) -> Result<(RistrettoPoint, DlogProof), BadField> {
        let key = point(&self.key, "key")?;
        let proof = DlogProof::from_bytes(&bytes(&self.proof, "proof")?).map_err(|_| BadField("proof"))?;
        Ok((key, proof))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SealedShareMessage {
    pub recipient: u32,
    /// E, 32 bytes hex.
    pub ephemeral: String,
    /// f_i(l) XOR pad, 32 bytes hex.
    pub sealed: String,
}

/// A dealer's commitments, constant-term proof and sealed shares.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DealingMessage {
    pub commitments: Vec<String>,
    pub proof: String,
    pub shares: Vec<SealedShareMessage>,
}

impl DealingMessage {
    pub fn from_dealing(d: &Dealing) -> DealingMessage {
        DealingMessage {
            commitments: d.commitments.iter().map(point_hex).collect(),
            proof: hex::encode(d.proof.to_bytes()),
            shares: d
                .shares
                .iter()
                .map(|s| SealedShareMessage {
                    recipient: s.recipient,
                    ephemeral: point_hex(&s.ephemeral),
                    sealed: hex::encode(s.sealed),
                })
                .collect(),
        }
    }

    pub fn parse(&self, dealer: u32) -> Result<Dealing, BadField> {
        let commitments =
            self.commitments.iter().map(|c| point(c, "commitments")).collect::<Result<Vec<_>, BadField>>()?;
        let proof = DlogProof::from_bytes(&bytes(&self.proof, "proof")?).map_err(|_| BadField("proof"))?;
        let mut shares = Vec::with_capacity(self.shares.len());
        for s in &self.shares {
            let sealed: [u8; 32] =
                bytes(&s.sealed, "shares.sealed")?.try_into().map_err(|_| BadField("shares.sealed"))?;
            shares.push(SealedShare {
                recipient: s.recipient,
                ephemeral: point(&s.ephemeral, "shares.ephemeral")?,
                sealed,
            });
        }
        Ok(Dealing { dealer, commitments, proof, shares })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplaintMessage {
    pub dealer: u32,
    /// K = p_l·E of the disputed share, 32 bytes hex.
    pub pad_key: String,
    /// DleqProof `T1 ‖ T2 ‖ z`, 96 bytes hex.
    pub proof: String,
}

impl ComplaintMessage {
    pub fn from_complaint(c: &Complaint) -> ComplaintMessage {
        ComplaintMessage { dealer: c.dealer, pad_key: point_hex(&c.pad_key), proof: hex::encode(c.proof.to_bytes()) }
    }

    pub fn parse(&self, recipient: u32) -> Result<Complaint, BadField> {
        Ok(Complaint {
            dealer: self.dealer,
            recipient,
            pad_key: point(&self.pad_key, "complaints.pad_key")?,
            proof: DleqProof::from_bytes(&bytes(&self.proof, "complaints.proof")?)
                .map_err(|_| BadField("complaints.proof"))?,
        })
    }
}

/// A trustee's report after opening its shares: no complaint means every share matched.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckMessage {
    #[serde(default)]
    pub complaints: Vec<ComplaintMessage>,
}

/// The ceremony's state as everyone reads it (`GET /api/v1/elections/{id}/ceremony`).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CeremonyBoard {
    pub election_id: i64,
    pub number: i64,
    /// The ceremony identifier that every proof of it is bound to (docs/e2e.md §2).
    pub ceremony: String,
    pub n: u32,
    pub k: u32,
    /// `keys`, `dealing`, `checking`, `done` or `failed`.
    pub status: String,
    pub trustees: Vec<TrusteeBoard>,
    pub complaints: Vec<ComplaintBoard>,
    /// The dealers whose dealings make the election key (all but those judged at fault).
    pub qualified: Vec<u32>,
    pub election_key: Option<String>,
    /// Y_1 … Y_n, hex.
    pub verification_keys: Vec<String>,
    /// `H32("election-key", ceremony, Y)` hex, read aloud in the committee's meeting.
    pub fingerprint: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrusteeBoard {
    pub trustee: u32,
    pub name: String,
    pub key: Option<KeyMessage>,
    pub dealing: Option<DealingMessage>,
    pub checked: bool,
    /// Why the trustee withdrew and takes no further part (LAW.md §2 [N]): `left_committee`,
    /// `recused` or `unavailable`; absent while it serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplaintBoard {
    pub dealer: u32,
    pub recipient: u32,
    pub complaint: ComplaintMessage,
    /// `dealer` (its dealing is excluded) or `accuser` (the complaint was unfounded).
    pub verdict: String,
}

/// The ceremony identifier bytes: `<log name>/election-<id>/ceremony-<n>`.
pub fn ceremony_id(log_name: &str, election_id: i64, number: i64) -> String {
    format!("{log_name}/election-{election_id}/ceremony-{number}")
}

/// The election key's fingerprint (docs/e2e.md §4).
pub fn fingerprint(ceremony: &str, key: &RistrettoPoint) -> String {
    hex::encode(huanjie_crypto::hash::Hasher::new("election-key").bytes(ceremony.as_bytes()).point(key).finish32())
}
