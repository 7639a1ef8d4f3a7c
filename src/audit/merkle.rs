//! RFC 6962 / RFC 9162 Merkle tree hashing: leaf and node hashes, the compact
//! frontier the store persists to append in O(log n), proof generation from a
//! list of leaf hashes, and proof verification.
//!
//! The hashing is exactly RFC 9162 §2.1.1 (leaf = SHA-256(0x00 ‖ d),
//! node = SHA-256(0x01 ‖ l ‖ r), empty tree = SHA-256("")), so any standard
//! transparency-log tool can recompute our roots and check our proofs.

use sha2::{Digest, Sha256};

/// A SHA-256 output: a leaf hash, an interior node or a tree root.
pub type Hash = [u8; 32];

/// `MTH({})`, the root of the empty tree (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// `MTH({d}) = SHA-256(0x00 ‖ d)`. The 0x00 prefix separates leaves from
/// interior nodes, so no leaf can be passed off as a subtree (second-preimage
/// defence, RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)` (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Why a frontier's byte encoding was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontierDecodeError;

impl std::fmt::Display for FrontierDecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("malformed Merkle frontier encoding")
    }
}

impl std::error::Error for FrontierDecodeError {}

/// The right edge of the tree: the roots of the perfect subtrees that make up a
/// tree of `size` leaves, one per set bit of `size`, largest (leftmost) first.
/// This is all an append-only log needs to keep to extend the tree and compute
/// its root, so appending costs O(log n) hashes and the state fits in one row.
///
/// It also remembers the last leaf hash, because each audit entry commits to
/// its predecessor's leaf hash (see `entry.rs`) and the writer must not have to
/// read the previous row to build the next one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
    last_leaf: Option<Hash>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Hash of the last appended leaf, `None` for the empty tree.
    pub fn last_leaf(&self) -> Option<Hash> {
        self.last_leaf
    }

    /// Appends one leaf hash. Each trailing 1-bit of the old size is a perfect
    /// subtree of the same height as the one being carried, so they merge, as
    /// in binary addition (`size` grows by one).
    pub fn append(&mut self, leaf: Hash) {
        let mut carry = leaf;
        let mut bits = self.size;
        while bits & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => carry = node_hash(&left, &carry),
                // Unreachable while the invariant nodes.len() == popcount(size)
                // holds; stop merging rather than panic.
                None => break,
            }
            bits >>= 1;
        }
        self.nodes.push(carry);
        self.size += 1;
        self.last_leaf = Some(leaf);
    }

    /// `MTH(D[0:size])`: fold the perfect subtrees from the right, which is
    /// what RFC 9162 §2.1.1's split at the largest power of two produces.
    pub fn root(&self) -> Hash {
        let mut iter = self.nodes.iter().rev();
        let Some(mut acc) = iter.next().copied() else {
            return empty_root();
        };
        for left in iter {
            acc = node_hash(left, &acc);
        }
        acc
    }

    /// `size` (8 bytes big-endian) ‖ last leaf (32 bytes, absent when empty) ‖
    /// the subtree roots, largest first (32 bytes each, one per set bit).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * (self.nodes.len() + 1));
        out.extend_from_slice(&self.size.to_be_bytes());
        if let Some(last) = &self.last_leaf {
            out.extend_from_slice(last);
        }
        for n in &self.nodes {
            out.extend_from_slice(n);
        }
        out
    }

    /// Inverse of [`Frontier::to_bytes`]; refuses any length that does not
    /// match the size, so a truncated row cannot silently become another tree.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FrontierDecodeError> {
        let (size_bytes, rest) = bytes.split_first_chunk::<8>().ok_or(FrontierDecodeError)?;
        let size = u64::from_be_bytes(*size_bytes);
        let count = size.count_ones() as usize;
        let want = if size == 0 { 0 } else { 32 * (count + 1) };
        if rest.len() != want {
            return Err(FrontierDecodeError);
        }
        let mut hashes = rest.chunks_exact(32).map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            h
        });
        let last_leaf = if size == 0 { None } else { hashes.next() };
        Ok(Self { size, nodes: hashes.collect(), last_leaf })
    }
}

/// `MTH(leaves)`, computed with a frontier (no recursion, O(n) hashes).
pub fn root_from_leaves(leaves: &[Hash]) -> Hash {
    let mut f = Frontier::new();
    for l in leaves {
        f.append(*l);
    }
    f.root()
}

/// Why a proof could not be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofError {
    /// `size` exceeds the number of leaf hashes supplied.
    SizeBeyondLeaves { size: u64, leaves: u64 },
    /// The leaf index is not inside the tree.
    IndexOutOfRange { index: u64, size: u64 },
    /// `from > to`, or `from == 0` (RFC 9162 §2.1.4 defines proofs for 0 < m ≤ n).
    BadRange { from: u64, to: u64 },
}

impl std::fmt::Display for ProofError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SizeBeyondLeaves { size, leaves } => {
                write!(f, "tree size {size} exceeds the {leaves} leaves available")
            }
            Self::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is outside a tree of size {size}")
            }
            Self::BadRange { from, to } => {
                write!(f, "no consistency proof from size {from} to size {to}")
            }
        }
    }
}

impl std::error::Error for ProofError {}

/// Largest power of two strictly smaller than `n` (n ≥ 2): the `k` of RFC 9162 §2.1.1.
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

fn prefix(leaves: &[Hash], size: u64) -> Result<&[Hash], ProofError> {
    let available = leaves.len() as u64;
    if size > available {
        return Err(ProofError::SizeBeyondLeaves { size, leaves: available });
    }
    Ok(&leaves[..size as usize])
}

/// `PATH(index, D[0:size])` (RFC 9162 §2.1.3.1), walked top-down without
/// recursion: at each level the sibling subtree is hashed and the walk descends
/// into the half holding the leaf. The RFC lists siblings bottom-up, hence the
/// final reversal. Costs O(size) hashes; the store may later cache subtrees.
pub fn inclusion_proof(leaves: &[Hash], index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
    let tree = prefix(leaves, size)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut lo, mut hi) = (0usize, tree.len());
    let m = index as usize;
    let mut proof = Vec::new();
    while hi - lo > 1 {
        let k = split_point((hi - lo) as u64) as usize;
        if m < lo + k {
            proof.push(root_from_leaves(&tree[lo + k..hi]));
            hi = lo + k;
        } else {
            proof.push(root_from_leaves(&tree[lo..lo + k]));
            lo += k;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// `PROOF(from, D[0:to])` (RFC 9162 §2.1.4.1), the SUBPROOF recursion unrolled:
/// `whole_is_old` is the RFC's flag `b` (the current subtree is exactly the
/// old tree, whose root the verifier already knows).
pub fn consistency_proof(leaves: &[Hash], from: u64, to: u64) -> Result<Vec<Hash>, ProofError> {
    let tree = prefix(leaves, to)?;
    if from == 0 || from > to {
        return Err(ProofError::BadRange { from, to });
    }
    let (mut lo, mut hi) = (0usize, tree.len());
    let mut m = from as usize;
    let mut whole_is_old = true;
    let mut later = Vec::new();
    let mut proof = Vec::new();
    loop {
        let n = hi - lo;
        if m == n {
            if !whole_is_old {
                proof.push(root_from_leaves(&tree[lo..hi]));
            }
            break;
        }
        let k = split_point(n as u64) as usize;
        if m <= k {
            later.push(root_from_leaves(&tree[lo + k..hi]));
            hi = lo + k;
        } else {
            later.push(root_from_leaves(&tree[lo..lo + k]));
            lo += k;
            m -= k;
            whole_is_old = false;
        }
    }
    proof.extend(later.into_iter().rev());
    Ok(proof)
}

/// RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its audit path.
/// Returns `true` only if the path has exactly the right length and leads to `root`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}

/// RFC 9162 §2.1.4.2: check that the tree of size `to` with `new_root` extends
/// the tree of size `from` with `old_root`. Equal sizes need an empty proof and
/// equal roots; size 0 is a prefix of every tree (empty proof, RFC 9162 §2.1.4
/// only defines proofs for 0 < m).
pub fn verify_consistency(from: u64, to: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if from > to {
        return false;
    }
    if from == to {
        return proof.is_empty() && old_root == new_root;
    }
    if from == 0 {
        return proof.is_empty() && *old_root == empty_root();
    }
    if proof.is_empty() {
        return false;
    }
    // Step 2: when the old tree is a perfect subtree, its root is the first
    // node of the path and the proof omits it.
    let mut path: Vec<&Hash> = Vec::with_capacity(proof.len() + 1);
    if from.is_power_of_two() {
        path.push(old_root);
    }
    path.extend(proof.iter());
    let (mut f_n, mut s_n) = (from - 1, to - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fr, mut sr) = (**first, **first);
    for c in rest {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    fr == *old_root && sr == *new_root && s_n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    // The RFC 6962 §2.1 definitions written literally, deliberately naive, as
    // the independent oracle for the optimised code above.
    fn k_of(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => d[0],
            n => {
                let k = k_of(n);
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
        let n = d.len();
        if n == 1 {
            return vec![];
        }
        let k = k_of(n);
        if m < k {
            let mut p = path(m, &d[..k]);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = path(m - k, &d[k..]);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let k = k_of(n);
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
    }

    fn flip(h: &Hash) -> Hash {
        let mut x = *h;
        x[7] ^= 0x10;
        x
    }

    #[test]
    fn rfc_hash_definitions() {
        // SHA-256("") and the RFC 6962 test-vector leaf hash of the empty leaf.
        assert_eq!(hex(&empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(&leaf_hash(b"")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    fn hex(h: &[u8]) -> String {
        h.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn frontier_root_matches_naive_for_all_small_sizes() {
        let all = leaves(130);
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for (i, l) in all.iter().enumerate() {
            f.append(*l);
            assert_eq!(f.size(), i as u64 + 1);
            assert_eq!(f.root(), mth(&all[..=i]), "size {}", i + 1);
            assert_eq!(f.last_leaf(), Some(*l));
            let back = Frontier::from_bytes(&f.to_bytes()).expect("decodes");
            assert_eq!(back, f);
        }
    }

    #[test]
    fn frontier_bytes_reject_wrong_lengths() {
        let mut f = Frontier::new();
        assert_eq!(Frontier::from_bytes(&f.to_bytes()), Ok(Frontier::new()));
        for l in leaves(5) {
            f.append(l);
        }
        let b = f.to_bytes();
        assert!(Frontier::from_bytes(&b[..b.len() - 1]).is_err());
        assert!(Frontier::from_bytes(&b[..7]).is_err());
        let mut longer = b.clone();
        longer.extend_from_slice(&[0; 32]);
        assert!(Frontier::from_bytes(&longer).is_err());
    }

    #[test]
    fn inclusion_proofs_for_every_size_and_index() {
        let all = leaves(64);
        for size in 1..=64usize {
            let d = &all[..size];
            let root = mth(d);
            assert_eq!(root_from_leaves(d), root);
            for m in 0..size {
                let proof = inclusion_proof(&all, m as u64, size as u64).expect("proof");
                assert_eq!(proof, path(m, d), "size {size} index {m}");
                let (s, i) = (size as u64, m as u64);
                assert!(verify_inclusion(&d[m], i, s, &proof, &root));
                assert!(!verify_inclusion(&flip(&d[m]), i, s, &proof, &root));
                assert!(!verify_inclusion(&d[m], i, s, &proof, &flip(&root)));
                // The size is not bound by the path itself (the signed
                // checkpoint binds it), but the position is.
                assert!(!verify_inclusion(&d[m], i + 1, s, &proof, &root));
                for j in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[j] = flip(&bad[j]);
                    assert!(!verify_inclusion(&d[m], i, s, &bad, &root));
                }
                let mut longer = proof.clone();
                longer.push(root);
                assert!(!verify_inclusion(&d[m], i, s, &longer, &root));
                if !proof.is_empty() {
                    assert!(!verify_inclusion(&d[m], i, s, &proof[1..], &root));
                }
            }
            assert!(inclusion_proof(&all, size as u64, size as u64).is_err());
        }
        assert!(inclusion_proof(&all, 0, 65).is_err());
    }

    #[test]
    fn consistency_proofs_for_every_pair() {
        let all = leaves(64);
        for to in 1..=64usize {
            let new_root = mth(&all[..to]);
            for from in 1..=to {
                let old_root = mth(&all[..from]);
                let proof = consistency_proof(&all, from as u64, to as u64).expect("proof");
                assert_eq!(proof, subproof(from, &all[..to], true), "{from}->{to}");
                let (f, t) = (from as u64, to as u64);
                assert!(verify_consistency(f, t, &old_root, &new_root, &proof));
                assert!(!verify_consistency(f, t, &flip(&old_root), &new_root, &proof));
                assert!(!verify_consistency(f, t, &old_root, &flip(&new_root), &proof));
                for j in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[j] = flip(&bad[j]);
                    assert!(!verify_consistency(f, t, &old_root, &new_root, &bad));
                }
                let mut longer = proof.clone();
                longer.push(new_root);
                assert!(!verify_consistency(f, t, &old_root, &new_root, &longer));
                if !proof.is_empty() {
                    let short = &proof[..proof.len() - 1];
                    assert!(!verify_consistency(f, t, &old_root, &new_root, short));
                }
            }
            assert!(verify_consistency(0, to as u64, &empty_root(), &new_root, &[]));
            assert!(consistency_proof(&all, 0, to as u64).is_err());
        }
        assert!(consistency_proof(&all, 3, 2).is_err());
        assert!(!verify_consistency(3, 2, &[0; 32], &[0; 32], &[]));
    }
}
