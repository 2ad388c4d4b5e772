package store

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsStandardLibraryOnly keeps the store interface free of drivers
// and other dependencies, so that services importing it import no driver.
func TestImportsStandardLibraryOnly(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatalf("inspect package: %v", err)
	}
	for _, imp := range pkg.Imports {
		first, _, _ := strings.Cut(imp, "/")
		if strings.Contains(first, ".") {
			t.Errorf("package store imports %s; it must use the standard library only", imp)
		}
	}
}
