// Package mail builds and sends the e-mails of backrest: account
// confirmation, password reset, e-mail change and the security notices.
//
// A [Message] is rendered from [Templates] and kept in a [Queue], in the
// transaction of the change it belongs to, until a worker hands it to a
// [Sender]: [SMTP] delivers it to a mail server, [Outbox] writes it as an
// .eml file and logs its links (for development, when no server is
// configured). [Build] turns a
// Message into the RFC 5322 text both use: multipart/alternative with a
// text/plain and a text/html part.
//
// # Templates
//
// Each message NAME has three files: NAME.subject.txt (text/template, one
// line), NAME.txt (text/template, the plain text body) and NAME.html
// (html/template, the HTML body). The HTML bodies share one page,
// layout.html (head, greeting, button, footer): a NAME.html defines the
// templates "title", "body", "action" (the button's label) and optionally
// "note", and calls {{template "layout" .}}. Defaults are built in;
// [LoadTemplates] lets a folder replace any of the files, layout.html
// included, and a replacement NAME.html may be a whole page of its own. Each
// message has one call to action, its .Link. The messages are:
//
//   - signup: confirm a new account; sent to the new user.
//   - reset: choose a new password; .Link expires after .Expires
//     (such as "1 hour").
//   - email_change: confirm a new e-mail address; sent to the new address,
//     .NewEmail, while .Email is the current one.
//   - password_changed: notice that the password was changed, with advice to
//     reset it if that was not the user; .Link is the application's base URL.
//   - email_changed: notice, sent to the previous address (.Email), that the
//     address was changed to .NewEmail; .Link is the application's base URL.
//   - login_code: sign in without a password; .Code is the code to type in,
//     .Link signs in at once, both work once within .Expires.
//
// The templates use these fields of their data (see [Data]):
//
//   - .AppName: the application's name.
//   - .BaseURL: the application's public URL.
//   - .Email: the account's address (for email_change and email_changed, the
//     address before the change).
//   - .Firstname: the user's first name, possibly empty.
//   - .Link: the call to action.
//   - .Expires: how long .Link stays valid (reset, login_code).
//   - .NewEmail: the new address (email_change, email_changed).
//   - .Code: the code to type in (login_code).
package mail
