package disk

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/backendtest"
)

func open(t testing.TB, dir string) *Backend {
	t.Helper()
	b, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) objectstore.Backend {
		return open(t, t.TempDir())
	})
}
