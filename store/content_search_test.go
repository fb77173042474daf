package store_test

import (
	"sync"
	"testing"

	"github.com/backrest/backrest/store"
)

// FoldSearch folds alike from many goroutines at once as from one.
func TestFoldSearchConcurrently(t *testing.T) {
	inputs := []string{"Café au lait", "STRASSE Straße", "Übermensch ÆSIR Ωmega", "plain ascii", "Résumé\tnaïve", "\xff bad"}
	want := make([]string, len(inputs))
	for i, s := range inputs {
		want[i] = store.FoldSearch(s)
	}
	if want[0] != "cafe au lait" || want[1] != "strasse strasse" || want[2] != "ubermensch æsir ωmega" {
		t.Fatalf("folded %q", want)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 2000 {
				i := (g + n) % len(inputs)
				if got := store.FoldSearch(inputs[i]); got != want[i] {
					t.Errorf("%q folded to %q, want %q", inputs[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
