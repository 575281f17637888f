//! Matters that read like a demand being written: the form shows them so that a person sees the
//! thing is already on the list before filing it again. Derived from the database, rebuilt at
//! start; closed and cancelled matters are not offered.

use serde::Serialize;
use shishi_core::MatterStatus;
use shishi_store::matters::{self as store, MatterRow};

use crate::{ServiceResult, Services};

/// A matter on the list that looks like the text being typed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarMatter {
    pub id: i64,
    pub title: String,
    pub unit_name: String,
    pub status: String,
    pub progress: i64,
    /// Estimated Jaccard similarity of the character bigrams, 0–1.
    pub similarity: f64,
}

/// Index hits of a text stand under its id and its title under the negated id: one thing found
/// both ways counts once, at its better score, best first.
pub(crate) fn merge_twins(hits: Vec<(i64, f64)>, limit: usize) -> Vec<(i64, f64)> {
    let mut best: Vec<(i64, f64)> = Vec::new();
    for (id, score) in hits {
        let id = id.abs();
        match best.iter_mut().find(|(b, _)| *b == id) {
            Some(entry) => entry.1 = entry.1.max(score),
            None => best.push((id, score)),
        }
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1));
    best.truncate(limit);
    best
}

fn offered(status: &str) -> bool {
    !matches!(
        MatterStatus::from_code(status),
        Some(MatterStatus::Closed | MatterStatus::Cancelled) | None
    )
}

impl Services {
    /// Puts a matter in the index (its whole text under its id, its title under the negated
    /// id), or takes it out once it is closed or cancelled.
    pub(crate) fn index_matter(&self, id: i64, title: &str, description: &str, status: &str) {
        let Ok(mut index) = self.similar_matters.write() else {
            return;
        };
        index.remove(id);
        index.remove(-id);
        if offered(status) {
            index.insert(
                id,
                &shishi_text::signature(&format!("{title}\n{description}")),
            );
            index.insert(-id, &shishi_text::signature(title));
        }
    }

    pub(crate) fn reindex_matter(&self, m: &MatterRow) {
        self.index_matter(m.id, &m.title, &m.description, &m.status);
    }

    pub async fn rebuild_matter_index(&self) -> ServiceResult<usize> {
        let mut fresh = shishi_text::LshIndex::new();
        let mut conn = self.store.read().await?;
        let (mut after, mut n) = (0, 0);
        loop {
            let page = store::texts_page(&mut conn, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (id, title, description, status) in &page {
                if offered(status) {
                    fresh.insert(
                        *id,
                        &shishi_text::signature(&format!("{title}\n{description}")),
                    );
                    fresh.insert(-*id, &shishi_text::signature(title));
                    n += 1;
                }
            }
        }
        if let Ok(mut index) = self.similar_matters.write() {
            *index = fresh;
        }
        Ok(n)
    }

    pub async fn similar_matters(
        &self,
        text: &str,
        limit: usize,
    ) -> ServiceResult<Vec<SimilarMatter>> {
        if shishi_text::normalize(text).chars().count() < 6 {
            return Ok(vec![]);
        }
        let limit = limit.clamp(1, 20);
        let signature = shishi_text::signature(text);
        let hits = match self.similar_matters.read() {
            Ok(index) => index.query(&signature, limit * 2),
            Err(_) => vec![],
        };
        let best = merge_twins(hits, limit);
        let mut conn = self.store.read().await?;
        let mut out = Vec::new();
        for (id, similarity) in best {
            let Ok(m) = store::get(&mut conn, id).await else {
                continue;
            };
            if !offered(&m.status) {
                continue;
            }
            out.push(SimilarMatter {
                id,
                title: m.title,
                unit_name: m.unit_name,
                status: m.status,
                progress: m.progress,
                similarity,
            });
        }
        Ok(out)
    }
}
