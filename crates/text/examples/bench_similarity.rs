//! Times the near-duplicate check against a million stored demands.
//!
//! ```text
//! cargo run --release -p shishi-text --example bench_similarity [-- n]
//! ```

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!("{}", shishi_text::bench(n));
}
