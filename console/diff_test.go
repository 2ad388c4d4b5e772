package console

import (
	"testing"
)

// TestGranted: Allow statements' actions with wildcards expanded by the
// Service Authorization Reference, less unconditional denies on "*".
func TestGranted(t *testing.T) {
	g, ok := granted(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:Get*","iam:ListUsers"],"Resource":"*"},
		{"Effect":"Deny","Action":"s3:GetObjectAcl","Resource":"*"},
		{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	if !ok {
		t.Fatal("not a policy")
	}
	for a, want := range map[string]bool{"s3:GetObject": true, "s3:GetBucketPolicy": true, "s3:GetObjectAcl": false, "iam:ListUsers": true, "s3:PutObject": false} {
		if g[a] != want {
			t.Errorf("%s granted = %v, want %v", a, g[a], want)
		}
	}
	if g, ok := granted(`{"Statement":{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}}`); !ok || len(g) != 1 {
		t.Errorf("a single statement object = %v %v", g, ok)
	}
	if _, ok := granted(`{"Statement":`); ok {
		t.Error("broken JSON compared")
	}
}
