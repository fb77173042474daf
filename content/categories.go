package content

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/store"
)

// Category is a category title, with its group ("" for none).
type Category struct {
	Title string
	Group string
}

// setCategories replaces the categories of item by item.Categories, creating the
// titles not used before.
func (s *Service) setCategories(ctx context.Context, tx *store.Tx, item *Item) error {
	if !item.Type.Categories {
		return nil
	}
	if _, err := tx.Exec(ctx, "DELETE FROM content_categories WHERE content_id = ?", item.ID); err != nil {
		return fmt.Errorf("content: categories of %d: %w", item.ID, err)
	}
	for _, title := range item.Categories {
		if _, err := tx.Exec(ctx, "INSERT INTO categories (title) VALUES (?) ON CONFLICT (title) DO NOTHING", title); err != nil {
			return fmt.Errorf("content: category %q: %w", title, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO content_categories (content_id, category_id) SELECT ?, id FROM categories WHERE title = ?", item.ID, title); err != nil {
			return fmt.Errorf("content: category %q of %d: %w", title, item.ID, err)
		}
	}
	return nil
}

// syncGroups records the category groups: the titles declared in a group are
// created or moved to it; titles no longer in any group leave theirs.
func (s *Service) syncGroups(ctx context.Context, groups map[string][]string) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var declared []any
		for g, titles := range groups {
			for _, title := range titles {
				title = strings.TrimSpace(title)
				if _, err := tx.Exec(ctx, "INSERT INTO categories (title, grp) VALUES (?, ?) ON CONFLICT (title) DO UPDATE SET grp = excluded.grp", title, g); err != nil {
					return fmt.Errorf("content: category %q: %w", title, err)
				}
				declared = append(declared, title)
			}
		}
		q := "UPDATE categories SET grp = '' WHERE grp <> ''"
		if len(declared) > 0 {
			q += " AND title NOT IN (" + placeholders(len(declared)) + ")"
		}
		if _, err := tx.Exec(ctx, q, declared...); err != nil {
			return fmt.Errorf("content: category groups: %w", err)
		}
		return nil
	})
}

// Categories returns the categories: those of a group and those some item has,
// ordered by group (ungrouped first), then title. Anonymous callers see them only
// when some type with categories is viewable by anyone.
func (s *Service) Categories(ctx context.Context, caller *backrest.User) ([]Category, error) {
	if caller == nil && !slices.ContainsFunc(s.types, func(t *Type) bool { return t.Categories && t.rule(ActionView) == Anyone }) {
		return nil, forbidden(caller)
	}
	rows, err := s.db.Query(ctx, `SELECT title, grp FROM categories k
		WHERE grp <> '' OR EXISTS (SELECT 1 FROM content_categories cc WHERE cc.category_id = k.id)`)
	if err != nil {
		return nil, fmt.Errorf("content: categories: %w", err)
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Title, &c.Group); err != nil {
			return nil, fmt.Errorf("content: categories: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: categories: %w", err)
	}
	slices.SortFunc(out, func(a, b Category) int {
		if c := strings.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		return strings.Compare(a.Title, b.Title)
	})
	return out, nil
}
