package mail

import "context"

// Mailer renders a template and sends the result: the one call the account flows
// need.
type Mailer struct {
	templates *Templates
	sender    Sender
}

// NewMailer returns a Mailer rendering with t and sending with s.
func NewMailer(t *Templates, s Sender) *Mailer { return &Mailer{templates: t, sender: s} }

// Send renders the template for the recipient with data and sends the message.
func (m *Mailer) Send(ctx context.Context, template, to string, data any) error {
	msg, err := m.templates.Render(template, to, data)
	if err != nil {
		return err
	}
	return m.sender.Send(ctx, msg)
}
