//! Text normalisation and character shingles.
//!
//! Everything here feeds stored signatures, so the rules are written out explicitly (code
//! point ranges, a hand-written hash) instead of borrowing anything whose output may change
//! between Rust releases. Any change here requires bumping [`crate::PARAMS_VERSION`].

/// Folds a demand's text to the form that is compared.
///
/// Full-width ASCII becomes half-width, ASCII letters are lowercased, and only Han
/// characters, letters and digits are kept: whitespace, punctuation (ASCII and CJK:
/// `，。！？、；：“”‘’（）《》【】…—`), symbols, emoji and zero-width characters are dropped.
/// Citizens re-post the same complaint with different punctuation, spacing or input-method
/// width far more often than with different words, so those differences must not count.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = fold_width(c);
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if is_han(c) || c.is_alphanumeric() {
            // `is_alphanumeric` covers other scripts (Latin with accents, ①, Ⅲ). Its Unicode
            // tables only grow, so a Rust upgrade can at most start keeping characters that
            // were unassigned before; Han, the bulk of every demand, is decided by fixed ranges.
            out.push(c);
        }
    }
    out
}

fn fold_width(c: char) -> char {
    match c as u32 {
        // U+FF01..U+FF5E mirror U+0021..U+007E at a fixed offset.
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_han(c: char) -> bool {
    matches!(
        c as u32,
        0x3007              // 〇
        | 0x3400..=0x4DBF   // extension A
        | 0x4E00..=0x9FFF   // unified ideographs
        | 0xF900..=0xFAFF   // compatibility ideographs
        | 0x20000..=0x2FA1F // extensions B–F, compatibility supplement
        | 0x30000..=0x323AF // extensions G–H
    )
}

/// Seed of the shingle hash; part of the stored-signature contract.
const SHINGLE_SEED: u64 = 0x5348_4953_4849_0001;

/// SplitMix64's finaliser: a fixed, well-studied 64-bit mixer that needs no tables.
pub(crate) const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes of the character k-shingles of an already normalised text, sorted and deduplicated
/// (a set, as MinHash and Jaccard want).
///
/// A text shorter than `k` (but not empty) becomes one shingle of its own, so that "噪音" still
/// matches "噪音" when k = 3.
pub(crate) fn shingle_hashes(normalized: &str, k: usize, out: &mut Vec<u64>) {
    out.clear();
    let k = k.max(1);
    let chars: Vec<u32> = normalized.chars().map(u32::from).collect();
    if chars.is_empty() {
        return;
    }
    if chars.len() < k {
        out.push(hash_chars(&chars));
    } else {
        out.extend(chars.windows(k).map(hash_chars));
    }
    out.sort_unstable();
    out.dedup();
}

fn hash_chars(chars: &[u32]) -> u64 {
    // The length goes into the seed so that a short whole-text shingle cannot equal a
    // k-shingle by construction.
    let mut h = SHINGLE_SEED ^ chars.len() as u64;
    for &c in chars {
        h = mix64(h.wrapping_add(u64::from(c)));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_width_case_and_drops_punctuation() {
        assert_eq!(
            normalize("Ａ市　Ａ３区：“噪音”扰民！！（２４小时）…—【紧急】"),
            "a市a3区噪音扰民24小时紧急"
        );
        assert_eq!(normalize("Hello, World 2019?"), "helloworld2019");
        assert_eq!(normalize("，。！？、；：“”‘’（）《》【】…—"), "");
        assert_eq!(normalize("西地省\u{200B}K8县\u{FEFF}"), "西地省k8县");
        assert_eq!(normalize("第〇次①"), "第〇次①");
        assert_eq!(normalize(" \n\t\u{3000}\u{a0}"), "");
    }

    #[test]
    fn shingles_are_a_set_and_short_texts_get_one() {
        let mut out = Vec::new();
        shingle_hashes("噪音噪音", 2, &mut out);
        // 噪音, 音噪, 噪音 → two distinct shingles
        assert_eq!(out.len(), 2);
        shingle_hashes("噪", 3, &mut out);
        assert_eq!(out.len(), 1);
        shingle_hashes("", 3, &mut out);
        assert!(out.is_empty());
    }
}
