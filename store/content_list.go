package store

import (
	"context"
	"fmt"
	"strings"
)

// ContentQuery selects a page of the items of a content type.
type ContentQuery struct {
	// Owner, when set, restricts the items to those of this user.
	Owner string
	// Filters are equality filters: an item is listed when, for every filter, the
	// field equals one of the values.
	Filters []ContentFilter
	// Sort is the field sorted by: one of ContentSortFields or an indexed own
	// field; Desc for descending order. Ties are ordered by creation date, then
	// id, in the same direction.
	Sort string
	Desc bool
	// Limit is the page size and Offset the number of items skipped.
	Limit, Offset int
}

// ContentFilter is an equality filter on an own field, "owner" or "category"
// (a category title). Values are in the column's form.
type ContentFilter struct {
	Field  string
	Values []any
	// Related, when set, makes the filter one on the items that the relation
	// field Field holds: it matches the items holding an item of Related whose
	// field Sub equals one of the values (and, when RelatedOwner is set, that
	// belongs to RelatedOwner).
	Related      *ContentTable
	Sub          string
	RelatedOwner string
}

// contentSort maps the sortable common fields to their columns; ties are
// ordered by creation date, then id.
var contentSort = map[string][]string{
	"id":                {"c.id"},
	"title":             {"c.title", "c.created", "c.id"},
	"creation_date":     {"c.created", "c.id"},
	"modification_date": {"c.modified", "c.created", "c.id"},
}

// ContentSortFields are the common fields that listings may be sorted by.
var ContentSortFields = []string{"id", "title", "creation_date", "modification_date"}

// ListContent returns the page of the items of t that q selects, and the number
// of items it selects over all pages.
//
// The conditions on the common fields (owner, category) apply to content (c),
// those on own fields to the type's table (t), which also holds each item's
// creation date, so that its indexes serve filters and sorting on own fields in
// the default order. The total is counted on as few tables as the conditions need.
func ListContent(ctx context.Context, r Reader, t *ContentTable, q ContentQuery) ([]ContentRow, int64, error) {
	var common, own []string // conditions on content and on the type's table
	var commonArgs, ownArgs []any
	if q.Owner != "" {
		common, commonArgs = append(common, "c.owner = ?"), append(commonArgs, q.Owner)
	}
	for _, f := range q.Filters {
		in := "IN (" + placeholders(len(f.Values)) + ")"
		switch f.Field {
		case "owner":
			common, commonArgs = append(common, "c.owner "+in), append(commonArgs, f.Values...)
		case "category":
			common = append(common, "c.id IN (SELECT cc.content_id FROM content_categories cc JOIN categories k ON k.id = cc.category_id WHERE k.title "+in+")")
			commonArgs = append(commonArgs, f.Values...)
		default:
			if f.Related != nil {
				col, ok := f.Related.columns[f.Sub]
				if !ok {
					return nil, 0, fmt.Errorf("content: %s has no field %q to filter by", f.Related.Name, f.Sub)
				}
				in = "IN (SELECT s.id FROM " + f.Related.table + " s WHERE s." + col + " " + in
				if f.RelatedOwner != "" {
					in += " AND s.id IN (SELECT o.id FROM content o WHERE o.owner = ?)"
					f.Values = append(f.Values[:len(f.Values):len(f.Values)], f.RelatedOwner)
				}
				in += ")"
			}
			if t.isList(f.Field) {
				own = append(own, "t.id IN (SELECT r.item FROM "+relationTable(t.Name, f.Field)+" r WHERE r.target "+in+")")
				ownArgs = append(ownArgs, f.Values...)
				continue
			}
			col, ok := t.columns[f.Field]
			if !ok {
				return nil, 0, fmt.Errorf("content: %s has no field %q to filter by", t.Name, f.Field)
			}
			own, ownArgs = append(own, "t."+col+" "+in), append(ownArgs, f.Values...)
		}
	}
	var count string
	switch {
	case len(common) == 0 && len(own) == 0:
		// The number kept by triggers (migration 004).
		count = "SELECT COALESCE(SUM(n), 0) FROM content_counts WHERE type = ?"
	case len(common) == 0:
		count = "SELECT COUNT(*) FROM " + t.table + " t WHERE " + strings.Join(own, " AND ")
	case len(own) == 0:
		count = "SELECT COUNT(*) FROM content c WHERE c.type = ? AND " + strings.Join(common, " AND ")
	default:
		count = "SELECT COUNT(*) FROM content c JOIN " + t.table + " t ON t.id = c.id WHERE " + strings.Join(append(own, common...), " AND ")
	}
	countArgs := append(append([]any{}, ownArgs...), commonArgs...)
	if len(own) == 0 {
		countArgs = append([]any{t.Name}, commonArgs...)
	}
	var total int64
	if err := r.QueryRow(ctx, count, countArgs...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("content: count %s: %w", t.Name, err)
	}
	if int64(q.Offset) >= total {
		return nil, total, nil
	}

	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	var order []string
	onOwn := len(own) > 0
	if cols, ok := contentSort[q.Sort]; ok {
		for _, c := range cols {
			if onOwn && (c == "c.created" || c == "c.id") {
				c = "t." + c[2:]
			}
			order = append(order, c+dir)
		}
	} else {
		col, ok := t.columns[q.Sort]
		if !ok {
			return nil, 0, fmt.Errorf("content: %s has no field %q to sort by", t.Name, q.Sort)
		}
		nulls := " NULLS FIRST"
		if q.Desc {
			nulls = " NULLS LAST"
		}
		order = append(order, "t."+col+dir+nulls, "t.created"+dir, "t.id"+dir)
		onOwn = true
	}
	conds, args := append(own, common...), append(ownArgs, commonArgs...)
	if !onOwn {
		// Every item of the type has a row in its table; the condition lets the
		// indexes of content serve the order.
		conds, args = append([]string{"c.type = ?"}, conds...), append([]any{t.Name}, args...)
	}
	where := "1 = 1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	rows, err := readContent(ctx, r, t, int(min(int64(q.Limit), total-int64(q.Offset))), " WHERE "+where+" ORDER BY "+strings.Join(order, ", ")+" LIMIT ? OFFSET ?",
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}
