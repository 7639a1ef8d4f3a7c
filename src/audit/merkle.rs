//! RFC 6962 / RFC 9162 Merkle tree hashing (placeholder frontier; replaced by the full module).

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

#[derive(Clone, Debug, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    pub fn size(&self) -> u64 {
        self.size
    }
    pub fn append(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut s = self.size;
        while s & 1 == 1 {
            if let Some(l) = self.nodes.pop() {
                h = node_hash(&l, &h);
            }
            s >>= 1;
        }
        self.nodes.push(h);
        self.size += 1;
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.size.to_be_bytes().to_vec();
        for n in &self.nodes {
            v.extend_from_slice(n);
        }
        v
    }
    pub fn from_bytes(b: &[u8]) -> Option<Frontier> {
        let size = u64::from_be_bytes(b.get(..8)?.try_into().ok()?);
        let nodes = b[8..].chunks_exact(32).map(|c| c.try_into().unwrap_or([0; 32])).collect();
        Some(Frontier { size, nodes })
    }
}
