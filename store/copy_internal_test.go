package store

import (
	"strings"
	"testing"
)

// Tables are copied after the tables their foreign keys reference, a table
// referencing itself aside; a cycle is an error.
func TestOrderByReferences(t *testing.T) {
	tables := []CopyTable{{Name: "a", References: []string{"c"}}, {Name: "b"}, {Name: "c", References: []string{"b", "c", "gone"}}}
	got, err := orderByReferences(tables)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range got {
		names = append(names, x.Name)
	}
	if strings.Join(names, " ") != "b c a" {
		t.Fatalf("order %v", names)
	}
	if _, err := orderByReferences([]CopyTable{{Name: "a", References: []string{"b"}}, {Name: "b", References: []string{"a"}}}); err == nil {
		t.Fatal("a cycle was ordered")
	}
}
