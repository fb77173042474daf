// Package cli is the command-line face of a backrest server: it reads a
// backrest.Config from flags and BACKREST_* environment variables, writes the help
// of commands, and makes the log handler. cmd/backrest uses it, and so can a Go
// program that embeds backrest, so that both take the same settings and log alike.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/backrest/backrest"
)

// Command describes a command for Parse.
type Command struct {
	// Name is the command as typed, such as "backrest user add".
	Name string
	// Args names the arguments wanted after the flags, such as "EMAIL"; each
	// word is one argument. Empty: none.
	Args string
	// About says what the command does, for the help.
	About string
	// Flags defines the command's own flags, which have no variable; nil: none.
	// As in the flag package, a `name` in backquotes in a flag's usage names its
	// value in the help.
	Flags func(fs *flag.FlagSet)
}

// Parse fills cfg from the command-line arguments args, then from the variables
// of getenv for the settings not given as flags, and returns the arguments after
// the flags. Asked for help (-h, --help), it writes the help to stdout and returns
// flag.ErrHelp. Every error names the flag or variable and the form expected.
func Parse(c Command, cfg *backrest.Config, args []string, getenv func(string) string, stdout io.Writer) ([]string, error) {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	own := newSettings(fs)
	if c.Flags != nil {
		c.Flags(fs)
	}
	own.end()
	s := configFlags(fs, cfg)
	fs.VisitAll(func(f *flag.Flag) { f.Value = checked{f.Value} })
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.help(stdout, own, s)
			return nil, err
		}
		return nil, fmt.Errorf("%w (see %s -h)", err, c.Name)
	}
	if err := s.applyEnv(getenv); err != nil {
		return nil, err
	}
	want := strings.Fields(c.Args)
	switch {
	case fs.NArg() > len(want) && strings.HasPrefix(fs.Arg(len(want)), "-"):
		return nil, fmt.Errorf("flag %s after the arguments: flags go first (see %s -h)", fs.Arg(len(want)), c.Name)
	case fs.NArg() > len(want):
		return nil, fmt.Errorf("unexpected argument %q (see %s -h)", fs.Arg(len(want)), c.Name)
	case fs.NArg() < len(want):
		return nil, fmt.Errorf("want %s after the flags (see %s -h)", c.Args, c.Name)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return fs.Args(), nil
}

// NewLogger returns the logger of a server with cfg: lines on w in cfg.LogFormat
// ("json" or text), from cfg.LogLevel up (debug, info, warn or error; info when
// empty or unknown), debug lines too when cfg.Debug is set.
func NewLogger(cfg backrest.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	if cfg.Debug {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// help writes the help of c: its usage line, its own flags, then the settings
// under their headings, each with its variable.
func (c Command) help(w io.Writer, own, s *settings) {
	fmt.Fprintf(w, "usage: %s [flags]", c.Name)
	if c.Args != "" {
		fmt.Fprint(w, " ", c.Args)
	}
	fmt.Fprint(w, "\n\n")
	if c.About != "" {
		fmt.Fprint(w, c.About, "\n\n")
	}
	if len(own.groups) > 0 && len(own.groups[0].names) > 0 {
		fmt.Fprint(w, "flags:\n")
		for _, name := range own.groups[0].names {
			printFlag(w, own.fs.Lookup(name), "")
		}
		fmt.Fprint(w, "\n")
	}
	fmt.Fprint(w, "settings (each flag --NAME is also the variable BACKREST_NAME; a flag wins over its variable):\n")
	for _, g := range s.groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range g.names {
			printFlag(w, s.fs.Lookup(name), envName(name))
		}
	}
}

// printFlag writes the help of one flag, with its variable unless env is empty.
func printFlag(w io.Writer, f *flag.Flag, env string) {
	line := "  --" + f.Name
	usage := f.Usage
	if name, unquoted := flag.UnquoteUsage(f); unquoted != usage {
		// A `name` in the usage names the value, as in the flag package.
		line += " " + strings.ToUpper(name)
		usage = unquoted
	} else if p := placeholder(f.Value); p != "" {
		line += " " + p
	}
	if env != "" {
		line += "  (" + env + ")"
	}
	if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "0s" && d != "0/0s" {
		usage += " (default " + d + ")"
	}
	fmt.Fprintf(w, "%s\n      %s\n", line, usage)
}

// placeholder is the form of a flag's value in the help; empty for a boolean.
func placeholder(v flag.Value) string {
	if c, ok := v.(checked); ok {
		v = c.Value
	}
	switch v := v.(type) {
	case choiceValue:
		return strings.Join(v.words, "|")
	case limitValue:
		return "N/DURATION"
	case uint8Value, uint32Value:
		return "N"
	}
	if g, ok := v.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool:
			return ""
		case int, int64, uint, uint64:
			return "N"
		case time.Duration:
			return "DURATION"
		}
	}
	return "STRING"
}

// expected is the form of a flag's value in messages.
func expected(v flag.Value) string {
	if e, ok := v.(interface{ expected() string }); ok {
		return e.expected()
	}
	if g, ok := v.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool:
			return "true or false"
		case int, int64:
			return "an integer"
		case uint, uint64:
			return "an integer from 0"
		case time.Duration:
			return "a duration such as 90s, 15m or 24h"
		}
	}
	return ""
}

// checked wraps the value of a flag so that a refused value says the form
// expected, instead of the parser's own message.
type checked struct{ flag.Value }

// IsBoolFlag lets a boolean flag go without a value, as the flag package does.
func (c checked) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func (c checked) Set(s string) error {
	if err := c.Value.Set(s); err != nil {
		if e := expected(c.Value); e != "" {
			return errors.New("want " + e)
		}
		return err
	}
	return nil
}

// settings are flags of a set under the headings of the help.
type settings struct {
	fs     *flag.FlagSet
	groups []group
	seen   map[string]bool
}

// group is a heading of the help and the names of its flags.
type group struct {
	title string
	names []string
}

// newSettings returns the settings of the flags defined on fs from now on.
func newSettings(fs *flag.FlagSet) *settings {
	s := &settings{fs: fs, seen: map[string]bool{}}
	fs.VisitAll(func(f *flag.Flag) { s.seen[f.Name] = true })
	return s
}

// heading starts a heading: the flags defined from now on belong to it.
func (s *settings) heading(title string) {
	s.close()
	s.groups = append(s.groups, group{title: title})
}

// end closes the last heading and returns s.
func (s *settings) end() *settings {
	s.close()
	return s
}

// close gives the flags defined since the last call to the last heading.
func (s *settings) close() {
	s.fs.VisitAll(func(f *flag.Flag) {
		if s.seen[f.Name] {
			return
		}
		s.seen[f.Name] = true
		if len(s.groups) == 0 {
			s.groups = append(s.groups, group{})
		}
		g := &s.groups[len(s.groups)-1]
		g.names = append(g.names, f.Name)
	})
}

// envName is the environment variable of a flag.
func envName(flagName string) string {
	return "BACKREST_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets each setting not given on the command line from its variable.
// It reports every refused variable, naming it and the form expected.
func (s *settings) applyEnv(getenv func(string) string) error {
	given := map[string]bool{}
	s.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	for _, g := range s.groups {
		for _, name := range g.names {
			v := getenv(envName(name))
			if given[name] || v == "" {
				continue
			}
			if err := s.fs.Lookup(name).Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("invalid value %q for %s: %w", v, envName(name), err))
			}
		}
	}
	return errors.Join(errs...)
}
