// Package blob stores the bytes of backrest's files so that they stay consistent
// with the database rows that name them, whatever fails and whenever the process
// stops.
//
// A Store holds immutable blobs under keys it generates itself. Local keeps them in
// a folder, S3 in a bucket of an S3-compatible object store; the Store interface is
// deliberately small (create, open, delete, walk) so that both serve the same
// callers.
//
// # The protocol
//
// Blobs are never modified: a replaced file gets a new blob under a new key. The
// database transaction that records a file is the only source of truth, and the
// bytes follow it with two rules that make sure a committed row never names missing
// bytes:
//
//  1. Bytes are durable before the row that names them commits. Batch.Put (Store.Create)
//     returns only after the data has been written to a temporary file, fsynced,
//     renamed into place and the directory fsynced (Local), or after the object's
//     upload has completed (S3). The caller then inserts or updates the row in its
//     transaction.
//  2. Bytes are deleted only after the transaction that stopped naming them has
//     committed. Batch.Remove merely schedules a deletion; Batch.Commit performs it
//     once the transaction has committed. If the transaction fails, Batch.Rollback
//     deletes the blobs that were put for it instead and keeps the scheduled ones.
//
// A crash, an error or a lost Commit/Rollback can therefore only leave orphans:
// blobs no row names. This happens on a crash between Put and the commit, between
// the commit and Batch.Commit, or when a deletion fails. Orphans are harmless (no
// row leads to them, and keys are random so they are never reused) and Sweep
// removes them: run at start-up and periodically, it lists all blobs, asks the
// database which keys still have a row and deletes the others.
//
// # The grace period
//
// A blob that has just been put has no committed row yet, so it looks exactly like
// an orphan. Sweep therefore only deletes blobs whose modification time is older
// than a grace period. The grace period must exceed the longest time between a Put
// and the commit of its transaction (the longest request, upload included) plus any
// clock skew between servers sharing the storage; an hour is a comfortable choice.
// Temporary files of writes in progress (multipart uploads on S3) are kept for the
// same period. On S3 a blob's time is stamped by the service, so the grace period
// must also exceed the difference between its clock and the servers'.
//
// # Several servers
//
// All server instances that share a database must share the same storage: the
// same folder (a network file system that honours fsync and rename) or the same
// object store. A row written by one instance is read by all of them, and the
// sweeper of any instance must see every blob.
package blob
