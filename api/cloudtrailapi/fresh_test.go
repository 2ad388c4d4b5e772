package cloudtrailapi_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/apigen/gen"
)

const modelPath = "../../reference/aws-api-models/cloudtrail/2013-11-01/service-2.json"

// TestGeneratedIsFresh re-runs the generator in memory and fails if
// zz_generated.go differs from its output.
func TestGeneratedIsFresh(t *testing.T) {
	err := gen.CheckFresh("zz_generated.go", func(ms []*gen.Model) ([]byte, error) {
		return gen.GenerateJSONAPI(ms[0], "cloudtrailapi")
	}, modelPath)
	// The models are committed (reference/): a missing one is a failure.
	if err != nil {
		t.Fatal(err)
	}
}
