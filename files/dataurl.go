package files

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errBadData reports bytes of a data URL that are not valid base64.
var errBadData = errors.New("files: invalid base64 data")

// dataURL is a parsed data URL (RFC 2397) in base64.
type dataURL struct {
	// mimeType is the declared media type, cleaned; "" when missing or generic.
	mimeType string
	// payload is the base64 text.
	payload string
}

// parseDataURL parses s, which must be of the form data:[MEDIATYPE];base64,DATA.
// The media type is optional; a malformed one is treated as missing. The data is
// decoded later, by reader.
func parseDataURL(s string) (dataURL, error) {
	if len(s) < 5 || !strings.EqualFold(s[:5], "data:") {
		return dataURL{}, errors.New("not a data URL")
	}
	header, payload, ok := strings.Cut(s[5:], ",")
	if !ok {
		return dataURL{}, errors.New("data URL without a comma")
	}
	i := strings.LastIndexByte(header, ';')
	if i < 0 || !strings.EqualFold(strings.TrimSpace(header[i+1:]), "base64") {
		return dataURL{}, errors.New("data URL not in base64")
	}
	return dataURL{mimeType: cleanMimeType(header[:i]), payload: payload}, nil
}

// reader returns a reader of the decoded bytes, streaming from the base64 text.
// Standard and URL-safe alphabets are accepted, with or without padding; line
// breaks are ignored. Its errors for malformed data match errBadData.
func (d dataURL) reader() io.Reader {
	enc := base64.StdEncoding
	if strings.ContainsAny(d.payload, "-_") {
		enc = base64.URLEncoding
	}
	n := len(d.payload) - strings.Count(d.payload, "\n") - strings.Count(d.payload, "\r")
	if n%4 != 0 && !strings.Contains(d.payload, "=") {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return badDataReader{base64.NewDecoder(enc, strings.NewReader(d.payload))}
}

// badDataReader marks the errors of its reader, a base64 decoder, as errBadData.
type badDataReader struct{ r io.Reader }

func (b badDataReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", errBadData, err)
	}
	return n, err
}
