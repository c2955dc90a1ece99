//! The store stage's error: a database failure, a rejected value, or a refused operation.

use super::DbError;
use crate::model::ValidationError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// A value broke a rule (including "no such customer" for a record's customer).
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{0}")]
    NotFound(String),
    /// The operation would lose or corrupt data, or breaks a uniqueness rule.
    #[error("{0}")]
    Refused(String),
    #[error(
        "the database schema is version {found}, newer than this tally understands (version {known}); upgrade tally before using this database"
    )]
    SchemaTooNew { found: u32, known: u32 },
    /// The schema must be migrated, and this connection may not change it.
    #[error(
        "the database schema is version {found} and this tally needs version {known}, which this database user may not create; a user allowed to change the schema must run `tally migrate` first"
    )]
    SchemaBehind { found: u32, known: u32 },
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Db(e) if e.is_transient())
    }

    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            StoreError::Db(DbError::Unreachable { .. } | DbError::Lost(_))
        )
    }
}
