// Command earshot records the calls a PBX or SBC forks to it over SIP and
// serves the web app that QA teams use to review them.
//
// Usage:
//
//	earshot [serve] [flags]          start everything one machine needs (the default)
//	earshot reindex [flags]          rebuild the call catalog from the object store
//	earshot user add|passwd|list     manage the accounts that sign in
//	earshot token create [flags]     create an API token for a user
//	earshot version                  print the version
//
// Every flag can also be set through an EARSHOT_* environment variable;
// "earshot serve --help" lists them with their defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	// Sampling plans name time zones; hosts without zoneinfo still load them.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand of the earshot binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error
}

// commands lists the subcommands; stdin is the input of those that read
// one (a password).
func commands(stdin io.Reader) []command {
	return []command{
		{"serve", "start recording and the web app (the default)", runServe},
		{"reindex", "rebuild the call catalog from the sidecars in the object store", runReindex},
		{"user", "add users, change their passwords, list them (user add|passwd|list)", userCommand(stdin)},
		{"token", "create an API token for a user (token create)", runToken},
		{"loadgen", "place SIPREC calls on a recorder and check their recordings", runLoadgen},
		{"demo", "start with a small demo contact center: calls, agents, a form, a sample", runDemo},
		{"version", "print the version", runVersion},
	}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code: 0 on
// success, 2 for a usage or configuration error, 1 for any other failure.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, env, os.Stdin, stdout, stderr)
}

// runWithInput is run with the standard input given.
func runWithInput(ctx context.Context, args []string, env func(string) string, stdin io.Reader,
	stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		printCommands(stdout)
		return 0
	}
	for _, c := range commands(stdin) {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args, env, stdout, stderr)
		return exitCode(err, stderr)
	}
	fmt.Fprintf(stderr, "earshot: unknown command %q; run \"earshot help\" for the list\n", name)
	return 2
}

func exitCode(err error, stderr io.Writer) int {
	var uerr usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &uerr):
		fmt.Fprintf(stderr, "earshot: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "earshot: %v\n", err)
		return 1
	}
}

// usageError is a bad command line or configuration value: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "Usage: earshot [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands(nil) {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"earshot COMMAND --help\" for a command's flags.")
}

func runVersion(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, "earshot", version)
	return nil
}
