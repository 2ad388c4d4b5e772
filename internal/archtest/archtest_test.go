// Package archtest holds tests about the shape of the code base: every package
// says what it owns, and the layers import only what they may — directly or
// through any chain of imports.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// moduleRoot is the repository root, two levels up.
const moduleRoot = "../.."

// mod is the module path, with the slash that starts a package's path in it.
const mod = "github.com/gatehouse-iam/gatehouse/"

type pkg struct {
	dir  string
	name string
	doc  bool
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
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(moduleRoot, filepath.Dir(path))
		p := pkgs[dir]
		if p == nil {
			p = &pkg{dir: dir, name: f.Name.Name}
			pkgs[dir] = p
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.doc = true
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

// graph is the import graph of the module's (non-test) packages and of
// everything they reach — the standard library and other modules included —
// as the go command resolves it for this platform and build tags.
type graph struct {
	imports map[string][]string // direct imports, by import path
	std     map[string]bool     // standard-library packages (vendored ones included)
}

// loadGraph asks `go list -deps` for the graph, the way the build sees it:
// files excluded by build constraints (generators) do not count.
func loadGraph(t *testing.T) *graph {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", "-json=ImportPath,Standard,Imports", "./...")
	cmd.Dir = moduleRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, stderr.Bytes())
	}
	g := &graph{imports: map[string][]string{}, std: map[string]bool{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Standard   bool
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		g.imports[p.ImportPath] = p.Imports
		g.std[p.ImportPath] = p.Standard
	}
	return g
}

// short names a module package by its directory, other packages by their
// import path.
func short(path string) string {
	if p, ok := strings.CutPrefix(path, mod); ok {
		return p
	}
	return path
}

// inModule reports whether path is one of the module's packages.
func inModule(path string) bool { return strings.HasPrefix(path, mod) }

// rule is one layering rule: the packages it holds for may not reach a
// banned package through any chain of imports the walk follows.
type rule struct {
	// pkgs are the module directories the rule holds for.
	pkgs []string
	// banned reports whether start, the package the walk began at, may not
	// reach imp, imported by from.
	banned func(start, from, imp string) bool
	// moduleOnly walks through the module's own packages only: the rule is
	// about what the module's code imports, not about what the standard
	// library does inside (fmt opens os.Stdout, so every package reaches os).
	moduleOnly bool
	// why ends the failure message.
	why string
}

// exception is an import the layer rules do not walk through, with its
// reason. from and to name a module package by its directory (ending in
// "/": every package under it) or another package by its import path.
type exception struct{ from, to, why string }

// exceptions are the documented holes in the layering.
var exceptions = []exception{
	{
		from: "oidc", to: "net/http",
		why: "sts uses oidc's pure half (ID token parsing and verification, jwt.go and jwks.go, and the " +
			"sentinel errors it maps to AWS's); the outbound HTTP client (fetch.go, *oidc.Fetcher) reaches " +
			"STS only as the interface sts.WebIdentityKeys, which the server sets; moving fetch.go to a " +
			"package of its own would close this hole",
	},
	{from: "saml", to: "github.com/beevik/etree", why: samlWhy},
	{from: "saml", to: "github.com/russellhaering/goxmldsig", why: samlWhy},
	{from: "saml", to: "github.com/russellhaering/goxmldsig/etreeutils", why: samlWhy},
	{from: "saml", to: "github.com/crewjam/saml/xmlenc", why: samlWhy},
}

// samlWhy is the reason of the saml exceptions.
const samlWhy = "SAML's metadata documents and responses are XML documents IAM and STS take as parameters, not a wire " +
	"protocol: package saml alone reads them (goxmldsig verifies their signatures and crewjam/saml/xmlenc decrypts " +
	"encrypted assertions, both over etree) and hands the " +
	"services typed values (saml.Metadata, saml.Assertion); an interface the server sets, as for oidc's " +
	"fetcher, would close this hole"

func matchPath(pattern, path string) bool {
	if !inModule(path) {
		return pattern == path
	}
	dir := short(path)
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(dir, pattern)
	}
	return dir == pattern
}

// excepted reports whether the import from → to is an exception.
func excepted(from, to string) bool {
	for _, e := range exceptions {
		if matchPath(e.from, from) && matchPath(e.to, to) {
			return true
		}
	}
	return false
}

// check walks the graph breadth-first from each of the rule's packages and
// reports, for every banned package reached, the shortest chain of imports
// that reaches it.
func (g *graph) check(r rule) []string {
	var msgs []string
	for _, dir := range r.pkgs {
		start := mod + dir
		if _, ok := g.imports[start]; !ok {
			msgs = append(msgs, "package "+dir+" not found")
			continue
		}
		parent := map[string]string{start: ""}
		queue := []string{start}
		reported := map[string]bool{}
		for len(queue) > 0 {
			from := queue[0]
			queue = queue[1:]
			for _, imp := range g.imports[from] {
				if excepted(from, imp) {
					continue
				}
				if r.banned(start, from, imp) && !reported[imp] {
					reported[imp] = true
					chain := []string{short(imp)}
					for p := from; p != ""; p = parent[p] {
						chain = append(chain, short(p))
					}
					slices.Reverse(chain)
					msgs = append(msgs, dir+" reaches "+short(imp)+" ("+strings.Join(chain, " → ")+"): "+r.why)
				}
				if _, seen := parent[imp]; seen || (r.moduleOnly && !inModule(imp)) {
					continue
				}
				parent[imp] = from
				queue = append(queue, imp)
			}
		}
	}
	return msgs
}

// pure are the packages that import the standard library only and do no I/O.
var pure = []string{"wildcard", "arn", "ids", "protocol/constraint", "policy", "sigv4", "authref", "policy/validate", "policy/generate", "policy/check", "store", "identity", "session"}

// services are the packages that speak Go types, never HTTP, XML or SQL.
var services = []string{"iam", "sts", "organizations", "accessanalyzer", "s3", "workload", "cloudtrail"}

// apiTypes are the generated packages of the services' Go types; their wire
// codecs are the api/*codec packages beside them.
var apiTypes = []string{"api/iamapi", "api/stsapi", "api/orgapi", "api/cloudtrailapi", "api/analyzerapi", "api/s3api"}

// codecImporters are the packages that may import a generated codec
// package (api/*codec): the server side.
var codecImporters = []string{"server", "app"}

// TestLayers: the pure parts do no I/O and the services do not speak HTTP,
// whether they import the forbidden package themselves or through others.
func TestLayers(t *testing.T) {
	g := loadGraph(t)
	is := func(paths ...string) func(string, string, string) bool {
		return func(_, _, imp string) bool { return slices.Contains(paths, imp) }
	}
	rules := []rule{
		{
			pkgs: pure,
			banned: func(_, from, imp string) bool {
				// The standard library's own cgo (package net) is its business.
				return !g.std[imp] && !inModule(imp) && (imp != "C" || !g.std[from])
			},
			why: "pure packages use the standard library only",
		},
		{
			pkgs: pure,
			banned: func(start, _, imp string) bool {
				// sigv4 reads *http.Request values (a type, not I/O).
				return imp == "database/sql" || (imp == "net/http" && start != mod+"sigv4")
			},
			why: "pure packages do no I/O",
		},
		{
			pkgs: pure, moduleOnly: true, banned: is("os"),
			why: "pure packages do no I/O",
		},
		{
			pkgs:   services,
			banned: is("net/http", "encoding/xml", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5"),
			why:    "services speak Go types, not HTTP, XML or a driver",
		},
		{
			// Wire protocols are the server's codecs: services use the
			// generated api types and awserr, never a protocol runtime,
			// directly or through any package (api/*codec included).
			pkgs:   services,
			banned: func(_, _, imp string) bool { return strings.HasPrefix(imp, mod+"protocol/") },
			why:    "protocols belong to the server's codecs",
		},
		{
			// The generated types hold no codec: that is what lets the
			// services above use them.
			pkgs: apiTypes,
			banned: func(_, _, imp string) bool {
				return strings.HasPrefix(imp, mod+"protocol/") || imp == "net/http" || imp == "encoding/xml"
			},
			why: "api packages hold types; their codecs are the api/*codec packages",
		},
		{
			// The authorization assembly reads its sources through
			// interfaces; STS reaches Organizations only through it.
			pkgs: []string{"authz"},
			banned: func(_, _, imp string) bool {
				return imp == "net/http" || imp == "database/sql" ||
					imp == mod+"store" || strings.HasPrefix(imp, mod+"store/") || imp == mod+"organizations"
			},
			why: "authz assembles decisions from interfaces, with no I/O",
		},
		{
			pkgs: []string{"authz"}, moduleOnly: true, banned: is("os"),
			why: "authz assembles decisions from interfaces, with no I/O",
		},
		{
			pkgs:   []string{"decision"},
			banned: is("net/http"),
			why:    "the decision API's HTTP edge is server/decide.go",
		},
		{
			pkgs:   []string{"sts"},
			banned: is(mod + "organizations"),
			why:    "the organization's guardrails reach STS through authz",
		},
		{
			// app mounts the console on the server (server.UseConsole
			// takes an http.Handler), so the AWS request path never
			// depends on the console or its SDK clients.
			pkgs:   []string{"server"},
			banned: is(mod + "console"),
			why:    "the console is mounted by app, never imported by the server",
		},
	}
	for _, r := range rules {
		for _, msg := range g.check(r) {
			t.Error(msg)
		}
	}
	for _, msg := range g.onlyImportedBy(isCodec, codecImporters) {
		t.Error(msg + ": the wire codecs belong to the server side")
	}
	// An exception no import needs any more is a hole left open: remove it.
	for _, e := range exceptions {
		used := false
		for from, imps := range g.imports {
			for _, imp := range imps {
				used = used || (matchPath(e.from, from) && matchPath(e.to, imp))
			}
		}
		if !used {
			t.Errorf("exception %s → %s matches no import: remove it", e.from, e.to)
		}
	}
	if _, err := os.Stat(filepath.Join(moduleRoot, "go.mod")); err != nil {
		t.Fatal("module root not found")
	}
}

// isCodec reports whether path is a generated codec package (api/*codec).
func isCodec(path string) bool {
	dir, ok := strings.CutPrefix(path, mod+"api/")
	return ok && strings.HasSuffix(dir, "codec") && !strings.Contains(dir, "/")
}

// onlyImportedBy reports every module package, other than those of allowed
// (and those target matches), that imports a package target matches.
func (g *graph) onlyImportedBy(target func(string) bool, allowed []string) []string {
	var msgs []string
	for from, imps := range g.imports {
		if !inModule(from) || target(from) || slices.Contains(allowed, short(from)) {
			continue
		}
		for _, imp := range imps {
			if target(imp) {
				msgs = append(msgs, short(from)+" imports "+short(imp))
			}
		}
	}
	slices.Sort(msgs)
	return msgs
}

// TestCheckNamesTheChain: the walk follows imports past the first hop, names
// the shortest chain that breaks a rule, keeps out of the standard library
// when the rule says so, and does not walk through an exception.
func TestCheckNamesTheChain(t *testing.T) {
	g := &graph{
		imports: map[string][]string{
			mod + "svc":         {mod + "helper", "fmt"},
			mod + "helper":      {mod + "deeper", "net/http/httputil"},
			mod + "deeper":      {"net/http"},
			"net/http/httputil": {"net/http"},
			"net/http":          {"os"},
			"fmt":               {"os"},
			mod + "oidc":        {"net/http"},
		},
		std: map[string]bool{"fmt": true, "os": true, "net/http": true, "net/http/httputil": true},
	}
	banned := func(paths ...string) func(string, string, string) bool {
		return func(_, _, imp string) bool { return slices.Contains(paths, imp) }
	}
	got := g.check(rule{pkgs: []string{"svc"}, banned: banned("net/http"), why: "no HTTP"})
	want := []string{"svc reaches net/http (svc → helper → deeper → net/http): no HTTP"}
	if !slices.Equal(got, want) {
		t.Errorf("check = %q, want %q", got, want)
	}
	if got := g.check(rule{pkgs: []string{"svc"}, banned: banned("os"), moduleOnly: true, why: "no I/O"}); len(got) != 0 {
		t.Errorf("moduleOnly walked into the standard library: %q", got)
	}
	if got := g.check(rule{pkgs: []string{"svc"}, banned: banned("os"), why: "no I/O"}); len(got) != 1 ||
		got[0] != "svc reaches os (svc → fmt → os): no I/O" {
		t.Errorf("check through the standard library = %q", got)
	}
	g.imports[mod+"svc"] = append(g.imports[mod+"svc"], mod+"oidc")
	g.imports[mod+"helper"] = nil
	if got := g.check(rule{pkgs: []string{"svc"}, banned: banned("net/http"), why: "no HTTP"}); len(got) != 0 {
		t.Errorf("check walked through the exception oidc → net/http: %q", got)
	}
}

// TestOnlyImportedBy: a codec package imported outside the server side is
// reported, by importer; the server side and the codecs themselves are not.
func TestOnlyImportedBy(t *testing.T) {
	g := &graph{imports: map[string][]string{
		mod + "server":        {mod + "api/iamcodec"},
		mod + "iam":           {mod + "api/iamapi", mod + "api/iamcodec"},
		mod + "api/iamcodec":  {mod + "api/iamapi", mod + "protocol/query"},
		mod + "api/iamapi":    {"time"},
		mod + "api/stscodec":  {mod + "api/iamcodec"},
		mod + "console/inner": {mod + "api/s3codec"},
	}}
	got := g.onlyImportedBy(isCodec, codecImporters)
	want := []string{"console/inner imports api/s3codec", "iam imports api/iamcodec"}
	if !slices.Equal(got, want) {
		t.Errorf("onlyImportedBy = %q, want %q", got, want)
	}
}
