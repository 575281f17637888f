//! shishi-text: near-duplicate detection and full-text search for demands (诉求).
//!
//! While a citizen or a clerk types a demand, the intake form looks for open demands that
//! say nearly the same thing, so that the second filing becomes a co-sign of the first.
//!
//! Pipeline: [`normalize`] → character shingles → [`MinHasher`] → [`Signature`] (stored
//! in the database as [`Signature::to_bytes`]) → [`LshIndex`] (rebuilt from the stored
//! signatures at start) → candidates with an estimated similarity, which the caller may
//! re-rank with the exact [`jaccard`] of the texts.
//!
//! Everything is computed locally with fixed, hand-written hash functions: no service, no
//! model, and no `std` hasher (whose output may change between Rust releases).
//!
//! Parameters, measured on the 4,326 messages of 泰迪杯 2020 附件3 (`examples/recall.rs`)
//! and on a million synthetic demands (`examples/bench_similarity.rs`, [`bench`]):
//! character bigrams ([`SHINGLE_LEN`] = 2), [`NUM_PERM`] = 128 hashes, 32 bands of 4 rows,
//! candidates from an estimated Jaccard similarity of [`DEFAULT_THRESHOLD`] = 0.5 up.
//!
//! Jaccard similarity compares whole texts, so a half-typed demand is not similar to a
//! long stored one; the form should check once a sentence or two is there, or compare
//! titles with titles.
//!
//! Typical use:
//!
//! ```
//! use shishi_text::{LshIndex, MinHasher};
//!
//! let hasher = MinHasher::new();
//! let mut index = LshIndex::new();
//! // At start: signatures come from the database (Signature::from_bytes).
//! index.insert(1, &hasher.sign("A3区魏家坡小区楼下烧烤店油烟扰民，凌晨两点还在营业，多次投诉无果。"));
//! index.insert(2, &hasher.sign("A7县顺宇电子公司拖欠员工三个月工资，劳动监察大队一直不处理。"));
//!
//! // While typing:
//! let text = "Ａ３区魏家坡小区楼下烧烤店油烟扰民 凌晨２点还在营业,多次投诉无果!";
//! let (sig, shingles) = hasher.sign_and_shingle(text);
//! let similar = index.query(&sig, 10);
//! assert_eq!(similar.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1]);
//! // Optionally re-rank the few candidates exactly against their stored texts:
//! let exact = shingles.jaccard(&hasher.shingles("A3区魏家坡小区楼下烧烤店油烟扰民，凌晨两点还在营业，多次投诉无果。"));
//! assert!(exact > 0.8);
//! ```

mod bench;
mod lsh;
mod minhash;
mod normalize;
pub mod search;
mod synth;

pub use bench::{BenchReport, bench};
pub use lsh::{BandsError, DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD, LshIndex};
pub use minhash::{
    MinHasher, NUM_PERM, SHINGLE_LEN, SIGNATURE_BYTES, Shingles, Signature, SignatureError,
    estimate_jaccard, jaccard, signature,
};
pub use normalize::normalize;
pub use synth::synthetic_demand;

/// Version of everything a stored [`Signature`] depends on: [`normalize`], the shingle
/// length and hash, [`NUM_PERM`] and the permutation seeds.
///
/// Changing any of them changes signatures. Whoever does so must bump this number; stored
/// signatures then fail [`Signature::from_bytes`] with
/// [`SignatureError::WrongVersion`] and every stored demand has to be signed again from
/// its text. The `signature_is_stable` test pins a signature so that an accidental change
/// fails the build. The [`LshIndex`] settings (bands, threshold) are not part of it: the
/// index is rebuilt in memory at every start.
pub const PARAMS_VERSION: u32 = 1;
