package cli

import (
	"strings"

	"github.com/backrest/backrest"
)

// oidcValue is the flag of the OpenID Connect providers. It shows the names and
// issuers only: the secrets never appear in the help or in errors.
type oidcValue struct{ p *[]backrest.OIDCProvider }

func (v oidcValue) String() string {
	if v.p == nil {
		return ""
	}
	var out []string
	for _, p := range *v.p {
		out = append(out, p.Name+"="+p.Issuer)
	}
	return strings.Join(out, " ")
}

func (v oidcValue) expected() string {
	return "entries NAME=ISSUER,CLIENT_ID,CLIENT_SECRET separated by spaces"
}

func (v oidcValue) Set(s string) error {
	providers, err := backrest.ParseOIDCProviders(s)
	if err != nil {
		return err
	}
	*v.p = providers
	return nil
}
