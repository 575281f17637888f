//! The similarity index of open demands (what the form offers to co-sign) and the full-text
//! search index of all demands (what the inbox searches).

use super::*;

impl Services {
    /// Each open demand stands in the index twice: its whole text under its id, and its title
    /// under the negated id, so a title typed alone already finds it.
    pub(super) fn index_demand(&self, id: i64, title: &str, signature: &shishi_text::Signature) {
        let title_signature = shishi_text::signature(title);
        if let Ok(mut index) = self.similar.write() {
            index.insert(id, signature);
            index.insert(-id, &title_signature);
        }
    }

    pub(super) fn unindex_demand(&self, id: i64) {
        if let Ok(mut index) = self.similar.write() {
            index.remove(id);
            index.remove(-id);
        }
    }

    /// Rebuilds the similarity index of open demands from the signatures in the database.
    /// Signatures made under other parameters are skipped (re-signing them is `shishi reindex`'s job).
    pub async fn rebuild_similarity_index(&self) -> ServiceResult<usize> {
        let mut fresh = shishi_text::LshIndex::new();
        let mut conn = self.store.read().await?;
        let mut after = 0;
        loop {
            let page = store::signatures(&mut conn, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (id, title, bytes) in &page {
                if let Ok(sig) = shishi_text::Signature::from_bytes(bytes) {
                    fresh.insert(*id, &sig);
                    fresh.insert(-*id, &shishi_text::signature(title));
                }
            }
        }
        let n = fresh.len() / 2;
        if let Ok(mut index) = self.similar.write() {
            *index = fresh;
        }
        Ok(n)
    }

    /// What the demand form offers while someone types. Signed in, a person of the
    /// organisation sees similar open demands (to co-sign) and matters on the list by title;
    /// anyone else learns only that similar open demands exist, by id: the form is public, and
    /// open demands' titles are not.
    pub async fn similar(&self, actor: Option<&Actor>, text: &str) -> ServiceResult<Similar> {
        let demands = self.similar_demands(text, 5).await?;
        if actor.is_none() {
            return Ok(Similar {
                ids_only: demands.iter().map(|d| d.id).collect(),
                ..Similar::default()
            });
        }
        Ok(Similar {
            demands,
            matters: self.similar_matters(text, 3).await?,
            ids_only: vec![],
        })
    }

    /// Open demands that read like `text`, most similar first: what the form offers to
    /// co-sign instead of filing again. Carries nothing about who raised them.
    pub async fn similar_demands(
        &self,
        text: &str,
        limit: usize,
    ) -> ServiceResult<Vec<SimilarDemand>> {
        if shishi_text::normalize(text).chars().count() < 6 {
            return Ok(vec![]);
        }
        let signature = shishi_text::signature(text);
        let limit = limit.clamp(1, 20);
        let hits = match self.similar.read() {
            Ok(index) => index.query(&signature, limit * 2),
            Err(_) => vec![],
        };
        let hits = crate::matter_similarity::merge_twins(hits, limit);
        let mut conn = self.store.read().await?;
        let mut out = Vec::new();
        for (id, similarity) in hits {
            let Ok(d) = store::get(&mut conn, id).await else {
                continue;
            };
            if !status_of(&d).is_open() {
                continue;
            }
            let cosigners = store::cosigners(&mut conn, id).await?.len() as i64;
            out.push(SimilarDemand {
                id,
                title: d.title,
                unit_name: d.unit_name,
                status: d.status,
                cosigners,
                similarity,
            });
        }
        Ok(out)
    }

    /// Rebuilds the full-text index from every demand in the database, off the async workers.
    pub async fn rebuild_search_index(&self) -> ServiceResult<u64> {
        let mut conn = self.store.read().await?;
        let mut docs = Vec::new();
        let mut after = 0;
        loop {
            let page = store::texts_page(&mut conn, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            docs.extend(
                page.into_iter()
                    .map(|(id, title, body)| (id, format!("{title}\n{body}"))),
            );
        }
        drop(conn);
        let search = self.search.clone();
        tokio::task::spawn_blocking(move || {
            search.put_many(docs.iter().map(|(id, text)| (*id, text.as_str())))?;
            Ok::<u64, shishi_text::search::SearchError>(search.len())
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
    }

    /// Makes a new demand searchable. A failure is logged: the demand itself is already safe,
    /// and the index is rebuilt from the database at the next start.
    pub(super) async fn index_for_search(&self, docs: Vec<(i64, String)>) {
        let search = self.search.clone();
        let done = tokio::task::spawn_blocking(move || {
            search.put_many(docs.iter().map(|(id, text)| (*id, text.as_str())))
        })
        .await;
        if !matches!(done, Ok(Ok(()))) {
            tracing::warn!("a new demand could not be added to the search index");
        }
    }

    /// Ids of the demands whose words match, best first (at most `limit`).
    pub(super) async fn search_ids(&self, query: &str, limit: usize) -> ServiceResult<Vec<i64>> {
        let search = self.search.clone();
        let query = query.to_string();
        tokio::task::spawn_blocking(move || search.search(&query, limit))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| ServiceError::Internal(e.to_string()))
    }
}
