package content

import (
	"context"
	"slices"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Category is a category title, with its group ("" for none).
type Category = store.Category

// setCategories replaces the categories of item by item.Categories, creating the
// titles not used before.
func setCategories(ctx context.Context, tx *store.Tx, item *Item) error {
	if !item.Type.Categories {
		return nil
	}
	return store.SetContentCategories(ctx, tx, item.ID, item.Categories)
}

// Categories returns the categories that caller may see: those of a group and
// those some item has that caller may view, ordered by group (ungrouped first),
// then title. Anonymous callers see them only when some type with categories is
// viewable by anyone.
func (s *Service) Categories(ctx context.Context, caller *backrest.User) ([]Category, error) {
	if caller == nil && !slices.ContainsFunc(s.types, func(t *Type) bool { return t.Categories && t.rule(ActionView) == Anyone }) {
		return nil, forbidden(caller)
	}
	var scope store.CategoryScope
	for _, t := range s.types {
		if !t.Categories {
			continue
		}
		switch t.may(ActionView, caller) {
		case allowed:
			scope.AllOf = append(scope.AllOf, t.Name)
		case ownerOnly:
			scope.OwnOf = append(scope.OwnOf, t.Name)
			scope.Owner = caller.ID.String()
		}
	}
	out, err := store.Categories(ctx, s.db, scope)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Category) int {
		if c := strings.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		return strings.Compare(a.Title, b.Title)
	})
	return out, nil
}
