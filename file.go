package backrest

import "time"

// File is a stored file: its bytes live in the blob store under Key, its row in the
// database. A file belongs to the content item that holds it in one of its fields,
// or, until then, to the user who uploaded it.
type File struct {
	ID       int64
	UUID     string
	Filename string
	MimeType string
	Size     int64
	// SHA256 is the hex digest of the bytes.
	SHA256 string
	// Key names the bytes in the blob store.
	Key string
	// Owner is the user who uploaded the file.
	Owner UserID
	// Content is the id of the item holding the file, 0 while it is unattached.
	Content int64
	// Field is the field of the item that holds the file.
	Field    string
	Created  time.Time
	Modified time.Time
}
