//! Banded LSH index over MinHash signatures, sized for a million demands in memory.
//!
//! Layout, per stored demand ("slot"): the low byte of each of the [`NUM_PERM`] signature
//! values (b-bit MinHash, b = 8), its id, and one `u32` plus a tag byte in each band's hash
//! table and in the id table. Band keys are recomputed from the stored bytes instead of being stored, and the
//! tables are open-addressing arrays of slot numbers, so there are no per-bucket
//! allocations: about 340 bytes per entry at 32 bands (128 signature bytes, 8 id bytes,
//! 33 tables × 5 bytes per cell ÷ 0.8 load), against 1–2 KB for hash maps of vectors.

use crate::minhash::{NUM_PERM, Signature};
use crate::normalize::mix64;

/// Default bands × rows. With r = 4, a pair at Jaccard 0.5 shares a band with probability
/// 1 − (1 − 0.5⁴)³² ≈ 0.87, at 0.6 ≈ 0.99, while a pair at 0.1 does so only with 0.003.
pub const DEFAULT_BANDS: usize = 32;
pub const DEFAULT_ROWS: usize = 4;

/// Default minimum estimated Jaccard similarity of a returned candidate.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Why a band layout was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bands × rows must be {NUM_PERM} with 1 ≤ rows ≤ 8, got {bands} × {rows}")]
pub struct BandsError {
    pub bands: usize,
    pub rows: usize,
}

const EMPTY: u32 = u32::MAX;
/// Above this load the tables grow by half; linear probing stays short up to here.
const MAX_LOAD: f64 = 0.8;
/// Most entries stored under one band value, and so looked at per band and query. Thousands
/// of texts can share a band value (boilerplate, a mass campaign of one letter, the same
/// standard title in every unit); the cap bounds the query time and keeps inserts from
/// probing a run that grows with the crowd (quadratic loading). A real near-duplicate shares
/// several bands, so it is rarely crowded out of all of them. Entries left out of a crowded
/// band stay out after others leave it.
const MAX_PER_BAND: usize = 256;
/// Probability that two unrelated values agree in their low byte anyway.
const BBIT_CHANCE: f64 = 1.0 / 256.0;

/// Multiset of slot numbers under 32-bit keys that are recomputed from the slot on demand.
///
/// Beside each cell sits one byte of its key, so a probe run (long where many demands share
/// a band value, e.g. a common opening sentence) is scanned sequentially and the stored
/// signature is only read, a likely cache miss, for the 1 in 256 cells whose byte matches.
#[derive(Clone, Debug, Default)]
struct SlotTable {
    slots: Vec<u32>,
    tags: Vec<u8>,
    len: usize,
}

fn tag(key: u32) -> u8 {
    // `home` uses the high bits; the low byte is close to independent of them.
    key as u8
}

impl SlotTable {
    fn home(&self, key: u32) -> usize {
        // Lemire's multiply-shift range reduction: any capacity, not just powers of two,
        // so a table sized for a known count wastes no more than MAX_LOAD asks for.
        ((u64::from(key) * self.slots.len() as u64) >> 32) as usize
    }

    fn next(&self, pos: usize) -> usize {
        if pos + 1 == self.slots.len() {
            0
        } else {
            pos + 1
        }
    }

    fn reserve(&mut self, total: usize, key: &impl Fn(u32) -> u32) {
        let want = (total as f64 / MAX_LOAD).ceil() as usize + 1;
        if want <= self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; want]);
        self.tags = vec![0; want];
        for s in old.into_iter().filter(|&s| s != EMPTY) {
            self.place(s, key(s));
        }
    }

    fn place(&mut self, slot: u32, key: u32) {
        let mut pos = self.home(key);
        while self.slots[pos] != EMPTY {
            pos = self.next(pos);
        }
        self.slots[pos] = slot;
        self.tags[pos] = tag(key);
    }

    fn insert(&mut self, slot: u32, key: &impl Fn(u32) -> u32) {
        if (self.len + 1) as f64 > self.slots.len() as f64 * MAX_LOAD {
            let grown = (self.slots.len() * 3 / 2).max(self.len + 16);
            self.reserve(grown, key);
        }
        self.place(slot, key(slot));
        self.len += 1;
    }

    /// Inserts many `(key, slot)` at once in the order of their home cells, so that the
    /// writes sweep the table once instead of landing on a random cache line each.
    fn insert_batch(&mut self, batch: &mut [(u32, u32)], key: &impl Fn(u32) -> u32) {
        self.reserve(self.len + batch.len(), key);
        batch.sort_unstable_by_key(|&(k, _)| self.home(k));
        for &(k, slot) in batch.iter() {
            self.place(slot, k);
        }
        self.len += batch.len();
    }

    /// Calls `f` for every slot stored under `k`; stops early when `f` returns false.
    fn scan(&self, k: u32, key: &impl Fn(u32) -> u32, mut f: impl FnMut(u32) -> bool) {
        if self.slots.is_empty() {
            return;
        }
        let t = tag(k);
        let mut pos = self.home(k);
        loop {
            let s = self.slots[pos];
            if s == EMPTY || (self.tags[pos] == t && key(s) == k && !f(s)) {
                return;
            }
            pos = self.next(pos);
        }
    }

    /// How many slots are stored under `k`, counting no further than `cap`.
    fn count_up_to(&self, k: u32, key: &impl Fn(u32) -> u32, cap: usize) -> usize {
        let mut n = 0;
        self.scan(k, key, |_| {
            n += 1;
            n < cap
        });
        n
    }

    fn remove(&mut self, slot: u32, key: &impl Fn(u32) -> u32) {
        if self.slots.is_empty() {
            return;
        }
        let mut hole = self.home(key(slot));
        loop {
            match self.slots[hole] {
                EMPTY => return,
                s if s == slot => break,
                _ => hole = self.next(hole),
            }
        }
        // Backward-shift deletion: no tombstones, so probe runs never grow with churn.
        let mut j = hole;
        loop {
            j = self.next(j);
            let s = self.slots[j];
            if s == EMPTY {
                break;
            }
            let h = self.home(key(s));
            let stays = if hole <= j {
                hole < h && h <= j
            } else {
                hole < h || h <= j
            };
            if !stays {
                self.slots[hole] = s;
                self.tags[hole] = self.tags[j];
                hole = j;
            }
        }
        self.slots[hole] = EMPTY;
        self.len -= 1;
    }

    fn bytes(&self) -> usize {
        self.slots.capacity() * 4 + self.tags.capacity()
    }
}

/// In-memory index from signature to demand id. Plain data (`Send + Sync`); the caller
/// wraps it in a lock and rebuilds it from the stored signatures at start.
#[derive(Clone, Debug)]
pub struct LshIndex {
    bands: usize,
    rows: usize,
    threshold: f64,
    /// Low byte of each signature value, `NUM_PERM` per slot.
    sigs: Vec<u8>,
    ids: Vec<i64>,
    free: Vec<u32>,
    by_id: SlotTable,
    by_band: Vec<SlotTable>,
}

impl Default for LshIndex {
    fn default() -> Self {
        Self::new()
    }
}

fn id_key(id: i64) -> u32 {
    (mix64(id as u64) >> 32) as u32
}

fn band_key(bytes: &[u8]) -> u32 {
    let packed = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    (mix64(packed ^ 0xB4D5_0000_0000_0000) >> 32) as u32
}

/// A text that normalised to nothing has every value at `u32::MAX`; all such would share
/// every band, so they stay out of the band tables (and are never similar to anything).
fn is_empty_sig(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0xFF)
}

impl LshIndex {
    /// An index with [`DEFAULT_BANDS`] × [`DEFAULT_ROWS`] and [`DEFAULT_THRESHOLD`].
    pub fn new() -> Self {
        Self::build(DEFAULT_BANDS, DEFAULT_ROWS)
    }

    /// An index with another band layout, for evaluation.
    pub fn with_bands(bands: usize, rows: usize) -> Result<Self, BandsError> {
        if bands * rows != NUM_PERM || !(1..=8).contains(&rows) {
            return Err(BandsError { bands, rows });
        }
        Ok(Self::build(bands, rows))
    }

    fn build(bands: usize, rows: usize) -> Self {
        LshIndex {
            bands,
            rows,
            threshold: DEFAULT_THRESHOLD,
            sigs: Vec::new(),
            ids: Vec::new(),
            free: Vec::new(),
            by_id: SlotTable::default(),
            by_band: vec![SlotTable::default(); bands],
        }
    }

    /// Sizes the tables for `total` entries at once, so that loading all stored signatures
    /// at start does not rehash repeatedly.
    pub fn reserve(&mut self, total: usize) {
        let extra = total.saturating_sub(self.ids.len());
        self.sigs.reserve(extra * NUM_PERM);
        self.ids.reserve(extra);
        let Self {
            sigs,
            ids,
            by_id,
            by_band,
            rows,
            ..
        } = self;
        by_id.reserve(total, &|s| id_key(ids[s as usize]));
        for (band, table) in by_band.iter_mut().enumerate() {
            table.reserve(total, &|s| band_key(band_bytes(sigs, s, band, *rows)));
        }
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Minimum estimated Jaccard similarity that [`LshIndex::query`] returns.
    pub fn set_threshold(&mut self, threshold: f64) {
        // A NaN from a mistyped setting would silently match nothing; keep the default.
        if !threshold.is_nan() {
            self.threshold = threshold.clamp(0.0, 1.0);
        }
    }

    pub fn bands(&self) -> (usize, usize) {
        (self.bands, self.rows)
    }

    pub fn len(&self) -> usize {
        self.by_id.len
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.len == 0
    }

    pub fn contains(&self, id: i64) -> bool {
        self.slot_of(id).is_some()
    }

    fn slot_of(&self, id: i64) -> Option<u32> {
        let mut found = None;
        let ids = &self.ids;
        self.by_id
            .scan(id_key(id), &|s| id_key(ids[s as usize]), |s| {
                if ids[s as usize] == id {
                    found = Some(s);
                    false
                } else {
                    true
                }
            });
        found
    }

    /// Adds a demand, replacing whatever was stored under the same id.
    pub fn insert(&mut self, id: i64, sig: &Signature) {
        let slot = self.store(id, sig);
        let at = slot as usize * NUM_PERM;
        let Self {
            sigs,
            ids,
            by_id,
            by_band,
            rows,
            ..
        } = self;
        by_id.insert(slot, &|s| id_key(ids[s as usize]));
        if !is_empty_sig(&sigs[at..at + NUM_PERM]) {
            for (band, table) in by_band.iter_mut().enumerate() {
                let key = |s: u32| band_key(band_bytes(sigs, s, band, *rows));
                if table.count_up_to(key(slot), &key, MAX_PER_BAND) < MAX_PER_BAND {
                    table.insert(slot, &key);
                }
            }
        }
    }

    /// [`LshIndex::insert`] for many demands at once, several times faster for large
    /// batches (loading all stored signatures at start). A later entry wins over an earlier
    /// one with the same id.
    pub fn insert_many<'a>(&mut self, entries: impl IntoIterator<Item = (i64, &'a Signature)>) {
        let mut pending = Vec::new();
        for (id, sig) in entries {
            // The id table is kept current entry by entry (one random access each), so a
            // repeated id finds and frees its predecessor, even one from this same batch.
            let slot = self.store(id, sig);
            let ids = &self.ids;
            self.by_id.insert(slot, &|s| id_key(ids[s as usize]));
            pending.push(slot);
        }
        // A slot freed by a repeat may have been handed out again, hence the dedup.
        pending.sort_unstable();
        pending.dedup();
        pending.retain(|&s| {
            self.slot_of(self.ids[s as usize]) == Some(s)
                && !is_empty_sig(&self.sigs[s as usize * NUM_PERM..(s as usize + 1) * NUM_PERM])
        });
        let Self {
            sigs,
            by_band,
            rows,
            ..
        } = self;
        let mut batch = Vec::with_capacity(pending.len());
        for (band, table) in by_band.iter_mut().enumerate() {
            let key = |s: u32| band_key(band_bytes(sigs, s, band, *rows));
            batch.clear();
            batch.extend(pending.iter().map(|&s| (key(s), s)));
            // At most MAX_PER_BAND under one value, counting those already stored.
            batch.sort_unstable_by_key(|&(k, s)| (k, s));
            let mut kept = 0;
            let mut i = 0;
            while i < batch.len() {
                let k = batch[i].0;
                let end = i + batch[i..].iter().take_while(|(kk, _)| *kk == k).count();
                let room = MAX_PER_BAND.saturating_sub(table.count_up_to(k, &key, MAX_PER_BAND));
                for j in i..end.min(i + room) {
                    batch[kept] = batch[j];
                    kept += 1;
                }
                i = end;
            }
            batch.truncate(kept);
            table.insert_batch(&mut batch, &key);
        }
    }

    /// Replaces any entry under `id` and writes id and signature to a slot that is in no
    /// table yet.
    fn store(&mut self, id: i64, sig: &Signature) -> u32 {
        self.remove(id);
        self.store_new(id, sig)
    }

    fn store_new(&mut self, id: i64, sig: &Signature) -> u32 {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                let s = self.ids.len();
                // Slot numbers are u32 and u32::MAX marks an empty table cell.
                assert!(
                    s < EMPTY as usize,
                    "LshIndex holds at most 2^32 - 1 entries"
                );
                self.ids.push(id);
                self.sigs.resize(self.sigs.len() + NUM_PERM, 0);
                s as u32
            }
        };
        self.ids[slot as usize] = id;
        let at = slot as usize * NUM_PERM;
        for (dst, v) in self.sigs[at..at + NUM_PERM].iter_mut().zip(sig.values()) {
            *dst = *v as u8;
        }
        slot
    }

    /// Drops a demand (closed, withdrawn, merged). Returns whether it was there.
    pub fn remove(&mut self, id: i64) -> bool {
        let Some(slot) = self.slot_of(id) else {
            return false;
        };
        let at = slot as usize * NUM_PERM;
        let Self {
            sigs,
            ids,
            by_id,
            by_band,
            rows,
            free,
            ..
        } = self;
        if !is_empty_sig(&sigs[at..at + NUM_PERM]) {
            for (band, table) in by_band.iter_mut().enumerate() {
                table.remove(slot, &|s| band_key(band_bytes(sigs, s, band, *rows)));
            }
        }
        by_id.remove(slot, &|s| id_key(ids[s as usize]));
        free.push(slot);
        true
    }

    /// Stored demands that share at least one band with `sig` and whose estimated Jaccard
    /// similarity is at least [`LshIndex::threshold`], best first (ties by id), at most
    /// `limit` of them.
    ///
    /// The estimate comes from the stored low bytes (b-bit MinHash, corrected for chance
    /// agreement), so it can differ slightly from [`crate::estimate_jaccard`] on full
    /// signatures; re-rank the returned few with [`crate::jaccard`] where it matters.
    pub fn query(&self, sig: &Signature, limit: usize) -> Vec<(i64, f64)> {
        self.query_counted(sig, limit).0
    }

    /// [`LshIndex::query`] plus the number of distinct band candidates it looked at, which
    /// is what the query time grows with.
    pub(crate) fn query_counted(&self, sig: &Signature, limit: usize) -> (Vec<(i64, f64)>, usize) {
        if limit == 0 || sig.is_empty() || self.is_empty() {
            return (Vec::new(), 0);
        }
        let mut q = [0u8; NUM_PERM];
        for (dst, v) in q.iter_mut().zip(sig.values()) {
            *dst = *v as u8;
        }
        let mut cands: Vec<u32> = Vec::new();
        for (band, table) in self.by_band.iter().enumerate() {
            let mut taken = 0;
            let k = band_key(&q[band * self.rows..(band + 1) * self.rows]);
            table.scan(
                k,
                &|s| band_key(band_bytes(&self.sigs, s, band, self.rows)),
                |s| {
                    cands.push(s);
                    taken += 1;
                    taken < MAX_PER_BAND
                },
            );
        }
        cands.sort_unstable();
        cands.dedup();
        let looked_at = cands.len();
        let mut out: Vec<(i64, f64)> = cands
            .into_iter()
            .filter_map(|s| {
                let at = s as usize * NUM_PERM;
                let stored = &self.sigs[at..at + NUM_PERM];
                let same = stored.iter().zip(&q).filter(|(a, b)| a == b).count();
                let p = same as f64 / NUM_PERM as f64;
                let est = ((p - BBIT_CHANCE) / (1.0 - BBIT_CHANCE)).clamp(0.0, 1.0);
                (est >= self.threshold).then(|| (self.ids[s as usize], est))
            })
            .collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        (out, looked_at)
    }

    /// Heap bytes held by the index (capacities, not just lengths).
    pub fn memory_bytes(&self) -> usize {
        self.sigs.capacity()
            + self.ids.capacity() * 8
            + self.free.capacity() * 4
            + self.by_id.bytes()
            + self.by_band.iter().map(SlotTable::bytes).sum::<usize>()
            + self.by_band.capacity() * std::mem::size_of::<SlotTable>()
    }
}

fn band_bytes(sigs: &[u8], slot: u32, band: usize, rows: usize) -> &[u8] {
    let at = slot as usize * NUM_PERM + band * rows;
    &sigs[at..at + rows]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature;
    use crate::synth::Rng;
    use std::collections::HashMap;

    /// A crowd of identical texts (the same standard title in thousands of units) fills each
    /// band value up to the cap and no further, one by one and in a batch, and is still found.
    #[test]
    fn a_crowd_stops_at_the_cap() {
        let sig = signature("职工之家标准化建设");
        let mut one = LshIndex::new();
        for id in 0..2_000 {
            one.insert(id, &sig);
        }
        let mut many = LshIndex::new();
        let batch: Vec<(i64, &Signature)> = (0..2_000).map(|id| (id, &sig)).collect();
        many.insert_many(batch.iter().map(|(id, s)| (*id, *s)));
        for index in [&one, &many] {
            assert_eq!(index.len(), 2_000, "every id is known");
            assert!(index.by_band.iter().all(|t| t.len == MAX_PER_BAND));
            let found = index.query(&sig, 10);
            assert_eq!(found.len(), 10);
            assert!(found.iter().all(|(_, j)| *j > 0.99));
        }
        // Leaving and coming back keeps within the cap.
        assert!(one.remove(5));
        one.insert(5, &sig);
        assert!(one.by_band.iter().all(|t| t.len <= MAX_PER_BAND));
    }

    /// Random inserts, replacements and removals against a map, with many ids sharing a
    /// signature (long probe runs, wrap-around, growth, backward shifts across them).
    #[test]
    fn matches_a_model_under_churn() {
        let texts = [
            "楼下烧烤店油烟噪音扰民，凌晨两点还在营业。",
            "公司拖欠员工三个月工资，劳动监察大队不处理。",
            "小区配套学校至今没有建好，孩子上学难。",
            "村里的组级公路还是泥巴路，一下雨就无法通行。",
            "噪音",
            "",
        ];
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t)).collect();
        let mut index = LshIndex::new();
        let mut model: HashMap<i64, usize> = HashMap::new();
        let mut rng = Rng::new(7);
        for step in 0..4000 {
            let id = rng.below(150) as i64 - 20;
            if rng.below(3) == 0 {
                assert_eq!(index.remove(id), model.remove(&id).is_some());
            } else {
                let t = rng.below(texts.len());
                index.insert(id, &sigs[t]);
                model.insert(id, t);
            }
            assert_eq!(index.len(), model.len());
            if step % 97 == 0 {
                for (t, sig) in sigs.iter().enumerate() {
                    let mut want: Vec<i64> = model
                        .iter()
                        .filter(|&(_, &mt)| mt == t && !texts[t].is_empty())
                        .map(|(&id, _)| id)
                        .collect();
                    want.sort_unstable();
                    let got: Vec<i64> = index.query(sig, usize::MAX).iter().map(|r| r.0).collect();
                    assert_eq!(got, want, "text {t} at step {step}");
                }
                for &id in model.keys() {
                    assert!(index.contains(id));
                }
            }
        }
    }

    #[test]
    fn band_layout_is_validated() {
        assert!(LshIndex::with_bands(16, 8).is_ok());
        assert_eq!(
            LshIndex::with_bands(32, 3).err(),
            Some(BandsError { bands: 32, rows: 3 })
        );
        assert!(LshIndex::with_bands(8, 16).is_err());
    }
}
