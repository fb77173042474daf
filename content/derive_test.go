package content

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/backrest/backrest"
)

func TestFieldsOf(t *testing.T) {
	type doc struct {
		Size        int64  `json:"size" backrest:"required,min=0,max=10"`
		Color       string `backrest:"enum=red|green"`
		Body        string `json:"body,omitempty" backrest:"text,max_length=100"`
		Code        string `backrest:"pattern=^[A-Z]{1,3}$"`
		Score       float64
		Level       int `backrest:"enum=1|2"`
		Public      bool
		PublishedAt *time.Time
		HTMLExtra   json.RawMessage
		Tags        []string
		Image       *backrest.File
		Skipped     string `json:"-"`
		hidden      string
	}
	_ = doc{}.hidden
	fields, err := FieldsOf(&doc{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fields {
		got = append(got, fmt.Sprintf("%s:%s", f.Name, f.Kind))
	}
	want := "[size:integer color:string body:text code:string score:number level:integer public:boolean published_at:datetime html_extra:json tags:json image:file]"
	if fmt.Sprint(got) != want {
		t.Fatalf("fields %v\nwant   %s", got, want)
	}
	if f := fields[0]; !f.Required || *f.Min != 0 || *f.Max != 10 {
		t.Fatalf("size %+v", f)
	}
	if fields[2].MaxLength != 100 || fields[3].Pattern != "^[A-Z]{1,3}$" || fmt.Sprint(fields[1].Enum) != "[red green]" {
		t.Fatalf("constraints %+v", fields[1:4])
	}
	ty := Type{Name: "doc", Fields: fields}
	if err := ty.prepare(); err != nil {
		t.Fatalf("derived fields do not make a type: %v", err)
	}
	for _, bad := range []any{1, struct {
		X int `backrest:"min=x"`
	}{}, struct {
		X int `backrest:"bogus"`
	}{}, struct {
		X int `backrest:"text"`
	}{}} {
		if _, err := FieldsOf(bad); err == nil {
			t.Errorf("FieldsOf(%T) accepted", bad)
		}
	}
}
