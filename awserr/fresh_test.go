package awserr_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/apigen/gen"
)

// TestGeneratedIsFresh re-runs the generator in memory and fails if
// zz_codes.go differs from its output.
func TestGeneratedIsFresh(t *testing.T) {
	err := gen.CheckFresh("zz_codes.go", func(ms []*gen.Model) ([]byte, error) {
		return gen.GenerateErrors(ms, "awserr")
	},
		"../reference/aws-api-models/iam/2010-05-08/service-2.json",
		"../reference/aws-api-models/sts/2011-06-15/service-2.json")
	// The models are committed (reference/): a missing one is a failure.
	if err != nil {
		t.Fatal(err)
	}
}
