package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ContentQuery selects a page of the items of a content type.
type ContentQuery struct {
	// Owner, when set, restricts the items to those of this user.
	Owner string
	// Filters are equality filters: an item is listed when, for every filter, the
	// field equals one of the values.
	Filters []ContentFilter
	// Ranges are range filters: an item is listed when, for every one, its field
	// compares with the value as the operator says.
	Ranges []ContentRange
	// Search, when not empty, lists only the items whose search text (see
	// SearchText) holds every one of these words, folded by FoldSearch.
	Search []string
	// Sort is the field sorted by: one of ContentSortFields or an indexed own
	// field; Desc for descending order. Ties are ordered by creation date, then
	// id, in the same direction.
	Sort string
	Desc bool
	// Limit is the page size and Offset the number of items skipped.
	Limit, Offset int
	// After, when set, starts the page after the item of this key in the order
	// of Sort (keyset paging); Offset then counts from there.
	After *ContentKey
	// Count asks for the number of items the query selects over all pages.
	Count bool
	// Matches, when Count is false, is that number as counted before (for the
	// first page of a listing continued by After), -1 when unknown; it helps
	// choose how a search selects the page.
	Matches int64
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

// ContentRange is a range filter on an own field or on "creation_date" or
// "modification_date" (in microseconds since the Unix epoch). Value is in the
// column's form; an item whose field is unset does not match.
type ContentRange struct {
	Field string
	Op    RangeOp
	Value any
}

// RangeOp is the comparison of a range filter.
type RangeOp string

// The comparisons of range filters.
const (
	Greater      RangeOp = ">"
	GreaterEqual RangeOp = ">="
	Less         RangeOp = "<"
	LessEqual    RangeOp = "<="
)

// ContentKey is the position of an item in the order of a sort: the value of
// the sorted field (nil when unset, or when the sort is by id or creation date,
// whose columns the other two hold), its creation date in microseconds and its
// id.
type ContentKey struct {
	Sort    any
	Created int64
	ID      int64
}

// ContentPage is a page of a listing.
type ContentPage struct {
	Rows []ContentRow
	// Total is the number of items the query selects over all pages, -1 when not
	// counted.
	Total int64
	// Next is the key of the page's last item when more items follow, else nil.
	Next *ContentKey
}

// contentSort maps the sortable common fields to their columns; ties are
// ordered by creation date, then id. A column of content that the type's table
// also holds (created, id) is written with the alias x, which stands for the
// table whose id the page is read by.
var contentSort = map[string][]string{
	"id":                {"x.id"},
	"title":             {"c.title", "x.created", "x.id"},
	"creation_date":     {"x.created", "x.id"},
	"modification_date": {"c.modified", "x.created", "x.id"},
}

// rangeColumns maps the common fields that range filters apply to to their
// columns.
var rangeColumns = map[string]string{"creation_date": "x.created", "modification_date": "c.modified"}

// ContentSortFields are the common fields that listings may be sorted by.
var ContentSortFields = []string{"id", "title", "creation_date", "modification_date"}

// listPlan is a listing's query in parts.
type listPlan struct {
	// from reads the items from content c, the type's table t, or both; alias
	// names the one whose id the page is read by.
	from, alias string
	conds       []string
	args        []any
	// order is the columns of the order, which are those of the sort's key: the
	// sorted field (unless the sort is by id or creation date), created and id.
	order []string
	// nullable is true when the sorted field may be unset; filtered when a
	// condition besides the type's applies.
	nullable, filtered bool
	// search holds the conditions of a search on its texts s, with searchArgs.
	// The texts found select the items one of two ways: by a join that starts
	// from them, which costs in proportion to the texts found and reads the page
	// after sorting them all; or by a condition that each item in the order of
	// the listing is among them, which stops at the end of the page. On SQLite,
	// whose planner cannot tell how many texts a search finds, the join is used
	// unless the search is known to find more than searchJoinLimit;
	// searchByOrder leaves the choice to PostgreSQL's planner.
	search        []string
	searchArgs    []any
	searchByOrder bool
}

// searchJoinLimit is the number of items found above which SQLite selects a
// search's page by the order of the listing rather than from the texts found.
const searchJoinLimit = 5000

// source returns the FROM clause, the conditions and their arguments of the
// plan, a search selecting by a join (join) or by a condition in the order.
func (p *listPlan) source(join bool) (from string, conds []string, args []any) {
	if len(p.search) == 0 {
		return p.from, p.conds, p.args
	}
	conds = append(slices.Clone(p.conds), p.search...)
	args = append(slices.Clone(p.args), p.searchArgs...)
	if join && !p.searchByOrder {
		return "content_search s CROSS JOIN " + p.from, append(conds, "s.rowid = "+p.alias+".id"), args
	}
	cond := p.alias + ".id IN (SELECT s.id FROM content_search s WHERE " + strings.Join(p.search, " AND ") + ")"
	if !p.searchByOrder {
		// Each item is looked up in the trigram index as the order reaches it.
		cond = "EXISTS (SELECT 1 FROM content_search s WHERE " + strings.Join(p.search, " AND ") + " AND s.rowid = " + p.alias + ".id)"
	}
	return p.from, append(slices.Clone(p.conds), cond), args
}

// ListContent returns the page of the items of t that q selects and, when
// q.Count, the number of items it selects over all pages.
//
// The conditions on the common fields (owner, category, modification date) apply
// to content (c), those on own fields to the type's table (t), which also holds
// each item's creation date, so that its indexes serve filters and sorting on
// own fields in the default order. The ids of the page are selected first, from
// as few tables as the conditions and the order need, so that the rows an offset
// skips are read from an index alone; only the page's items are then read whole.
func ListContent(ctx context.Context, r Reader, t *ContentTable, q ContentQuery) (*ContentPage, error) {
	p, err := t.plan(r, q)
	if err != nil {
		return nil, err
	}
	page := &ContentPage{Total: -1}
	if q.Count {
		from, conds, args := p.source(true)
		count := "SELECT COUNT(*) FROM " + from + " WHERE " + strings.Join(conds, " AND ")
		if !p.filtered && len(p.search) == 0 {
			// Only the type: the number kept by triggers (migration 004).
			count, args = "SELECT COALESCE(SUM(n), 0) FROM content_counts WHERE type = ?", []any{t.Name}
		}
		if err := r.QueryRow(ctx, count, args...).Scan(&page.Total); err != nil {
			return nil, fmt.Errorf("content: count %s: %w", t.Name, err)
		}
		if q.After == nil && int64(q.Offset) >= page.Total {
			return page, nil
		}
	}
	matches := q.Matches
	if page.Total >= 0 {
		matches = page.Total
	}
	from, conds, args := p.source(matches < 0 || matches <= searchJoinLimit)
	if q.After != nil {
		cond, kargs := p.after(q.After, q.Desc)
		conds, args = append(conds[:len(conds):len(conds)], cond), append(args[:len(args):len(args)], kargs...)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	order := make([]string, len(p.order))
	for i, o := range p.order {
		order[i] = o + dir
		if i == 0 && p.nullable {
			if q.Desc {
				order[i] += " NULLS LAST"
			} else {
				order[i] += " NULLS FIRST"
			}
		}
	}
	ids := "SELECT " + p.alias + ".id FROM " + from + " WHERE " + strings.Join(conds, " AND ") + " ORDER BY " + strings.Join(order, ", ")
	if !p.filtered && len(p.search) == 0 {
		// The limit is written in the query, so that PostgreSQL's plan for any
		// key or offset (its generic plan, used once the statement has run a few
		// times) reads that many ids by the index of the order. With the limit a
		// parameter, that plan expects a tenth of the rows and joins them by
		// hashing a scan of content, so PostgreSQL plans each query anew, which
		// at a million items took several times as long as running it. Filtered
		// listings and searches keep it a parameter: their plans depend on the
		// values filtered by, which the plan of each query sees.
		ids += " LIMIT " + strconv.Itoa(q.Limit+1) + " OFFSET ?"
	} else {
		ids += " LIMIT ? OFFSET ?"
		args = append(args, q.Limit+1)
	}
	outer := strings.Join(order, ", ")
	expect := q.Limit + 1
	if page.Total >= 0 && q.After == nil {
		expect = int(min(int64(expect), page.Total-int64(q.Offset)))
	}
	rows, err := readContentSQL(ctx, r, t, expect, t.selectCols+" FROM ("+ids+") p JOIN content c ON c.id = p.id JOIN "+t.table+" t ON t.id = c.id ORDER BY "+outer,
		append(args, q.Offset)...)
	if err != nil {
		return nil, err
	}
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		last := &rows[len(rows)-1]
		page.Next = &ContentKey{Created: last.Created.UnixMicro(), ID: last.ID, Sort: t.sortValue(q.Sort, last)}
	}
	page.Rows = rows
	return page, nil
}

// plan builds the tables, conditions and order of a listing.
func (t *ContentTable) plan(r Reader, q ContentQuery) (*listPlan, error) {
	var common, own, either []string // conditions on content, the type's table, and x
	var commonArgs, ownArgs, eitherArgs []any
	if q.Owner != "" {
		common, commonArgs = append(common, "c.owner = ?"), append(commonArgs, q.Owner)
	}
	for _, f := range q.Filters {
		in := "IN (" + placeholders(len(f.Values)) + ")"
		switch f.Field {
		case "owner":
			common, commonArgs = append(common, "c.owner "+in), append(commonArgs, f.Values...)
		case "category":
			either = append(either, "x.id IN (SELECT cc.content_id FROM content_categories cc JOIN categories k ON k.id = cc.category_id WHERE k.title "+in+")")
			eitherArgs = append(eitherArgs, f.Values...)
		default:
			if f.Related != nil {
				col, ok := f.Related.columns[f.Sub]
				if !ok {
					return nil, fmt.Errorf("content: %s has no field %q to filter by", f.Related.Name, f.Sub)
				}
				in = "IN (SELECT s.id FROM " + f.Related.table + " s WHERE s." + col + " " + in
				if f.RelatedOwner != "" {
					in += " AND s.id IN (SELECT o.id FROM content o WHERE o.owner = ?)"
					f.Values = append(f.Values[:len(f.Values):len(f.Values)], f.RelatedOwner)
				}
				in += ")"
			}
			if t.isList(f.Field) {
				either = append(either, "x.id IN (SELECT r.item FROM "+relationTable(t.Name, f.Field)+" r WHERE r.target "+in+")")
				eitherArgs = append(eitherArgs, f.Values...)
				continue
			}
			col, ok := t.columns[f.Field]
			if !ok {
				return nil, fmt.Errorf("content: %s has no field %q to filter by", t.Name, f.Field)
			}
			own, ownArgs = append(own, "t."+col+" "+in), append(ownArgs, f.Values...)
		}
	}
	for _, rg := range q.Ranges {
		switch rg.Op {
		case Greater, GreaterEqual, Less, LessEqual:
		default:
			return nil, fmt.Errorf("content: bad range operator %q", rg.Op)
		}
		if col, ok := rangeColumns[rg.Field]; ok {
			if strings.HasPrefix(col, "c.") {
				common, commonArgs = append(common, col+" "+string(rg.Op)+" ?"), append(commonArgs, rg.Value)
			} else {
				either, eitherArgs = append(either, col+" "+string(rg.Op)+" ?"), append(eitherArgs, rg.Value)
			}
			continue
		}
		col, ok := t.columns[rg.Field]
		if !ok {
			return nil, fmt.Errorf("content: %s has no field %q to filter by", t.Name, rg.Field)
		}
		own, ownArgs = append(own, "t."+col+" "+string(rg.Op)+" ?"), append(ownArgs, rg.Value)
	}

	p := &listPlan{filtered: len(own)+len(common)+len(either) > 0}
	onOwn := len(own) > 0
	needContent := len(common) > 0
	if cols, ok := contentSort[q.Sort]; ok {
		p.order = cols
		needContent = needContent || strings.HasPrefix(cols[0], "c.")
	} else {
		col, ok := t.columns[q.Sort]
		if !ok {
			return nil, fmt.Errorf("content: %s has no field %q to sort by", t.Name, q.Sort)
		}
		p.order = []string{"t." + col, "x.created", "x.id"}
		p.nullable = true
		onOwn = true
	}
	p.alias = "c"
	switch {
	case onOwn && needContent:
		p.from, p.alias = "content c JOIN "+t.table+" t ON t.id = c.id", "t"
	case onOwn:
		p.from, p.alias = t.table+" t", "t"
	default:
		// Every item of the type has a row in its table; the condition lets the
		// indexes of content serve the order.
		p.from = "content c"
		common, commonArgs = append([]string{"c.type = ?"}, common...), append([]any{t.Name}, commonArgs...)
	}
	x := strings.NewReplacer("x.", p.alias+".")
	p.conds = append(append(own, common...), replaceAll(x, either)...)
	if len(p.conds) == 0 {
		p.conds = []string{"1 = 1"}
	}
	p.args = append(append(ownArgs, commonArgs...), eitherArgs...)
	p.order = replaceAll(x, p.order)
	if len(q.Search) > 0 {
		p.search, p.searchArgs = searchConditions(r, q.Search)
		p.searchByOrder = onPostgres(r)
	}
	return p, nil
}

// replaceAll applies rep to each of ss, in a new slice.
func replaceAll(rep *strings.Replacer, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = rep.Replace(s)
	}
	return out
}

// after returns the condition selecting the items that follow the key in the
// plan's order, and its arguments. Unset values of a nullable sorted field come
// first in ascending order, last in descending order.
func (p *listPlan) after(k *ContentKey, desc bool) (string, []any) {
	op := " > "
	if desc {
		op = " < "
	}
	tuple := func(cols []string) string {
		return "(" + strings.Join(cols, ", ") + ")" + op + "(" + placeholders(len(cols)) + ")"
	}
	switch len(p.order) {
	case 1:
		return p.order[0] + op + "?", []any{k.ID}
	case 2:
		return tuple(p.order), []any{k.Created, k.ID}
	}
	if !p.nullable {
		return tuple(p.order), []any{k.Sort, k.Created, k.ID}
	}
	col := p.order[0]
	switch {
	case k.Sort == nil && !desc:
		return "(" + col + " IS NOT NULL OR " + tuple(p.order[1:]) + ")", []any{k.Created, k.ID}
	case k.Sort == nil:
		return "(" + col + " IS NULL AND " + tuple(p.order[1:]) + ")", []any{k.Created, k.ID}
	case !desc:
		return tuple(p.order), []any{k.Sort, k.Created, k.ID}
	}
	return "(" + col + " IS NULL OR " + tuple(p.order) + ")", []any{k.Sort, k.Created, k.ID}
}

// sortValue returns the value of the sorted field of the row in the column's
// form, nil for a sort by id or creation date.
func (t *ContentTable) sortValue(sort string, row *ContentRow) any {
	switch sort {
	case "id", "creation_date":
		return nil
	case "title":
		return row.Title
	case "modification_date":
		return row.Modified.UnixMicro()
	}
	for i, c := range t.Columns {
		if c.Field == sort {
			return row.Values[i]
		}
	}
	return nil
}
