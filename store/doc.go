// Package store is Gatehouse's persistence interface: a small, generic,
// transactional and revisioned record store, and the entity records the IAM
// and STS services keep in it.
//
// A backend (store/sqlite embedded, store/postgres for clusters) stores opaque [Record] values
// addressed by (Kind, Account, Key) and knows nothing about IAM. The services
// own the semantics: which kinds exist, how keys are built (see the *Key
// helpers in keys.go, which fold case where IAM requires it), and what the
// JSON in Record.Data means (see entities.go and the typed helpers in json.go).
//
// Every successful [Store.Update] that writes at least one record is one
// commit with the next revision number. Each written or deleted record is
// stamped with that revision and produces one [Change] in the change feed,
// which the in-memory authorization directory follows to stay current.
//
// Backends must pass the conformance suite in store/storetest.
package store
