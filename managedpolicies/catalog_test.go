package managedpolicies

import (
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

func TestCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 1000 {
		t.Fatalf("only %d policies", c.Len())
	}
	for _, name := range []string{"ReadOnlyAccess", "IAMReadOnlyAccess", "AmazonEC2FullAccess", "AmazonS3FullAccess", "AmazonRDSFullAccess", "AdministratorAccess"} {
		arn := "arn:aws:iam::aws:policy/" + name
		p, ok := c.Policy(arn)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if !strings.HasPrefix(p.ID, "ANPA") || len(p.ID) != 21 || p.DefaultVersionID == "" {
			t.Errorf("%s: %+v", name, p)
		}
		doc, _ := c.Document(arn)
		if _, err := policy.ParseAndCompile(arn, doc, policy.KindIdentity); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, ok := c.Policy("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("unknown policy found")
	}
}
