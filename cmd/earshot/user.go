package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"earshot/qa"
	"earshot/storage/catalog"
)

// The user and token commands work on the database of --data-dir directly,
// so that the first accounts can be made before anyone can sign in, and an
// admin who lost their password can set a new one. They print secrets
// (a generated password, a token) once, on stdout, and log none.

const (
	userSummary = "Manage the accounts that sign in to the web app and the API.\n\n" +
		"  earshot user add --username U --roles reviewer,agent [--display-name N] [--password-stdin]\n" +
		"  earshot user passwd --username U [--password-stdin]\n" +
		"  earshot user list\n\n" +
		"Without --password-stdin a password is generated and printed once. Roles: admin, manager,\n" +
		"reviewer, agent. Safe to run while earshot serve is running."
	tokenSummary = "Create an API token for a user; the token is printed once, on stdout.\n\n" +
		"  earshot token create --username U --name N\n\n" +
		"Send it as \"Authorization: Bearer TOKEN\". Revoke it through the API (DELETE /api/v1/tokens/ID)."
)

// openQA applies the QA schema to the catalog and sets up sign-in.
func openQA(
	ctx context.Context,
	cat *catalog.Catalog,
	access accessConfig,
	log *slog.Logger,
) (*qa.Service, error) {
	q, err := qa.Open(ctx, cat, log)
	if err != nil {
		return nil, fmt.Errorf("open qa: %w", err)
	}
	q.SetAccess(access.qaAccess())
	return q, nil
}

// ensureAdmin creates the first admin on an empty database and returns the
// welcome lines that say how to sign in, or "" when accounts exist.
func ensureAdmin(ctx context.Context, q *qa.Service, env func(string) string) (string, error) {
	created, generated, err := q.EnsureAdmin(ctx, env(adminPasswordEnv))
	var in *qa.InputError
	if errors.As(err, &in) {
		return "", usageError{fmt.Sprintf("invalid %s: %s", adminPasswordEnv, in.Msg)}
	}
	switch {
	case err != nil:
		return "", fmt.Errorf("create the first admin: %w", err)
	case !created:
		return "", nil
	case generated == "":
		return fmt.Sprintf("  sign in:          as %s, with the password in %s\n",
			qa.AdminUsername, adminPasswordEnv), nil
	}
	return fmt.Sprintf("  sign in:          as %s, password %s\n"+
		"                    (shown this once: change it after signing in)\n",
		qa.AdminUsername, generated), nil
}

// dataFlags are the flags every user and token command shares.
type dataFlags struct{ dataDir string }

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.dataDir, "data-dir", "./earshot-data",
		"`folder` of the catalog database, as given to earshot serve")
}

// open opens the catalog of the data folder and the QA service on it.
// Only warnings and errors are logged, to stderr.
func (d *dataFlags) open(ctx context.Context, stderr io.Writer) (*catalog.Catalog, *qa.Service, error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := os.MkdirAll(d.dataDir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create data folder: %w", err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(d.dataDir, "earshot.db"), log)
	if err != nil {
		return nil, nil, fmt.Errorf("open catalog: %w", err)
	}
	q, err := openQA(ctx, cat, accessConfig{}, log)
	if err != nil {
		cat.Close()
		return nil, nil, err
	}
	return cat, q, nil
}

// runFunc is the signature of a command.
type runFunc = func(ctx context.Context, args []string, env func(string) string,
	stdout, stderr io.Writer) error

// userCommand returns the user command, reading passwords from stdin.
func userCommand(stdin io.Reader) runFunc {
	return func(ctx context.Context, args []string, env func(string) string,
		stdout, stderr io.Writer) error {
		return runUser(ctx, args, env, stdin, stdout, stderr)
	}
}

func runUser(ctx context.Context, args []string, env func(string) string, stdin io.Reader,
	stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add":
		return userAdd(ctx, args, env, stdin, stdout, stderr)
	case "passwd":
		return userPasswd(ctx, args, env, stdin, stdout, stderr)
	case "list":
		return userList(ctx, args, env, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, "Usage: earshot user add|passwd|list [flags]\n\n%s\n", userSummary)
		return flag.ErrHelp
	}
	return usageError{fmt.Sprintf(
		"user: want add, passwd or list, not %q; run \"earshot user --help\"", sub)}
}

// readPassword reads one line of stdin as a password.
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", usageError{"--password-stdin: no standard input"}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{"--password-stdin: standard input holds no password"}
	}
	return pw, nil
}

// password returns the password from stdin when fromStdin, else a
// generated one, and whether it was generated.
func password(fromStdin bool, stdin io.Reader) (string, bool, error) {
	if !fromStdin {
		return qa.GeneratePassword(), true, nil
	}
	pw, err := readPassword(stdin)
	return pw, false, err
}

// inputError turns a refusal of the QA domain into a usage error that
// says what to change.
func inputError(err error) error {
	var in *qa.InputError
	if errors.As(err, &in) {
		return usageError{"invalid " + strings.ReplaceAll(in.Error(), "_", " ")}
	}
	return err
}

// userByName finds a user, or says how to list them.
func userByName(ctx context.Context, q *qa.Service, username string) (*qa.User, error) {
	u, err := q.UserByName(ctx, username)
	if errors.Is(err, qa.ErrNotFound) {
		return nil, usageError{fmt.Sprintf("no user %q; \"earshot user list\" lists them", username)}
	}
	return u, err
}

// cliAudit records what a command did: the command line has no signed-in
// user, so the entry says where it came from instead.
func cliAudit(
	ctx context.Context,
	q *qa.Service,
	action, objectType, objectID string,
	detail map[string]any,
) error {
	detail["via"] = "command line"
	return q.Audit(ctx, qa.Entry{Action: action, ObjectType: objectType, ObjectID: objectID,
		Detail: detail})
}

func userAdd(ctx context.Context, args []string, env func(string) string, stdin io.Reader,
	stdout, stderr io.Writer) error {
	var d dataFlags
	var nu qa.NewUser
	var roles string
	var fromStdin bool
	fs := newFlagSet("user add", userSummary, stdout)
	d.register(fs)
	fs.StringVar(&nu.Username, "username", "", "`name` to sign in with: a-z, 0-9, '.', '_', '-'")
	fs.StringVar(&roles, "roles", "", "comma-separated `roles`: admin, manager, reviewer, agent")
	fs.StringVar(&nu.DisplayName, "display-name", "", "the person's `name` as shown")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of stdin")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	var err error
	if nu.Roles, err = qa.ParseRoles(roles); err != nil {
		return inputError(err)
	}
	pw, generated, err := password(fromStdin, stdin)
	if err != nil {
		return err
	}
	nu.Password = pw
	cat, q, err := d.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer cat.Close()

	u, err := q.CreateUser(ctx, nu)
	if err != nil {
		return inputError(err)
	}
	if err := cliAudit(ctx, q, qa.ActionCreate, "user", fmt.Sprint(u.ID),
		map[string]any{"username": u.Username, "roles": u.Roles}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created user %s (id %d) with the roles %s.\n", u.Username, u.ID,
		roleList(u.Roles))
	if generated {
		fmt.Fprintf(stdout, "Password (shown this once): %s\n", pw)
	}
	return nil
}

func userPasswd(ctx context.Context, args []string, env func(string) string, stdin io.Reader,
	stdout, stderr io.Writer) error {
	var d dataFlags
	var username string
	var fromStdin bool
	fs := newFlagSet("user passwd", userSummary, stdout)
	d.register(fs)
	fs.StringVar(&username, "username", "", "`name` of the user")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the new password from the first line of stdin")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if username == "" {
		return usageError{"user passwd: --username is required"}
	}
	pw, generated, err := password(fromStdin, stdin)
	if err != nil {
		return err
	}
	cat, q, err := d.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer cat.Close()

	u, err := userByName(ctx, q, username)
	if err != nil {
		return err
	}
	if err := q.SetPassword(ctx, u.ID, pw); err != nil {
		return inputError(err)
	}
	if err := cliAudit(ctx, q, qa.ActionChange, "user", fmt.Sprint(u.ID),
		map[string]any{"changed": []string{"password"}}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Password of %s changed; their browser sessions are signed out.\n", u.Username)
	if generated {
		fmt.Fprintf(stdout, "Password (shown this once): %s\n", pw)
	}
	return nil
}

func userList(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var d dataFlags
	fs := newFlagSet("user list", userSummary, stdout)
	d.register(fs)
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	cat, q, err := d.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	users, err := q.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tDISPLAY NAME\tROLES\tSTATE")
	for _, u := range users {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.DisplayName,
			roleList(u.Roles), state)
	}
	return tw.Flush()
}

// roleList writes roles as the --roles flag takes them.
func roleList(rs []qa.Role) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

func runToken(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "create":
		return tokenCreate(ctx, args, env, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(stdout, "Usage: earshot token create [flags]\n\n%s\n", tokenSummary)
		return flag.ErrHelp
	}
	return usageError{fmt.Sprintf("token: want create, not %q; run \"earshot token --help\"", sub)}
}

func tokenCreate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var d dataFlags
	var username, name string
	var days int
	fs := newFlagSet("token create", tokenSummary, stdout)
	d.register(fs)
	fs.StringVar(&username, "username", "", "`name` of the user the token signs in as")
	fs.StringVar(&name, "name", "", "what the token is for (`text`), to tell it apart when listing")
	fs.IntVar(&days, "expires-in-days", 0, "make the token stop working after this many `days`; 0 means never")
	if err := parseFlags(fs, args, env); err != nil {
		return err
	}
	if username == "" {
		return usageError{"token create: --username is required"}
	}
	if maxDays := int(qa.MaxTokenLifetime / (24 * time.Hour)); days < 0 || days > maxDays {
		return usageError{fmt.Sprintf("invalid --expires-in-days %d: give 1 to %d, or 0 for a token "+
			"that works until it is revoked", days, maxDays)}
	}
	cat, q, err := d.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer cat.Close()
	return createToken(ctx, q, username, name, time.Duration(days)*24*time.Hour, stdout, stderr)
}

// createToken creates the token as its owner would, since whoever runs the
// command on the server can act as anyone.
func createToken(
	ctx context.Context,
	q *qa.Service,
	username, name string,
	lifetime time.Duration,
	stdout, stderr io.Writer,
) error {
	u, err := userByName(ctx, q, username)
	if err != nil {
		return err
	}
	tok, secret, err := q.CreateExpiringToken(ctx, u, u.ID, name, lifetime)
	if err != nil {
		return inputError(err)
	}
	if err := cliAudit(ctx, q, qa.ActionCreate, "api_token", fmt.Sprint(tok.ID),
		map[string]any{"name": tok.Name, "user_id": tok.UserID, "expires_at": tok.ExpiresAt}); err != nil {
		return err
	}
	expiry := "it never expires"
	if tok.ExpiresAt != nil {
		expiry = "it expires " + tok.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(stderr, "API token %d (%q) created for %s; %s; it is shown this once:\n",
		tok.ID, tok.Name, u.Username, expiry)
	fmt.Fprintln(stdout, secret)
	return nil
}
