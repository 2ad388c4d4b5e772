package access

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure: s3/access and s3/acl do no I/O and do not speak HTTP; they import
// the standard library and Gatehouse's pure packages (plus awserr and authz
// types) only.
func TestPure(t *testing.T) {
	for _, dir := range []string{".", "../acl"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				switch {
				case p == "net/http" || p == "os" || p == "database/sql" || p == "encoding/xml":
					t.Errorf("%s imports %s", f, p)
				case strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !strings.HasPrefix(p, "github.com/gatehouse-iam/gatehouse/"):
					t.Errorf("%s imports %s: standard library and Gatehouse only", f, p)
				case strings.HasPrefix(p, "github.com/gatehouse-iam/gatehouse/store") || strings.HasPrefix(p, "github.com/gatehouse-iam/gatehouse/server"):
					t.Errorf("%s imports %s", f, p)
				}
			}
		}
	}
}
