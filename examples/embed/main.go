// Command embed is a Go program that embeds backrest: it serves the whole backrest
// API plus a content type of its own, foo, registered from Go with an integer size
// and a hook that checks it across fields.
//
//	go run ./examples/embed            # listens on 127.0.0.1:8080, data in ./embed_data
//
// Add a user with `go run ./cmd/backrest user add --data ./embed_data EMAIL`, log in
// with PUT /-/login, then POST /-/foos {"title": "a foo", "size": 3}.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/content"
)

// Foo is the Go form of the foo type; content.FieldsOf derives its fields.
type Foo struct {
	Size  int64  `json:"size" backrest:"required,min=0"`
	Color string `json:"color" backrest:"max_length=20"`
}

// fooType is the foo content type with its hooks.
func fooType() (content.Type, error) {
	fields, err := content.FieldsOf(Foo{})
	if err != nil {
		return content.Type{}, err
	}
	return content.Type{
		Name:        "foo",
		Description: "A foo, registered from Go",
		Fields:      fields,
		Hooks: content.Hooks{
			// Create refuses big red foos: a check across fields.
			Create: func(ctx context.Context, c *content.Change) error {
				if c.Item.Fields["color"] == "red" && c.Item.Fields["size"].(int64) > 10 {
					return backrest.Invalid("size", "Red foos are at most 10 big")
				}
				return nil
			},
		},
	}, nil
}

// newApp builds the backrest app of cfg with the foo type.
func newApp(ctx context.Context, cfg backrest.Config) (*app.App, error) {
	foo, err := fooType()
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, app.Options{Types: []content.Type{foo}})
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg := backrest.DefaultConfig()
	cfg.DataDir = "./embed_data"
	if addr := os.Getenv("ADDR"); addr != "" {
		cfg.Addr = addr
	}
	a, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	slog.Info("embedded backrest with a foo type", "url", a.Config.BaseURL+"/-/foos")
	return a.Serve(ctx, ln)
}
