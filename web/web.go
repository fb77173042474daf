// Package web owns the pages people see, embedded in the binary: the account pages
// (sign-up, log-in, password reset, e-mail change, profile) and the admin console.
// They are plain HTML, one style sheet and JavaScript modules, without a build step;
// they call only the public and admin API. Package http serves them.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Files are the pages and their assets: account.html, console.html and assets/.
var Files fs.FS

// ContentSecurityPolicy is the policy the pages are served with: everything from
// the server itself, no inline script or style, images also from blob: URLs (the
// preview of a file before it is sent), no framing.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func init() {
	var err error
	if Files, err = fs.Sub(static, "static"); err != nil {
		panic(err)
	}
}
