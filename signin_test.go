package backrest

import (
	"strings"
	"testing"
)

func TestParseOIDCProviders(t *testing.T) {
	got, err := ParseOIDCProviders(" google=https://accounts.google.com,id1,s,e,c,r,e,t\n corp=http://127.0.0.1:9000/realm,id2,  ")
	if err != nil {
		t.Fatal(err)
	}
	want := []OIDCProvider{{"google", "https://accounts.google.com", "id1", "s,e,c,r,e,t"}, {"corp", "http://127.0.0.1:9000/realm", "id2", ""}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v", got)
	}
	if got, err := ParseOIDCProviders(""); err != nil || got != nil {
		t.Fatalf("empty: %v %v", got, err)
	}
	for _, bad := range []string{
		"google", "google=https://x", "google=https://x,", "google=https://x,,secret", "Google=https://x,id,s",
		"g=ftp://x,id,s", "g=https://,id,s", "g=x,id,s", "a=https://x,id,s a=https://y,id,s", "=https://x,id,s",
	} {
		if _, err := ParseOIDCProviders(bad); err == nil {
			t.Errorf("%q: no error", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: the error shows the secret: %v", bad, err)
		}
	}
}

func FuzzParseOIDCProviders(f *testing.F) {
	for _, seed := range []string{"a=https://x,id,s", "google=https://accounts.google.com,id,se,cret b=http://h:1/p,c,", "x", "=,,", "a=https://x,id,s a=https://x,id,s"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseOIDCProviders(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, p := range ps {
			if !providerName.MatchString(p.Name) || seen[p.Name] || p.ClientID == "" || p.Issuer == "" {
				t.Fatalf("%q: accepted %+v", s, p)
			}
			seen[p.Name] = true
		}
	})
}
