// Package doccheck holds the test that keeps Earshot's documentation
// honest: every package has a doc comment, and so does every exported
// identifier outside tests. It has no code of its own.
package doccheck
