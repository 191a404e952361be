package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"earshot/qa"
	"earshot/storage/catalog"
)

// runCmd runs one command line with stdin and returns the exit code and
// outputs.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWithInput(t.Context(), args, noEnv, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// openDataQA opens the QA service of a data folder, as serve would.
func openDataQA(t *testing.T, dataDir string) *qa.Service {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	cat, err := catalog.Open(t.Context(), filepath.Join(dataDir, "earshot.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	q, err := qa.Open(t.Context(), cat, log)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestUserAddPasswdListAndTokenCreate(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCmd(t, "amy's password\n", "user", "add", "--data-dir", dir,
		"--username", "amy", "--roles", "reviewer,agent", "--display-name", "Amy Lee", "--password-stdin")
	if code != 0 || !strings.Contains(out, "Created user amy") || strings.Contains(out+errOut, "amy's password") {
		t.Fatalf("user add = %d, %q, %q; want amy created and no password printed", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", "user", "add", "--data-dir", dir, "--username", "root", "--roles", "admin")
	_, generated, found := strings.Cut(strings.TrimSpace(out), "(shown this once): ")
	if code != 0 || !found || len(generated) < 20 {
		t.Fatalf("user add without a password = %d, %q; want a generated password printed", code, out)
	}
	code, out, _ = runCmd(t, "amy's new password\r\n", "user", "passwd", "--data-dir", dir,
		"--username", "amy", "--password-stdin")
	if code != 0 || !strings.Contains(out, "Password of amy changed") {
		t.Fatalf("user passwd = %d, %q", code, out)
	}
	code, out, _ = runCmd(t, "", "user", "list", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "Amy Lee") || !strings.Contains(out, "reviewer,agent") ||
		!strings.Contains(out, "root") {
		t.Fatalf("user list = %d:\n%s", code, out)
	}
	code, out, errOut = runCmd(t, "", "token", "create", "--data-dir", dir, "--username", "amy",
		"--name", "nightly export")
	secret := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(secret, qa.TokenPrefix) || strings.Contains(errOut, secret) {
		t.Fatalf("token create = %d, %q, %q; want the token alone on stdout", code, out, errOut)
	}

	code, out, errOut = runCmd(t, "", "token", "create", "--data-dir", dir, "--username", "amy",
		"--name", "audit", "--expires-in-days", "30")
	expiring := strings.TrimSpace(out)
	if code != 0 || !strings.Contains(errOut, "it expires "+time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")) {
		t.Fatalf("token create --expires-in-days 30 = %d, %q, %q; want the expiry told", code, out, errOut)
	}

	q := openDataQA(t, dir)
	if u, err := q.AuthenticateToken(t.Context(), secret); err != nil || u.Username != "amy" {
		t.Errorf("the printed token signs in as %+v, %v; want amy", u, err)
	}
	tokens, err := q.ListTokens(t.Context(), &qa.User{Roles: []qa.Role{qa.RoleAdmin}}, 0)
	if err != nil || len(tokens) != 2 || tokens[0].ExpiresAt == nil || tokens[1].ExpiresAt != nil {
		t.Errorf("tokens = %+v, %v; want the second expiring, the first not", tokens, err)
	}
	if u, err := q.AuthenticateToken(t.Context(), expiring); err != nil || u.Username != "amy" {
		t.Errorf("the expiring token signs in as %+v, %v; want amy until it expires", u, err)
	}
	for _, c := range []struct{ user, pw string }{{"amy", "amy's new password"}, {"root", generated}} {
		if _, err := q.Login(t.Context(), c.user, c.pw, ""); err != nil {
			t.Errorf("sign in as %s with the password set on the command line: %v", c.user, err)
		}
	}
	log, err := q.ListAudit(t.Context(), qa.AuditFilter{})
	if err != nil || len(log) < 4 || log[len(log)-1].Detail["via"] != "command line" {
		t.Errorf("audit log = %+v, %v; want the command-line changes", log, err)
	}
}

func TestUserCommandRefusals(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCmd(t, "", "user", "add", "--data-dir", dir, "--username", "bo", "--roles", "agent")
	if code != 0 {
		t.Fatalf("user add bo: %s", errOut)
	}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		mention  string
	}{
		{name: "no subcommand", args: []string{"user"}, wantCode: 2, mention: "add, passwd or list"},
		{name: "unknown subcommand", args: []string{"user", "delete"}, wantCode: 2, mention: "delete"},
		{name: "no roles", args: []string{"user", "add", "--username", "cy"}, wantCode: 2, mention: "role"},
		{name: "unknown role", args: []string{"user", "add", "--username", "cy", "--roles", "boss"},
			wantCode: 2, mention: "boss"},
		{name: "bad username", args: []string{"user", "add", "--username", "Cy Young", "--roles", "agent"},
			wantCode: 2, mention: "username"},
		{name: "short password", stdin: "short\n", wantCode: 2, mention: "password",
			args: []string{"user", "add", "--username", "cy", "--roles", "agent", "--password-stdin"}},
		{name: "empty stdin", stdin: "", wantCode: 2, mention: "stdin",
			args: []string{"user", "add", "--username", "cy", "--roles", "agent", "--password-stdin"}},
		{name: "taken username", args: []string{"user", "add", "--username", "bo", "--roles", "agent"},
			wantCode: 1, mention: "exists"},
		{name: "passwd of nobody", args: []string{"user", "passwd", "--username", "zz"}, wantCode: 2,
			mention: "user list"},
		{name: "token without name", args: []string{"token", "create", "--username", "bo"}, wantCode: 2,
			mention: "name"},
		{name: "token for nobody", args: []string{"token", "create", "--username", "zz", "--name", "x"},
			wantCode: 2, mention: "zz"},
		{name: "token without subcommand", args: []string{"token"}, wantCode: 2, mention: "create"},
		{name: "token expiring in the past", wantCode: 2, mention: "--expires-in-days",
			args: []string{"token", "create", "--username", "bo", "--name", "x", "--expires-in-days", "-1"}},
		{name: "token expiring too late", wantCode: 2, mention: "--expires-in-days",
			args: []string{"token", "create", "--username", "bo", "--name", "x", "--expires-in-days", "99999999999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args[:len(tt.args):len(tt.args)], "--data-dir", dir)
			code, _, errOut := runCmd(t, tt.stdin, args...)
			if code != tt.wantCode || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.mention) {
				t.Errorf("exit %d, stderr %q; want %d and one line naming %q", code, errOut, tt.wantCode, tt.mention)
			}
		})
	}
}

func TestEnsureAdminWelcome(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		existing bool
		want     string
		wantCode bool // want a usage error
	}{
		{name: "generated", want: "(shown this once"},
		{name: "from the environment", env: map[string]string{adminPasswordEnv: "chosen admin password"},
			want: adminPasswordEnv},
		{name: "accounts exist", existing: true, env: map[string]string{adminPasswordEnv: "chosen admin password"}},
		{name: "too short", env: map[string]string{adminPasswordEnv: "short"}, wantCode: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := openDataQA(t, t.TempDir())
			if tt.existing {
				if _, _, err := q.EnsureAdmin(t.Context(), ""); err != nil {
					t.Fatal(err)
				}
			}
			text, err := ensureAdmin(context.Background(), q, envOf(tt.env))
			var uerr usageError
			if isUsage := errors.As(err, &uerr); isUsage != tt.wantCode || !tt.wantCode && err != nil {
				t.Fatalf("ensureAdmin = %q, %v; want usage error %v", text, err, tt.wantCode)
			}
			if tt.want == "" && text != "" || !strings.Contains(text, tt.want) {
				t.Errorf("welcome = %q, want it to mention %q", text, tt.want)
			}
			if pw := tt.env[adminPasswordEnv]; pw != "" && strings.Contains(text+errString(err), pw) {
				t.Errorf("the admin password from the environment is printed: %q", text)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
