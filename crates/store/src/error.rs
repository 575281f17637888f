use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint said no: the thing already exists.
    #[error("already exists: {0}")]
    Duplicate(String),
    /// A foreign key said no: something still refers to it, or it refers to nothing.
    #[error("still referenced or refers to nothing: {0}")]
    Reference(String),
    /// Someone else changed the row since it was read.
    #[error("changed by someone else")]
    Stale,
    #[error("configuration: {0}")]
    Config(String),
    #[error("migration: {0}")]
    Migration(String),
    #[error("database: {0}")]
    Db(sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Duplicate(db.constraint().unwrap_or("").to_string())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Reference(db.constraint().unwrap_or("").to_string())
            }
            _ => StoreError::Db(e),
        }
    }
}
