//! The similarity check under load: an index of `n` synthetic demands, timed queries.

use crate::lsh::LshIndex;
use crate::minhash::{MinHasher, Signature};
use crate::synth::{Rng, base_of, edit, synthetic_demand};
use std::time::{Duration, Instant};

/// Figures from [`bench`].
#[derive(Clone, Debug)]
pub struct BenchReport {
    pub entries: usize,
    pub shingle_len: usize,
    pub threads: usize,
    /// Generating, normalising and signing all demands (in parallel on `threads`).
    pub sign_time: Duration,
    /// Inserting the signatures into the index in batches ([`LshIndex::insert_many`], one
    /// thread, as under a write lock).
    pub insert_time: Duration,
    pub index_bytes: usize,
    pub queries: usize,
    /// One check: normalise + sign the new text, query the index, re-rank the candidates by
    /// exact Jaccard (regenerating each candidate's text stands in for loading it).
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// Mean time of the three steps of a check.
    pub mean_sign: Duration,
    pub mean_query: Duration,
    pub mean_rerank: Duration,
    /// Distinct stored demands sharing a band with a query: mean and 99th percentile.
    pub mean_band_candidates: f64,
    pub p99_band_candidates: usize,
    /// Candidates above the threshold, on average.
    pub mean_returned: f64,
    /// Share of edited re-posts of a stored demand whose original came back.
    pub repost_recall: f64,
    /// Mean exact Jaccard of random pairs of stored demands (real 留言: about 0.013 at k = 2,
    /// 0.002 at k = 3), to judge how realistic the synthetic texts are.
    pub background_jaccard: f64,
}

impl BenchReport {
    pub fn bytes_per_entry(&self) -> f64 {
        self.index_bytes as f64 / self.entries.max(1) as f64
    }
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        writeln!(
            f,
            "near-duplicate index, {} synthetic demands, k = {}",
            self.entries, self.shingle_len
        )?;
        writeln!(
            f,
            "  build: sign {:.1} s ({} threads) + insert {:.1} s",
            self.sign_time.as_secs_f64(),
            self.threads,
            self.insert_time.as_secs_f64()
        )?;
        writeln!(
            f,
            "  memory: {:.1} MB, {:.0} bytes per entry",
            self.index_bytes as f64 / 1e6,
            self.bytes_per_entry()
        )?;
        writeln!(
            f,
            "  check ({} queries): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            self.queries,
            ms(self.p50),
            ms(self.p99),
            ms(self.max)
        )?;
        writeln!(
            f,
            "  mean: sign {:.3} ms, index query {:.3} ms, re-rank {:.3} ms",
            ms(self.mean_sign),
            ms(self.mean_query),
            ms(self.mean_rerank)
        )?;
        writeln!(
            f,
            "  per query: {:.1} band candidates (p99 {}), {:.2} above threshold; re-post recall {:.3}",
            self.mean_band_candidates,
            self.p99_band_candidates,
            self.mean_returned,
            self.repost_recall
        )?;
        write!(
            f,
            "  background Jaccard of random pairs: {:.4}",
            self.background_jaccard
        )
    }
}

/// Candidates re-ranked per check: what a form can show.
const RERANK: usize = 20;
const QUERIES: usize = 2_000;

/// Builds an index of `n` synthetic demands and times [`QUERIES`] similarity checks, half of
/// them edited re-posts of stored demands, half new demands. Deterministic apart from time.
pub fn bench(n: usize) -> BenchReport {
    let hasher = MinHasher::new();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut index = LshIndex::new();
    index.reserve(n);
    let (mut sign_time, mut insert_time) = (Duration::ZERO, Duration::ZERO);
    // In chunks, so that at most one chunk of full signatures is alive at a time.
    let chunk = 65_536;
    let mut start = 0;
    while start < n {
        let end = (start + chunk).min(n);
        let t = Instant::now();
        let sigs = sign_range(&hasher, start as u64, end as u64, threads);
        sign_time += t.elapsed();
        let t = Instant::now();
        index.insert_many(
            sigs.iter()
                .enumerate()
                .map(|(i, sig)| ((start + i) as i64, sig)),
        );
        insert_time += t.elapsed();
        start = end;
    }

    let mut rng = Rng::new(0xBE7C);
    let queries: Vec<(String, Option<i64>)> = (0..QUERIES)
        .map(|q| {
            if q % 2 == 0 && n > 0 {
                let id = rng.below(n) as u64;
                let original = base_of(id).unwrap_or(id);
                (edit(&synthetic_demand(id), &mut rng), Some(original as i64))
            } else {
                (synthetic_demand(n as u64 + 7 * q as u64 + 1), None)
            }
        })
        .collect();
    for (text, _) in queries.iter().take(50) {
        let _ = check(&hasher, &index, text);
    }
    let mut times = Vec::with_capacity(QUERIES);
    let (mut returned, mut reposts, mut found) = (0usize, 0usize, 0usize);
    let mut band_cands = Vec::with_capacity(QUERIES);
    let mut steps = [Duration::ZERO; 3];
    for (text, original) in &queries {
        let t = Instant::now();
        let (ranked, looked_at, step) = check(&hasher, &index, text);
        times.push(t.elapsed());
        for (sum, d) in steps.iter_mut().zip(step) {
            *sum += d;
        }
        band_cands.push(looked_at);
        returned += ranked.len();
        if let Some(orig) = original {
            reposts += 1;
            // The original or another re-post of it both count: either is the demand to co-sign.
            found += usize::from(
                ranked
                    .iter()
                    .any(|&(id, _)| id == *orig || base_of(id as u64) == Some(*orig as u64)),
            );
        }
    }
    times.sort_unstable();
    band_cands.sort_unstable();
    let pct =
        |p: f64| times.get(((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1)));

    let mut bg = 0.0;
    let pairs = 2_000;
    for _ in 0..pairs {
        let (a, b) = (rng.below(n.max(1)) as u64, rng.below(n.max(1)) as u64);
        bg += hasher.jaccard(&synthetic_demand(a), &synthetic_demand(b));
    }

    BenchReport {
        entries: index.len(),
        shingle_len: hasher.shingle_len(),
        threads,
        sign_time,
        insert_time,
        index_bytes: index.memory_bytes(),
        queries: times.len(),
        p50: pct(0.50).copied().unwrap_or_default(),
        p99: pct(0.99).copied().unwrap_or_default(),
        max: times.last().copied().unwrap_or_default(),
        mean_sign: steps[0] / QUERIES as u32,
        mean_query: steps[1] / QUERIES as u32,
        mean_rerank: steps[2] / QUERIES as u32,
        mean_band_candidates: band_cands.iter().sum::<usize>() as f64 / QUERIES as f64,
        p99_band_candidates: band_cands.get(QUERIES * 99 / 100).copied().unwrap_or(0),
        mean_returned: returned as f64 / QUERIES as f64,
        repost_recall: found as f64 / reposts.max(1) as f64,
        background_jaccard: bg / pairs as f64,
    }
}

/// What the intake form does for one text; returns (id, exact Jaccard) best first, the
/// number of band candidates and the time of each step.
fn check(
    hasher: &MinHasher,
    index: &LshIndex,
    text: &str,
) -> (Vec<(i64, f64)>, usize, [Duration; 3]) {
    let t0 = Instant::now();
    let (sig, shingles) = hasher.sign_and_shingle(text);
    let t1 = Instant::now();
    let (cands, looked_at) = index.query_counted(&sig, RERANK);
    let t2 = Instant::now();
    let mut ranked: Vec<(i64, f64)> = cands
        .into_iter()
        .map(|(id, _)| {
            (
                id,
                shingles.jaccard(&hasher.shingles(&synthetic_demand(id as u64))),
            )
        })
        .collect();
    ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    (ranked, looked_at, [t1 - t0, t2 - t1, t2.elapsed()])
}

fn sign_range(hasher: &MinHasher, start: u64, end: u64, threads: usize) -> Vec<Signature> {
    let len = (end - start) as usize;
    let per = len.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (start..end)
            .step_by(per)
            .map(|from| {
                let to = (from + per as u64).min(end);
                s.spawn(move || {
                    (from..to)
                        .map(|id| hasher.sign(&synthetic_demand(id)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A panic in a signing thread is a bug in this crate, not bad input; pass it on.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn small_bench_runs_and_finds_reposts() {
        let report = super::bench(2_000);
        assert_eq!(report.entries, 2_000);
        assert_eq!(report.queries, super::QUERIES);
        assert!(report.repost_recall > 0.95, "{report}");
        assert!(report.bytes_per_entry() > 100.0, "{report}");
    }
}
