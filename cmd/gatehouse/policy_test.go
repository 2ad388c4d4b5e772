package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), code
}

const simInput = `{"request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},
"identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}]}`

func TestSimulateCLI(t *testing.T) {
	out, code := runCLI(t, simInput, "policy", "simulate")
	var res struct {
		Decision    string         `json:"decision"`
		Explanation map[string]any `json:"explanation"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Decision != "allowed" || res.Explanation == nil {
		t.Fatalf("simulate: code %d, %s", code, out)
	}
	// A malformed input prints an error object and exits 2.
	out, code = runCLI(t, `{"request":{}}`, "policy", "simulate")
	if code != 2 || !strings.Contains(out, `"error"`) || !strings.Contains(out, `"code"`) {
		t.Fatalf("malformed: code %d, %s", code, out)
	}
	// --jsonl: one result per line, in order; a bad line yields its error and the rest go on.
	lines := strings.ReplaceAll(simInput, "\n", "") + "\nnot json\n" + strings.Replace(strings.ReplaceAll(simInput, "\n", ""), "s3:Get*", "s3:Put*", 1) + "\n"
	out, code = runCLI(t, lines, "policy", "simulate", "--jsonl")
	got := strings.Split(strings.TrimSpace(out), "\n")
	if len(got) != 3 || !strings.Contains(got[0], `"allowed"`) || !strings.Contains(got[1], `"error"`) || !strings.Contains(got[2], `"implicitDeny"`) {
		t.Fatalf("jsonl: code %d\n%s", code, out)
	}
	// explain prints a trace.
	out, code = runCLI(t, simInput, "policy", "explain")
	if code != 0 || !strings.Contains(out, "Decision: allowed") || !strings.Contains(out, "Matched statements:") {
		t.Fatalf("explain: code %d, %s", code, out)
	}
}

func TestValidateCLI(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	good := filepath.Join(dir, "good.json")
	os.WriteFile(bad, []byte(`{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","s3:GetObjekt"],"Resource":"*"}]}`), 0o600)
	os.WriteFile(good, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::my-bucket/*"}]}`), 0o600)
	out, code := runCLI(t, "", "policy", "validate", bad)
	if code != 1 || !strings.Contains(out, "INVALID_ACTION") || !strings.Contains(out, "PASS_ROLE_WITH_STAR_IN_RESOURCE") || !strings.Contains(out, "MISSING_VERSION") {
		t.Fatalf("bad policy: code %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "policy", "validate", "--json", good)
	if code != 0 || !strings.Contains(out, `"findings":[]`) {
		t.Fatalf("good policy: code %d\n%s", code, out)
	}
	if _, code = runCLI(t, "", "policy", "validate", "--kind", "nonsense", good); code == 0 {
		t.Fatal("unknown --kind accepted")
	}
}
