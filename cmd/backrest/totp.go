package main

import (
	"context"
	"fmt"
	"io"

	"github.com/backrest/backrest/account"
	"github.com/backrest/backrest/app"
	"github.com/backrest/backrest/cli"
)

func userResetTOTP(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := cli.Command{Name: "backrest user reset-totp", Args: "EMAIL",
		About: "Removes the second factor (TOTP) and recovery codes of the user with the address EMAIL, for a user\n" +
			"who lost both: they log in with the password alone again. It works while a server runs on the same database."}
	return withApp(ctx, c, args, getenv, stdout, stderr, func(a *app.App, rest []string) error {
		u, err := a.Accounts.UserByEmail(ctx, account.Operator(), rest[0])
		if err != nil {
			return fieldError("user reset-totp", err)
		}
		had, err := a.Accounts.ResetTOTP(ctx, account.Operator(), u.ID)
		if err != nil {
			return fieldError("user reset-totp", err)
		}
		if !had {
			fmt.Fprintf(stdout, "user %s <%s> had no second factor\n", u.ID, u.Email)
			return nil
		}
		fmt.Fprintf(stdout, "removed the second factor of user %s <%s>\n", u.ID, u.Email)
		return nil
	})
}
