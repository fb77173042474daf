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

// Attachment is what a client sets a file field to: the bytes of a data URL
// (data:MIME;base64,…) with a file name, or the id of a file it uploaded before.
type Attachment struct {
	// DataURL is the data URL; empty when ID names an upload.
	DataURL string
	// Filename is the name of the file of a data URL; empty gives a default.
	Filename string
	// ID is the id of an upload, when DataURL is empty.
	ID int64
}
