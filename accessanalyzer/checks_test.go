package accessanalyzer

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/policy/check"
)

// TestPublicAccessResourceTypes: every resource type of the model's
// AccessCheckResourceType enumeration is one policy/check knows.
func TestPublicAccessResourceTypes(t *testing.T) {
	d, err := check.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, check.ResourcePolicy)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range analyzerapi.AccessCheckResourceType("").Values() {
		r, err := check.CheckNoPublicAccess(d, string(rt))
		if err != nil {
			t.Errorf("%s: %v", rt, err)
			continue
		}
		if r.Result != check.Fail {
			t.Errorf("%s: Principal * with every action is %s", rt, r.Result)
		}
	}
}
