package content

import (
	"testing"

	"github.com/backrest/backrest"
)

// BenchmarkPermission measures the permission checks of one item: whether the
// caller may view items of the type at all, then the actions on the item that its
// __meta__ lists, for its owner, another user, an admin and a holder of a role.
func BenchmarkPermission(b *testing.B) {
	typ := &Type{Name: "doc", Plural: "docs", Access: Access{Edit: "role:editor"}}
	owner := &backrest.User{ID: backrest.UserID{1}}
	callers := []*backrest.User{owner, {ID: backrest.UserID{2}}, {ID: backrest.UserID{3}, Roles: []string{"admin"}},
		{ID: backrest.UserID{4}, Roles: []string{"staff", "editor"}}}
	item := &Item{Type: typ, Owner: owner.ID}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range callers {
			if typ.may(ActionView, c) == denied || len(typ.Actions(c, item)) == 0 {
				b.Fatal("refused")
			}
		}
	}
}
