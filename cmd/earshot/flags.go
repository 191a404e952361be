package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// envName is the environment variable that sets a flag when it is not on
// the command line: --data-dir is EARSHOT_DATA_DIR.
func envName(flagName string) string {
	return "EARSHOT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newFlagSet returns a flag set that reports errors to the caller instead of
// printing them, and prints its help to stdout.
func newFlagSet(name, summary string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { printUsage(stdout, fs, name, summary) }
	return fs
}

// parseFlags parses args, then fills every flag not given on the command
// line from its environment variable. A bad value is one usageError line
// naming the flag or the variable.
func parseFlags(fs *flag.FlagSet, args []string, env func(string) string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v := env(envName(f.Name))
		if err != nil || given[f.Name] || v == "" {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = usageError{fmt.Sprintf("invalid value %q for %s: %v", v, envName(f.Name), serr)}
		}
	})
	return err
}

func printUsage(w io.Writer, fs *flag.FlagSet, name, summary string) {
	fmt.Fprintf(w, "Usage: earshot %s [flags]\n\n%s\n\nFlags (each also set by its environment variable):\n", name, summary)
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s %s\n", f.Name, arg)
		fmt.Fprintf(w, "        %s\n", help)
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "        env %s, default %s\n", envName(f.Name), def)
	})
}
