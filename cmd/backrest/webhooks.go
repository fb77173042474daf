package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/cli"
	"github.com/backrest/backrest/webhook"
)

// webhookError renders an error of the webhooks for a shell: the first failing
// field and why, or the error as it is.
func webhookError(cmd string, err error) error {
	var e *backrest.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return fmt.Errorf("%s: %s: %s", cmd, e.Fields[0].Name, e.Fields[0].Description)
	}
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return fmt.Errorf("%s: no such webhook", cmd)
	}
	return err
}

// orAll renders a list of a webhook, "all" when it is empty.
func orAll(l []string) string {
	if len(l) == 0 {
		return "all"
	}
	return strings.Join(l, ",")
}

func webhookList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := cli.Command{Name: "backrest webhook list",
		About: "Lists the webhooks with the state of their deliveries."}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, _ []string) error {
		hooks, err := a.Webhooks.List(ctx, account.Operator())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tURL\tTYPES\tKINDS\tSTATE\tPENDING\tFAILED\tLAST ERROR")
		for _, w := range hooks {
			state := "active"
			if !w.Active {
				state = "inactive"
			}
			last := w.LastError
			if last == "" {
				last = "-"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", w.ID, w.URL, orAll(w.Types), strings.Join(w.Kinds, ","),
				state, w.Pending, w.Failed, last)
		}
		return tw.Flush()
	})
}

func webhookAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var types, kinds roles
	var secret optString
	var inactive bool
	c := cli.Command{Name: "backrest webhook add", Args: "URL",
		About: "Adds a webhook that POSTs the events logged from now on to URL, and prints its secret\n" +
			"(generated unless --hook-secret is given), which is not shown again.",
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&types, "type", "a content `type` covered (repeatable; none: every type)")
			fs.Var(&kinds, "kind", "a `kind` of change covered: create, update or delete (repeatable; none: all three)")
			fs.Var(&secret, "hook-secret", "the `secret` of the signatures (16 to 256 printable characters; none: one is generated)")
			fs.BoolVar(&inactive, "inactive", false, "queue the events but deliver none until the webhook is activated")
		}}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, rest []string) error {
		in := webhook.Input{URL: &rest[0], Secret: secret.v}
		if len(types) > 0 {
			l := []string(types)
			in.Types = &l
		}
		if len(kinds) > 0 {
			l := []string(kinds)
			in.Kinds = &l
		}
		if inactive {
			in.Active = new(bool)
		}
		w, err := a.Webhooks.Create(ctx, account.Operator(), in)
		if err != nil {
			return webhookError("webhook add", err)
		}
		fmt.Fprintf(stdout, "added webhook %d: %s (types %s, kinds %s)\n", w.ID, w.URL, orAll(w.Types), strings.Join(w.Kinds, ","))
		if w.Secret != "" {
			fmt.Fprintf(stdout, "secret: %s\n", w.Secret)
		}
		return nil
	})
}

func webhookDelete(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := cli.Command{Name: "backrest webhook delete", Args: "ID",
		About: "Deletes the webhook ID with its deliveries, pending ones included."}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, rest []string) error {
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("webhook delete: want the id of a webhook, not %q", rest[0])
		}
		if err := a.Webhooks.Delete(ctx, account.Operator(), id); err != nil {
			return webhookError("webhook delete", err)
		}
		fmt.Fprintf(stdout, "deleted webhook %d\n", id)
		return nil
	})
}
