// Package files keeps backrest's files: their rows in the database (package store)
// and their bytes in a blob store (package blob), kept consistent by one protocol.
// A file is uploaded on its own (POST /-/files) and later attached to a file field
// of a content item, or posted directly in a file field as a data URL. It is
// visible to its uploader while unattached, and to whoever may view its item once
// attached.
//
// # The protocol
//
// A file's bytes become visible exactly when the transaction recording its row
// commits, and a crash at any instant leaves no row naming missing bytes:
//
//  1. Bytes are written first, to a new blob under a new random key, and are
//     durable (fsynced) before the row naming them is inserted. An upload writes
//     them before its transaction begins, so that a slow client never holds the
//     database's write lock; a data URL, small by nature, is written inside the
//     transaction of its content item.
//  2. The blob.Batch of the new bytes is bound to the transaction: if it rolls
//     back, the bytes are deleted (Tx.OnRollback).
//  3. A replaced, cleared or deleted file's row is deleted in the transaction, and
//     its bytes only once it has committed (Tx.OnCommit) — and once the commit is
//     durable: SQLite in WAL mode with synchronous=NORMAL (an option; FULL is the
//     default) does not fsync its log at each commit, so a power loss could undo a
//     commit whose bytes were already gone. The hook therefore calls
//     store.DB.SyncCommitted (an fsync of the log in that mode) before deleting
//     anything, and the sweeper does the same.
//  4. Anything a failure or crash leaves between these steps is an orphan: bytes
//     no row names (a crash between writing and committing, between committing
//     and deleting, a failed deletion, or a commit whose outcome is unknown, after
//     which no hook runs). Orphans are harmless and Sweep deletes them, at start-up
//     and periodically, once they are older than a grace period longer than any
//     request.
//
// Sweep also deletes uploads that were never attached, once they are older than
// the configured time to live.
//
// # Data URLs and limits
//
// An upload is streamed: its bytes pass through a fixed buffer to the blob store,
// and more than the upload limit fails the request (413) leaving nothing behind. A
// data URL arrives inside a JSON body, which is already bounded by the JSON body
// limit (1 MiB by default); its base64 text is decoded as a stream into the blob
// store, so the decoded bytes are never held whole, and the upload limit applies to
// them too. Data URLs are thus for small files such as avatars; larger files are
// uploaded first and attached by id.
package files
