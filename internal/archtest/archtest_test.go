// Package archtest holds tests about the shape of the code base: every package
// says what it owns, and the layers import only what they may.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// moduleRoot is the repository root, two levels up.
const moduleRoot = "../.."

type pkg struct {
	dir     string
	name    string
	doc     bool
	imports map[string]bool
}

func loadPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	pkgs := map[string]*pkg{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != moduleRoot && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bench") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(moduleRoot, filepath.Dir(path))
		p := pkgs[dir]
		if p == nil {
			p = &pkg{dir: dir, name: f.Name.Name, imports: map[string]bool{}}
			pkgs[dir] = p
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.doc = true
		}
		for _, imp := range f.Imports {
			s, _ := strconv.Unquote(imp.Path.Value)
			p.imports[s] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestPackageDocs: every package has a doc comment saying what it owns.
func TestPackageDocs(t *testing.T) {
	for dir, p := range loadPackages(t) {
		if !p.doc {
			t.Errorf("package %s (%s) has no package doc comment", p.name, dir)
		}
	}
}

// TestLayers: the pure parts do no I/O and the services do not speak HTTP.
func TestLayers(t *testing.T) {
	pkgs := loadPackages(t)
	const mod = "github.com/gatehouse-iam/gatehouse/"
	pure := []string{"wildcard", "arn", "policy", "sigv4", "authref", "policy/validate", "store", "identity", "session"}
	for _, dir := range pure {
		p := pkgs[dir]
		if p == nil {
			t.Errorf("package %s not found", dir)
			continue
		}
		for imp := range p.imports {
			if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !strings.HasPrefix(imp, mod) {
				t.Errorf("%s imports %s: pure packages use the standard library only", dir, imp)
			}
			// sigv4 reads *http.Request values (a type, not I/O).
			if imp == "os" || imp == "database/sql" || (imp == "net/http" && dir != "sigv4") {
				t.Errorf("%s imports %s: pure packages do no I/O", dir, imp)
			}
		}
	}
	for _, dir := range []string{"iam", "sts", "organizations", "accessanalyzer", "s3", "workload"} {
		p := pkgs[dir]
		if p == nil {
			continue
		}
		for _, banned := range []string{"net/http", "encoding/xml", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5"} {
			if p.imports[banned] {
				t.Errorf("service %s imports %s: services speak Go types, not HTTP, XML or a driver", dir, banned)
			}
		}
		// Wire protocols are the server's codecs: services use the generated
		// api types and awserr, never a protocol runtime.
		for imp := range p.imports {
			if strings.HasPrefix(imp, mod+"protocol/") {
				t.Errorf("service %s imports %s: protocols belong to the server's codecs", dir, imp)
			}
		}
	}
	// The authorization assembly reads its sources through interfaces and
	// does no I/O; STS reaches Organizations only through it.
	if p := pkgs["authz"]; p != nil {
		for imp := range p.imports {
			if imp == "net/http" || imp == "os" || imp == "database/sql" || strings.HasPrefix(imp, mod+"store") || strings.HasPrefix(imp, mod+"organizations") {
				t.Errorf("authz imports %s: it assembles decisions from interfaces, with no I/O", imp)
			}
		}
	}
	// The decision API's logic speaks Go types; its HTTP edge is the server's.
	if p := pkgs["decision"]; p != nil && p.imports["net/http"] {
		t.Error("decision imports net/http: the decision API's HTTP edge is server/decide.go")
	}
	if p := pkgs["sts"]; p != nil && p.imports[mod+"organizations"] {
		t.Error("sts imports organizations: the organization's guardrails reach STS through authz")
	}
	if _, err := os.Stat(filepath.Join(moduleRoot, "go.mod")); err != nil {
		t.Fatal("module root not found")
	}
}
