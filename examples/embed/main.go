// Command embed is a Go program that embeds backrest: it serves the whole backrest
// API plus a content type of its own, foo, registered from Go with an integer size
// and a hook that checks it across fields.
//
//	go run ./examples/embed            # listens on 127.0.0.1:8080, data in ./embed_data
//
// It takes the settings of `backrest serve`, as flags or BACKREST_* variables
// (`go run ./examples/embed -h` lists them), and logs in the same format. Add a
// user with `go run ./cmd/backrest user add --data ./embed_data --password 'a long
// password' EMAIL`, log in with PUT /-/login, then POST /-/foos {"title": "a foo",
// "size": 3}.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/cli"
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
		// Create and Update refuse big red foos: a check across fields.
		Hooks: content.Hooks{Create: checkFoo, Update: checkFoo},
	}, nil
}

// checkFoo refuses a foo that is red and bigger than 10.
func checkFoo(ctx context.Context, c *content.Change) error {
	if c.Item.Fields["color"] == "red" && c.Item.Fields["size"].(int64) > 10 {
		return backrest.Invalid("size", "Red foos are at most 10 big")
	}
	return nil
}

// newApp builds the backrest app of cfg with the foo type, logging to log.
func newApp(ctx context.Context, cfg backrest.Config, log *slog.Logger) (*app.App, error) {
	foo, err := fooType()
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, app.Options{Types: []content.Type{foo}, Logger: log})
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

// run reads the settings from args and getenv, as `backrest serve` does, and
// serves until ctx ends. Help goes to stdout, logs to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := backrest.DefaultConfig()
	cfg.DataDir = "./embed_data"
	if _, err := cli.Parse(cli.Command{Name: "embed", About: "Serves the backrest API with a foo type registered from Go."},
		&cfg, args, getenv, stdout); err != nil {
		return err
	}
	log := cli.NewLogger(cfg, stderr)
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("embedded backrest with a foo type", "url", a.Config.BaseURL+"/-/foos")
	return a.Serve(ctx, ln)
}
