package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse-iam/gatehouse/decision"
	"github.com/gatehouse-iam/gatehouse/decision/client"
)

// TestReviewForwardedProbeWithoutPermission: a caller without
// gatehouse:Authorize learns nothing from the API (docs/decision-api.md:
// "the permission is checked first"). But a forwarded request is verified
// before the caller's permission is checked, and the refusal names the
// SigV4 error: any authenticated principal can tell an existing access key
// id (SignatureDoesNotMatch) from an unknown one (InvalidClientTokenId),
// and can check whether any signed request it holds is valid.
func TestReviewForwardedProbeWithoutPermission(t *testing.T) {
	e := newEnv(t)
	nobody, _ := newUser(t, e.ts, "nobody", "")
	c := client.New(e.ts.URL, creds(nobody.AccessKeyID, nobody.SecretAccessKey, ""))
	ctx := context.Background()
	ask := func(akid string) string {
		f := forward(t, aws.Credentials{AccessKeyID: akid, SecretAccessKey: "not-the-secret"}, "myservice", "POST", "https://myservice.example/things", []byte(`{}`))
		_, err := c.Authorize(ctx, decision.Request{Forwarded: f, Action: "myservice:Get", Resource: thing + "a"})
		var ce *client.Error
		if !errors.As(err, &ce) {
			t.Fatalf("Authorize: %v", err)
		}
		return ce.Type + "/" + ce.Reason
	}
	existing, unknown := ask(e.alice.AccessKeyID), ask("AKIAEXAMPLEUNKNOWN01")
	if existing != unknown {
		t.Errorf("a caller without gatehouse:Authorize tells keys apart: alice's key %s, an unknown key %s", existing, unknown)
	}
}
