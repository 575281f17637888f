//! Recall of the near-duplicate index on real citizen messages (泰迪杯 2020 附件3).
//!
//! ```text
//! cargo run --release -p shishi-text --example recall -- /work/shared/data/teddycup2020/hot_messages.csv
//! ```
//!
//! Evaluation only: the crate's tests do not need this file.

use shishi_text::{LshIndex, MinHasher, Shingles, Signature, normalize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// RFC 4180: quoted fields, doubled quotes inside them, newlines inside quotes.
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                at_field_start = false;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if in_quotes {
        return Err("file ends inside a quoted field".into());
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

struct Msg {
    id: i64,
    title: String,
    details: String,
    text: String,
}

fn load(path: &str) -> Result<Vec<Msg>, String> {
    let raw = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let rows = parse_csv(&raw)?;
    let header = rows.first().ok_or("empty file")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let (ci, ct, cd) = (col("留言编号")?, col("留言主题")?, col("留言详情")?);
    let mut out = Vec::new();
    for (n, r) in rows.iter().enumerate().skip(1) {
        if r.len() != header.len() {
            return Err(format!(
                "row {n} has {} cells, header has {}",
                r.len(),
                header.len()
            ));
        }
        let id: i64 = r[ci]
            .trim()
            .parse()
            .map_err(|e| format!("row {n} id: {e}"))?;
        let (title, details) = (r[ct].trim().to_string(), r[cd].trim().to_string());
        let text = format!("{title}\n{details}");
        out.push(Msg {
            id,
            title,
            details,
            text,
        });
    }
    Ok(out)
}

fn trunc(s: &str, n: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let mut t: String = flat.chars().take(n).collect();
    if flat.chars().count() > n {
        t.push('…');
    }
    t
}

/// Deterministic xorshift so edits are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A re-post with small edits: `rate` of the Han characters replaced by other characters
/// of the corpus, punctuation swapped or dropped, digits made full-width.
fn edit(text: &str, rate: f64, alphabet: &[char], rng: &mut Rng) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let r = (rng.next() % 1_000_000) as f64 / 1_000_000.0;
        match c {
            '，' | '。' | '！' | '？' if rng.below(3) == 0 => out.push(','),
            '0'..='9' => out.push(char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)),
            _ if r < rate && ('\u{4E00}'..='\u{9FFF}').contains(&c) => {
                out.push(alphabet[rng.below(alphabet.len())])
            }
            _ => out.push(c),
        }
    }
    out
}

struct Eval {
    k: usize,
    sigs: Vec<Signature>,
    shingles: Vec<Shingles>,
    index: LshIndex,
    /// For each row: ids returned (self excluded) with estimated similarity.
    results: Vec<Vec<(i64, f64)>>,
}

fn evaluate(msgs: &[Msg], k: usize, bands: usize, rows: usize) -> Eval {
    let h = MinHasher::with_shingle_len(k);
    let (sigs, shingles): (Vec<_>, Vec<_>) =
        msgs.iter().map(|m| h.sign_and_shingle(&m.text)).unzip();
    let mut index = LshIndex::with_bands(bands, rows).expect("valid bands");
    index.reserve(msgs.len());
    for (m, s) in msgs.iter().zip(&sigs) {
        index.insert(m.id, s);
    }
    let results = msgs
        .iter()
        .zip(&sigs)
        .map(|(m, s)| {
            index
                .query(s, 1000)
                .into_iter()
                .filter(|&(id, _)| id != m.id)
                .collect()
        })
        .collect();
    Eval {
        k,
        sigs,
        shingles,
        index,
        results,
    }
}

fn main() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/work/shared/data/teddycup2020/hot_messages.csv".into());
    let msgs = load(&path)?;
    let ids: HashSet<i64> = msgs.iter().map(|m| m.id).collect();
    println!(
        "{} rows, {} distinct ids from {path}",
        msgs.len(),
        ids.len()
    );
    let pos: HashMap<i64, usize> = msgs.iter().enumerate().map(|(i, m)| (m.id, i)).collect();

    // Ground truth: same trimmed title and details under different ids.
    let mut by_text: BTreeMap<(&str, &str), Vec<i64>> = BTreeMap::new();
    for m in &msgs {
        by_text
            .entry((m.title.as_str(), m.details.as_str()))
            .or_default()
            .push(m.id);
    }
    let groups: Vec<Vec<i64>> = by_text
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g.dedup();
            g
        })
        .filter(|g| g.len() > 1)
        .collect();
    let group_of: HashMap<i64, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(gi, g)| g.iter().map(move |&id| (id, gi)))
        .collect();
    println!(
        "ground truth: {} groups, {} rows with an exact repeat under another id",
        groups.len(),
        group_of.len()
    );
    let alphabet: Vec<char> = {
        let mut set: Vec<char> = msgs
            .iter()
            .flat_map(|m| normalize(&m.text).chars().collect::<Vec<_>>())
            .collect();
        set.sort_unstable();
        set.dedup();
        set.into_iter()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .collect()
    };

    let mut evals = Vec::new();
    for (k, bands, rows) in [(2, 32, 4), (3, 32, 4)] {
        let t = Instant::now();
        let ev = evaluate(&msgs, k, bands, rows);
        println!(
            "\n== k = {k}, {bands} bands × {rows} rows, threshold {} ==",
            ev.index.threshold()
        );
        println!(
            "index + {} queries: {:.0} ms",
            msgs.len(),
            t.elapsed().as_secs_f64() * 1e3
        );

        // Recall on exact repeats.
        let (mut want, mut got) = (0usize, 0usize);
        for g in &groups {
            for &id in g {
                let found: HashSet<i64> = ev.results[pos[&id]].iter().map(|r| r.0).collect();
                for &other in g.iter().filter(|&&o| o != id) {
                    want += 1;
                    got += usize::from(found.contains(&other));
                }
            }
        }
        println!(
            "exact repeats: recall {got}/{want} = {:.3} (pairs, queried from each side)",
            got as f64 / want as f64
        );

        // Beyond the repeats: everything else above threshold, judged by exact Jaccard.
        let (mut extra, mut extra_true) = (0usize, 0usize);
        for (i, m) in msgs.iter().enumerate() {
            for &(id, _) in &ev.results[i] {
                let same_group = group_of
                    .get(&m.id)
                    .is_some_and(|g| group_of.get(&id) == Some(g));
                if !same_group {
                    extra += 1;
                    extra_true +=
                        usize::from(ev.shingles[i].jaccard(&ev.shingles[pos[&id]]) >= 0.5);
                }
            }
        }
        println!(
            "other candidates ≥ threshold: {:.3} per query ({extra} in all), of which {:.1}% have exact Jaccard ≥ 0.5",
            extra as f64 / msgs.len() as f64,
            100.0 * extra_true as f64 / extra.max(1) as f64
        );

        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let h = MinHasher::with_shingle_len(k);
        for rate in [0.05, 0.10, 0.20, 0.30] {
            let (mut n, mut hit, mut jsum) = (0usize, 0usize, 0.0);
            for (i, m) in msgs.iter().enumerate() {
                if ev.sigs[i].is_empty() {
                    continue;
                }
                let edited = edit(&m.text, rate, &alphabet, &mut rng);
                let (s, sh) = h.sign_and_shingle(&edited);
                jsum += sh.jaccard(&ev.shingles[i]);
                n += 1;
                hit += usize::from(ev.index.query(&s, 1000).iter().any(|r| r.0 == m.id));
            }
            println!(
                "synthetic re-post, {:>2.0}% of Han chars replaced + punctuation/width: mean exact Jaccard {:.3}, recall {:.3}",
                rate * 100.0,
                jsum / n as f64,
                hit as f64 / n as f64
            );
        }
        let (mut n, mut hit, mut jsum) = (0usize, 0usize, 0.0);
        for (i, m) in msgs.iter().enumerate() {
            let other = &msgs[rng.below(msgs.len())].text;
            let Some(edited) = rewrite_clause(&m.text, other, &mut rng) else {
                continue;
            };
            let (s, sh) = h.sign_and_shingle(&edited);
            jsum += sh.jaccard(&ev.shingles[i]);
            n += 1;
            hit += usize::from(ev.index.query(&s, 1000).iter().any(|r| r.0 == m.id));
        }
        println!(
            "synthetic re-post, one clause dropped and one from another message added ({n} rows): mean exact Jaccard {:.3}, recall {:.3}",
            jsum / n as f64,
            hit as f64 / n as f64
        );
        evals.push(ev);
    }

    brute_force(&msgs, &evals);

    // Example groups formed by the index with the stored parameters: connected components
    // of "found above threshold", showing those that are not just exact repeats.
    let ev = evals
        .iter()
        .find(|e| e.k == shishi_text::SHINGLE_LEN)
        .ok_or("no eval")?;
    let mut parent: Vec<usize> = (0..msgs.len()).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (i, res) in ev.results.iter().enumerate() {
        for &(id, _) in res {
            let (a, b) = (root(&mut parent, i), root(&mut parent, pos[&id]));
            parent[a] = b;
        }
    }
    let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..msgs.len() {
        let r = root(&mut parent, i);
        comps.entry(r).or_default().push(i);
    }
    let comps: Vec<Vec<usize>> = comps.into_values().filter(|c| c.len() > 1).collect();
    let min_jaccard = |c: &[usize]| {
        c.iter()
            .map(|&i| ev.shingles[i].jaccard(&ev.shingles[c[0]]))
            .fold(1.0f64, f64::min)
    };
    let exact: Vec<&Vec<usize>> = comps.iter().filter(|c| min_jaccard(c) >= 1.0).collect();
    let mut near: Vec<(&Vec<usize>, f64)> = comps
        .iter()
        .map(|c| (c, min_jaccard(c)))
        .filter(|&(_, j)| j < 0.97)
        .collect();
    near.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!(
        "\nk = {}: the index links {} groups ({} rows): {} of identical texts (after normalising), {} with edits (lowest J < 0.97)",
        ev.k,
        comps.len(),
        comps.iter().map(Vec::len).sum::<usize>(),
        exact.len(),
        near.len()
    );
    let step = (near.len() / 4).max(1);
    let shown = exact.iter().take(1).copied().chain(
        near.iter()
            .skip(step / 2)
            .step_by(step)
            .take(4)
            .map(|(c, _)| *c),
    );
    for (n, c) in shown.enumerate() {
        println!("\ngroup {} ({} rows):", n + 1, c.len());
        let first = normalize(&msgs[c[0]].text);
        for &i in c.iter().take(4) {
            let m = &msgs[i];
            println!(
                "  {:>6} J={:.2} est={:.2}  {}",
                m.id,
                ev.shingles[i].jaccard(&ev.shingles[c[0]]),
                shishi_text::estimate_jaccard(&ev.sigs[i], &ev.sigs[c[0]]),
                trunc(&m.text, 40)
            );
            let this = normalize(&m.text);
            if i != c[0] && this != first {
                let (a, b) = first_difference(&first, &this);
                println!("           first difference (normalised): “{a}” → “{b}”");
            }
        }
    }
    Ok(())
}

/// Around the first differing character of two normalised texts, 16 characters of each.
fn first_difference(a: &str, b: &str) -> (String, String) {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let from = common.saturating_sub(4);
    let part = |t: &str| t.chars().skip(from).take(16).collect::<String>();
    (part(a), part(b))
}

/// Clauses (split at ，。！？ and newlines) of `text` with one dropped and one clause of
/// `other` added at the end; None for texts of fewer than four clauses.
fn rewrite_clause(text: &str, other: &str, rng: &mut Rng) -> Option<String> {
    let split = |t: &str| -> Vec<String> {
        t.split_inclusive(['，', '。', '！', '？', '\n'])
            .map(str::to_string)
            .collect()
    };
    let mut clauses = split(text);
    let extra = split(other);
    if clauses.len() < 4 || extra.is_empty() {
        return None;
    }
    clauses.remove(rng.below(clauses.len()));
    clauses.push(extra[rng.below(extra.len())].clone());
    Some(clauses.concat())
}

/// Every pair, exact Jaccard under each k: near-duplicates by definition (≥ 0.5) and how
/// many the index returned, the background, and where k = 2 and k = 3 disagree.
fn brute_force(msgs: &[Msg], evals: &[Eval]) {
    let t = Instant::now();
    let hits: Vec<Vec<HashSet<i64>>> = evals
        .iter()
        .map(|ev| {
            ev.results
                .iter()
                .map(|r| r.iter().map(|x| x.0).collect())
                .collect()
        })
        .collect();
    let n = msgs.len();
    let mut truth = vec![0usize; evals.len()];
    let mut found = vec![0usize; evals.len()];
    let mut sum = vec![0.0f64; evals.len()];
    let mut over = vec![[0usize; 3]; evals.len()];
    let mut only2 = Vec::new();
    let mut only3 = Vec::new();
    let k2 = evals.iter().position(|e| e.k == 2);
    let k3 = evals.iter().position(|e| e.k == 3);
    for i in 0..n {
        for j in i + 1..n {
            let jac: Vec<f64> = evals
                .iter()
                .map(|e| e.shingles[i].jaccard(&e.shingles[j]))
                .collect();
            for (e, &x) in jac.iter().enumerate() {
                sum[e] += x;
                for (b, lim) in [0.1, 0.2, 0.3].iter().enumerate() {
                    over[e][b] += usize::from(x >= *lim);
                }
                if x >= 0.5 {
                    truth[e] += 2;
                    found[e] += usize::from(hits[e][i].contains(&msgs[j].id));
                    found[e] += usize::from(hits[e][j].contains(&msgs[i].id));
                }
            }
            if let (Some(a), Some(b)) = (k2, k3) {
                if jac[a] >= 0.5 && jac[b] < 0.5 {
                    only2.push((i, j, jac[a], jac[b]));
                } else if jac[b] >= 0.5 && jac[a] < 0.5 {
                    only3.push((i, j, jac[a], jac[b]));
                }
            }
        }
    }
    let pairs = (n * (n - 1) / 2) as f64;
    println!(
        "\n== all {} pairs, exact Jaccard ({:.0} s) ==",
        pairs,
        t.elapsed().as_secs_f64()
    );
    for (e, ev) in evals.iter().enumerate() {
        println!(
            "k = {}: {} ordered pairs ≥ 0.5, index found {} = recall {:.3}; mean Jaccard {:.4}; share ≥ 0.1 / 0.2 / 0.3: {:.5} / {:.6} / {:.6}",
            ev.k,
            truth[e],
            found[e],
            found[e] as f64 / truth[e].max(1) as f64,
            sum[e] / pairs,
            over[e][0] as f64 / pairs,
            over[e][1] as f64 / pairs,
            over[e][2] as f64 / pairs,
        );
    }
    for (name, list) in [("k = 2 only", &only2), ("k = 3 only", &only3)] {
        println!("pairs ≥ 0.5 under {name}: {}", list.len());
        for &(i, j, a, b) in list.iter().take(4) {
            println!(
                "  J2={a:.2} J3={b:.2}  {} | {}",
                trunc(&msgs[i].text, 30),
                trunc(&msgs[j].text, 30)
            );
        }
    }
}
