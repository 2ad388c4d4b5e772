package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/sqlite"
	"github.com/gatehouse-iam/gatehouse/trail/trailtest"
)

func TestConformance(t *testing.T) {
	trailtest.Run(t, func(t *testing.T) trail.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), sqlite.FileName))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}
