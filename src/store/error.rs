//! The store stage's error: a database failure, a rejected value, or a refused operation.

use super::DbError;
use crate::model::ValidationError;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The database failed; see [`DbError`] for what to do about it.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A value broke a rule (including "no such customer" for a record's customer).
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// The customer, plan or record named does not exist; the text says which.
    #[error("{0}")]
    NotFound(String),
    /// The operation would lose or corrupt data, or breaks a uniqueness rule.
    #[error("{0}")]
    Refused(String),
    /// The database was written by a newer tally; this one must not touch it.
    #[error(
        "the database schema is version {found}, newer than this tally understands (version {known}); upgrade tally before using this database"
    )]
    SchemaTooNew {
        /// The database's schema version.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// The schema must be migrated, and this connection may not change it.
    #[error(
        "the database schema is version {found} and this tally needs version {known}, which this database user may not create; a user allowed to change the schema must run `tally migrate` first"
    )]
    SchemaBehind {
        /// The database's schema version.
        found: u32,
        /// The version this build needs.
        known: u32,
    },
}

impl StoreError {
    /// Whether running the whole transaction again may succeed (a lost connection, a busy
    /// database).
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Db(e) if e.is_transient())
    }

    /// Whether the server cannot be reached or the connection broke: waited for, not retried
    /// at once.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            StoreError::Db(DbError::Unreachable { .. } | DbError::Lost(_))
        )
    }
}
