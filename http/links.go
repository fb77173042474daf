package http

import (
	"net/url"
	"strings"
)

// The paths of the routes that mailed links lead to; routes and Links both use them.
const (
	pathSignup = "/-/signup"
	pathReset  = "/-/reset/"
	pathEmail  = "/-/email/"
	// pathLoginCode is the route of mailed sign-in codes and their links.
	pathLoginCode = "/-/login/code"
)

// Links builds the links of mails (account.Links) on the routes this package
// serves.
type Links struct {
	// BaseURL is the public URL of the server.
	BaseURL string
}

func (l Links) url(path string) string { return strings.TrimRight(l.BaseURL, "/") + path }

// Signup returns the link that confirms a sign-up: GET /-/signup?token=T.
func (l Links) Signup(token string) string {
	return l.url(pathSignup + "?token=" + url.QueryEscape(token))
}

// Reset returns the link of a reset mail: GET /-/reset/T.
func (l Links) Reset(token string) string { return l.url(pathReset + url.PathEscape(token)) }

// EmailChange returns the link that confirms an e-mail change: GET /-/email/T.
func (l Links) EmailChange(token string) string { return l.url(pathEmail + url.PathEscape(token)) }

// LoginCode returns the link of a mailed sign-in code: GET /-/login/code/T.
func (l Links) LoginCode(token string) string {
	return l.url(pathLoginCode + "/" + url.PathEscape(token))
}
