package orgapi_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/apigen/gen"
)

const modelPath = "../../reference/aws-api-models/organizations/2016-11-28/service-2.json"

// TestGeneratedIsFresh re-runs the generator in memory and fails if
// zz_generated.go, or its codec package's, differs from its output.
func TestGeneratedIsFresh(t *testing.T) {
	err := gen.CheckFreshFiles("zz_generated.go", "../orgcodec/zz_generated.go", func(ms []*gen.Model) (*gen.Files, error) {
		return gen.GenerateJSONAPI(ms[0], "orgapi", "orgcodec")
	}, modelPath)
	// The models are committed (reference/): a missing one is a failure.
	if err != nil {
		t.Fatal(err)
	}
}
