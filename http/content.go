package http

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/content"
)

// caller returns the user of the request, nil when anonymous.
func (s *Server) caller(r *http.Request) (*backrest.User, error) {
	sess, err := s.session(r)
	if err != nil || sess == nil {
		return nil, err
	}
	return sess.User, nil
}

// itemID parses the {id} of an item path: a positive decimal number, else 404.
func itemID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	for i := 0; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			return 0, backrest.Errorf(backrest.ENOTFOUND, "No such item")
		}
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, backrest.Errorf(backrest.ENOTFOUND, "No such item")
	}
	return id, nil
}

// callerAndItem returns the caller of r and the id of the item its path names.
func (s *Server) callerAndItem(r *http.Request) (*backrest.User, int64, error) {
	caller, err := s.caller(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := itemID(r)
	return caller, id, err
}

// listItems answers GET /-/PLURAL: a page of items, newest first unless ?sort= says
// otherwise, with the total in X-Total-Count (unless ?total=false) and the next
// page in Link (by ?cursor=), embedding the related items ?expand= names.
func (s *Server) listItems(t *content.Type) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, err := s.caller(r)
		if err != nil {
			return err
		}
		params, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
				{Location: "querystring", Name: "query", Description: "Malformed query string"}}}
		}
		q, err := t.ParseQuery(params)
		if err != nil {
			return err
		}
		expand, err := s.content.ParseExpand(t, params["expand"])
		if err != nil {
			return err
		}
		page, err := s.content.List(r.Context(), caller, t, q)
		if err != nil {
			return err
		}
		if err := s.content.Expand(r.Context(), caller, page.Items, expand); err != nil {
			return err
		}
		if page.Total >= 0 {
			w.Header().Set("X-Total-Count", strconv.FormatInt(page.Total, 10))
		}
		if page.Cursor != "" {
			params.Del("offset")
			params.Set("cursor", page.Cursor)
			w.Header().Set("Link", "<"+s.base()+r.URL.Path+"?"+params.Encode()+`>; rel="next"`)
		}
		return writeAppended(w, http.StatusOK, func(b []byte) ([]byte, error) {
			b = append(b, '[')
			for i, item := range page.Items {
				if i > 0 {
					b = append(b, ',')
				}
				if b, err = s.appendItem(b, caller, item); err != nil {
					return nil, err
				}
			}
			return append(b, ']'), nil
		})
	}
}

// createItem answers POST /-/PLURAL: 201 with the new item and its Location.
func (s *Server) createItem(t *content.Type) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, err := s.caller(r)
		if err != nil {
			return err
		}
		b, err := s.decode(r)
		if err != nil {
			return err
		}
		item, err := s.content.Create(r.Context(), caller, t, contentInput(t, b.fields))
		if err != nil {
			return err
		}
		w.Header().Set("Location", s.itemURL(t, item.ID))
		return s.writeItem(w, http.StatusCreated, caller, item)
	}
}

// getItem answers GET /-/PLURAL/ID, embedding the related items ?expand= names.
func (s *Server) getItem(t *content.Type) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, id, err := s.callerAndItem(r)
		if err != nil {
			return err
		}
		params, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return &backrest.Error{Code: backrest.EINVALID, Fields: []backrest.FieldError{
				{Location: "querystring", Name: "query", Description: "Malformed query string"}}}
		}
		expand, err := s.content.ParseExpand(t, params["expand"])
		if err != nil {
			return err
		}
		item, err := s.content.Get(r.Context(), caller, t, id)
		if err != nil {
			return err
		}
		if err := s.content.Expand(r.Context(), caller, []*content.Item{item}, expand); err != nil {
			return err
		}
		return s.writeItem(w, http.StatusOK, caller, item)
	}
}

// updateItem answers PUT /-/PLURAL/ID: it applies only the keys sent.
func (s *Server) updateItem(t *content.Type) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, id, err := s.callerAndItem(r)
		if err != nil {
			return err
		}
		b, err := s.decode(r)
		if err != nil {
			return err
		}
		item, err := s.content.Update(r.Context(), caller, t, id, contentInput(t, b.fields))
		if err != nil {
			return err
		}
		return s.writeItem(w, http.StatusOK, caller, item)
	}
}

// deleteItem answers DELETE /-/PLURAL/ID with {}.
func (s *Server) deleteItem(t *content.Type) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, id, err := s.callerAndItem(r)
		if err != nil {
			return err
		}
		if err := s.content.Delete(r.Context(), caller, t, id); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, struct{}{})
		return nil
	}
}

// categoryJSON is a category in GET /-/categories; Group is null for none.
type categoryJSON struct {
	Title string  `json:"title"`
	Group *string `json:"group"`
}

// categories answers GET /-/categories.
func (s *Server) categories(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.caller(r)
	if err != nil {
		return err
	}
	cats, err := s.content.Categories(r.Context(), caller)
	if err != nil {
		return err
	}
	out := make([]categoryJSON, len(cats))
	for i, c := range cats {
		out[i].Title = c.Title
		if c.Group != "" {
			out[i].Group = &c.Group
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// writeItem writes the representation of an item for caller as the response.
func (s *Server) writeItem(w http.ResponseWriter, status int, caller *backrest.User, item *content.Item) error {
	return writeAppended(w, status, func(b []byte) ([]byte, error) { return s.appendItem(b, caller, item) })
}
