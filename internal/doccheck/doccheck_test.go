package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryPackageAndExportDocumented walks the module's non-test Go files
// and reports each package without a doc comment and each exported
// top-level identifier without one.
func TestEveryPackageAndExportDocumented(t *testing.T) {
	root := filepath.Join("..", "..")
	pkgDoc := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		skip := strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules"
		if d.IsDir() && path != root && skip {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		pkgDoc[dir] = pkgDoc[dir] || f.Doc != nil
		checkExports(t, path, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgDoc) < 10 {
		t.Fatalf("found %d packages; the walk is not reading the module", len(pkgDoc))
	}
	for dir, ok := range pkgDoc {
		if !ok {
			t.Errorf("package in %s has no doc comment", dir)
		}
	}
}

func checkExports(t *testing.T, path string, f *ast.File) {
	t.Helper()
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && exportedRecv(d) {
				t.Errorf("%s: %s has no doc comment", path, d.Name.Name)
			}
		case *ast.GenDecl:
			checkGenDecl(t, path, d)
		}
	}
}

// exportedRecv reports whether a method's receiver type is exported (a
// method of an unexported type is not part of the API).
func exportedRecv(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	typ := d.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

func checkGenDecl(t *testing.T, path string, d *ast.GenDecl) {
	t.Helper()
	for _, spec := range d.Specs {
		var names []*ast.Ident
		var doc *ast.CommentGroup
		switch s := spec.(type) {
		case *ast.TypeSpec:
			names, doc = []*ast.Ident{s.Name}, s.Doc
		case *ast.ValueSpec:
			names, doc = s.Names, s.Doc
		default:
			continue
		}
		if doc != nil || d.Doc != nil {
			continue
		}
		for _, n := range names {
			if n.IsExported() {
				t.Errorf("%s: %s has no doc comment", path, n.Name)
			}
		}
	}
}
