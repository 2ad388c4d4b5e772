package terraformtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// families are the name prefixes issue 15 asks Terraform to prove.
var families = []string{"aws_iam_", "aws_organizations_", "aws_accessanalyzer_"}

// blockRE finds the resource and data blocks of a configuration.
var blockRE = regexp.MustCompile(`(?m)^(resource|data)\s+"([a-z0-9_]+)"\s+"`)

// used returns the resources and data sources ("data.NAME") of the
// families that the configurations in testdata use.
func used(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no configurations in testdata: %v", err)
	}
	u := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range blockRE.FindAllStringSubmatch(string(b), -1) {
			name := m[2]
			if m[1] == "data" {
				name = "data." + name
			}
			u[name] = true
		}
	}
	return u
}

// inFamily reports whether a resource or data source name is one of the
// families.
func inFamily(name string) bool {
	name = strings.TrimPrefix(name, "data.")
	for _, f := range families {
		if strings.HasPrefix(name, f) {
			return true
		}
	}
	return false
}

// TestCoverage checks that the configurations use every resource and data
// source of the families the provider has, except those listed as not
// coverable with a reason, and nothing the lists lack.
func TestCoverage(t *testing.T) {
	u := used(t)
	var all []string
	all = append(all, providerResources...)
	for _, d := range providerDataSources {
		all = append(all, "data."+d)
	}
	for _, n := range all {
		reason, excluded := notCoverable[n]
		switch {
		case excluded && reason == "":
			t.Errorf("%s is listed as not coverable without a reason", n)
		case excluded && u[n]:
			t.Errorf("%s is listed as not coverable but a configuration uses it: remove it from notCoverable", n)
		case !excluded && !u[n]:
			t.Errorf("no configuration in testdata uses %s (use it, or list it in notCoverable with the reason)", n)
		}
	}
	for n := range notCoverable {
		if !slices.Contains(all, n) {
			t.Errorf("notCoverable lists %s, which the provider lists lack", n)
		}
	}
	for n := range u {
		if inFamily(n) && !slices.Contains(all, n) {
			t.Errorf("testdata uses %s, which the provider lists lack", n)
		}
	}
	t.Logf("%d resources and data sources, %d used, %d not coverable", len(all), len(all)-len(notCoverable), len(notCoverable))
}
