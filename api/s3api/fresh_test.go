package s3api_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/apigen/gen"
)

const modelPath = "../../reference/aws-api-models/s3/2006-03-01/service-2.json"

// TestGeneratedIsFresh re-runs the generator in memory and fails if
// zz_generated.go, or its codec package's, differs from its output.
func TestGeneratedIsFresh(t *testing.T) {
	err := gen.CheckFreshFiles("zz_generated.go", "../s3codec/zz_generated.go", func(ms []*gen.Model) (*gen.Files, error) {
		return gen.GenerateRESTXMLAPI(ms[0], "s3api", "s3codec")
	}, modelPath)
	// The models are committed (reference/): a missing one is a failure.
	if err != nil {
		t.Fatal(err)
	}
}
