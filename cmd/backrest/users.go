package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backrest/backrest"
	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/cli"
	"github.com/backrest/backrest/store"
)

// optString is a string flag that knows whether it was given.
type optString struct{ v *string }

func (o *optString) String() string {
	if o.v == nil {
		return ""
	}
	return *o.v
}
func (o *optString) Set(s string) error { o.v = &s; return nil }

// optBool is a boolean flag that knows whether it was given (--active,
// --active=false).
type optBool struct{ v *bool }

func (o *optBool) String() string {
	if o.v == nil {
		return ""
	}
	return strconv.FormatBool(*o.v)
}
func (o *optBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	o.v = &b
	return nil
}
func (o *optBool) IsBoolFlag() bool { return true }

// fieldError renders an error of the account flows for a shell: the first failing
// field and why, or the error as it is.
func fieldError(cmd string, err error) error {
	var e *backrest.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return fmt.Errorf("%s: %s: %s", cmd, e.Fields[0].Name, e.Fields[0].Description)
	}
	if backrest.ErrorCode(err) == backrest.ENOTFOUND {
		return fmt.Errorf("%s: no such user", cmd)
	}
	return err
}

// withApp parses the flags of a user command and runs f on an app of the
// configuration with the arguments after the flags.
func withApp(ctx context.Context, c cli.Command, args []string, getenv func(string) string, stdout, stderr io.Writer,
	f func(a *app.App, rest []string) error) error {
	cfg, rest, err := parse(c, args, getenv, stdout)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: cli.NewLogger(cfg, stderr)})
	if err != nil {
		return err
	}
	defer a.Close()
	return f(a, rest)
}

// userState names the state of a user for a listing.
func userState(u *backrest.User) string {
	switch {
	case u.Active:
		return "active"
	case u.Pending():
		return "pending"
	}
	return "inactive"
}

func userList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var q store.UserQuery
	var active optBool
	var asJSON bool
	c := cli.Command{Name: "backrest user list",
		About: "Lists the users, newest first, as a table or as JSON lines.",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&q.Q, "q", "", "only users whose address, first or last name contains `text` (any case)")
			fs.StringVar(&q.Role, "role", "", "only users with the `role`")
			fs.Var(&active, "active", "only active users (--active) or inactive ones (--active=false)")
			fs.IntVar(&q.Limit, "limit", 0, fmt.Sprintf("at most `N` users, 1 to %d (default %d)", account.MaxPageLimit, account.DefaultPageLimit))
			fs.IntVar(&q.Offset, "offset", 0, "skip the first `N` users")
			fs.BoolVar(&asJSON, "json", false, "one JSON object a line instead of a table")
		}}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, _ []string) error {
		if q.Limit < 0 || q.Limit > account.MaxPageLimit || q.Offset < 0 {
			return fmt.Errorf("user list: --limit is 1 to %d and --offset 0 or more", account.MaxPageLimit)
		}
		q.Active = active.v
		users, total, err := a.Accounts.ListUsers(ctx, account.Operator(), q)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(stdout)
			for _, u := range users {
				err := enc.Encode(struct {
					backrest.UserJSON
					Active  bool      `json:"active"`
					Pending bool      `json:"pending"`
					Created time.Time `json:"created"`
				}{u.JSON(), u.Active, u.Pending(), u.Created})
				if err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES\tSTATE\tCREATED")
		for _, u := range users {
			name := strings.TrimSpace(u.Firstname + " " + u.Lastname)
			if name == "" {
				name = "-"
			}
			roles := strings.Join(u.Roles, ",")
			if roles == "" {
				roles = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID.Short(), u.Email, name, roles, userState(u),
				u.Created.Format("2006-01-02 15:04"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d of %d users\n", len(users), total)
		return nil
	})
}

func userSet(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var first, last, email optString
	var active optBool
	var rs roles
	var noRoles bool
	c := cli.Command{Name: "backrest user set", Args: "EMAIL",
		About: "Changes the user with the address EMAIL: names, address, roles and state. Deactivating\n" +
			"a user ends their sessions. It works while a server runs on the same database.",
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&first, "firstname", "the new first `name`")
			fs.Var(&last, "lastname", "the new last `name`")
			fs.Var(&email, "email", "the new `address`")
			fs.Var(&rs, "role", "the user's global `role` (repeatable): the roles become exactly those given")
			fs.BoolVar(&noRoles, "no-roles", false, "take every role away")
			fs.Var(&active, "active", "activate (--active) or deactivate (--active=false) the user")
		}}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, rest []string) error {
		if noRoles && len(rs) > 0 {
			return errors.New("user set: --no-roles or --role, not both")
		}
		u, err := a.Accounts.UserByEmail(ctx, account.Operator(), rest[0])
		if err != nil {
			return fieldError("user set", err)
		}
		ch := account.UserChanges{Email: email.v, Firstname: first.v, Lastname: last.v, Active: active.v}
		if len(rs) > 0 || noRoles {
			list := []string(rs)
			if list == nil {
				list = []string{}
			}
			ch.Roles = &list
		}
		if u, err = a.Accounts.UpdateUser(ctx, account.Operator(), u.ID, ch); err != nil {
			return fieldError("user set", err)
		}
		roles := strings.Join(u.Roles, ",")
		if roles == "" {
			roles = "no roles"
		}
		fmt.Fprintf(stdout, "updated user %s <%s>: %s, %s\n", u.ID, u.Email, userState(u), roles)
		return nil
	})
}

func userDelete(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := cli.Command{Name: "backrest user delete", Args: "EMAIL",
		About: "Deletes the user with the address EMAIL, with their sessions and items. It works while a\nserver runs on the same database."}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, rest []string) error {
		u, err := a.Accounts.UserByEmail(ctx, account.Operator(), rest[0])
		if err != nil {
			return fieldError("user delete", err)
		}
		if err := a.Accounts.DeleteUser(ctx, account.Operator(), u.ID); err != nil {
			return fieldError("user delete", err)
		}
		fmt.Fprintf(stdout, "deleted user %s <%s>\n", u.ID, u.Email)
		return nil
	})
}
