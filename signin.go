package backrest

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// OIDCProvider is an OpenID Connect provider that users may sign in with.
type OIDCProvider struct {
	// Name names the provider in paths (/-/oidc/NAME/…) and in identities: lower
	// case letters, digits and dashes.
	Name string
	// Issuer is the provider's issuer URL, where its discovery document is found.
	Issuer string
	// ClientID and ClientSecret are backrest's credentials at the provider.
	ClientID, ClientSecret string
}

var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ParseOIDCProviders parses the setting of the OpenID Connect providers: entries
// NAME=ISSUER,CLIENT_ID,CLIENT_SECRET separated by spaces or new lines. The secret
// is the rest of the entry after the second comma, so it may hold commas. Names
// are unique; issuers are http or https URLs.
func ParseOIDCProviders(s string) ([]OIDCProvider, error) {
	var out []OIDCProvider
	seen := map[string]bool{}
	for _, entry := range strings.Fields(s) {
		name, rest, ok := strings.Cut(entry, "=")
		parts := strings.SplitN(rest, ",", 3)
		if !ok || len(parts) != 3 || parts[1] == "" {
			return nil, fmt.Errorf("OpenID Connect provider %q: want NAME=ISSUER,CLIENT_ID,CLIENT_SECRET", name)
		}
		if !providerName.MatchString(name) {
			return nil, fmt.Errorf("OpenID Connect provider %q: a name is 1 to 40 lower-case letters, digits and dashes", name)
		}
		if seen[name] {
			return nil, fmt.Errorf("OpenID Connect provider %q: named twice", name)
		}
		seen[name] = true
		u, err := url.Parse(parts[0])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("OpenID Connect provider %q: the issuer %q is not an http(s) URL", name, parts[0])
		}
		out = append(out, OIDCProvider{Name: name, Issuer: parts[0], ClientID: parts[1], ClientSecret: parts[2]})
	}
	return out, nil
}
