//! Full-text search of demands in Chinese: tantivy with the jieba tokenizer, so that 路灯 finds
//! “东门路灯坏了” (SQLite's FTS5 tokenizers do not). The index is derived data: it lives in memory
//! and is rebuilt from the database at start.

use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(String);

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError(e.to_string())
    }
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    id: Field,
    text: Field,
}

/// Memory for the single indexing thread; tantivy's minimum is 15 MB.
const WRITER_BYTES: usize = 20_000_000;

impl SearchIndex {
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let mut schema = Schema::builder();
        let id = schema.add_i64_field("id", INDEXED | STORED | FAST);
        let text_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("jieba")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let text = schema.add_text_field("text", text_options);
        let index = Index::create_in_ram(schema.build());
        index
            .tokenizers()
            .register("jieba", tantivy_jieba::JiebaTokenizer::new());
        let writer = index.writer_with_num_threads(1, WRITER_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            id,
            text,
        })
    }

    /// Adds or replaces documents and makes them searchable (one commit for the batch).
    pub fn put_many<'a>(
        &self,
        docs: impl IntoIterator<Item = (i64, &'a str)>,
    ) -> Result<(), SearchError> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| SearchError("writer lock poisoned".into()))?;
        for (id, text) in docs {
            writer.delete_term(Term::from_field_i64(self.id, id));
            writer.add_document(doc!(self.id => id, self.text => text))?;
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    pub fn put(&self, id: i64, text: &str) -> Result<(), SearchError> {
        self.put_many([(id, text)])
    }

    /// Ids of the documents matching the words, best first. Every word must match; a query that
    /// cannot be parsed is searched for as plain words.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<i64>, SearchError> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(vec![]);
        }
        let mut parser = QueryParser::for_index(&self.index, vec![self.text]);
        parser.set_conjunction_by_default();
        let (parsed, _errors) = parser.parse_query_lenient(query);
        let searcher = self.reader.searcher();
        let top = searcher.search(&parsed, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut ids = Vec::with_capacity(top.len());
        for (_score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.id).and_then(|v| v.as_i64()) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_words_are_found() {
        let index = SearchIndex::in_memory().unwrap();
        index
            .put_many([
                (1, "东门路灯坏了一个月，夜班下班很黑"),
                (2, "食堂夜班餐只有面条，希望增加花样"),
                (3, "浴室热水供应时间太短"),
            ])
            .unwrap();
        assert_eq!(index.search("路灯", 10).unwrap(), vec![1]);
        assert_eq!(index.search("夜班", 10).unwrap().len(), 2);
        assert_eq!(
            index.search("夜班 面条", 10).unwrap(),
            vec![2],
            "every word must match"
        );
        assert!(index.search("停车场", 10).unwrap().is_empty());
        // Query syntax typed by a person is not an error.
        assert!(index.search("\"热水 AND (", 10).is_ok());
        // Replacing a document keeps one copy.
        index.put(3, "浴室热水已经全天供应").unwrap();
        assert_eq!(index.search("热水", 10).unwrap(), vec![3]);
        assert_eq!(index.len(), 3);
    }
}
