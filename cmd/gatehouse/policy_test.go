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

// TestCheckCLI: gatehouse policy check prints the result as JSON and exits 0
// on PASS, 1 on FAIL and 2 on bad input.
func TestCheckCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	narrow := write("narrow.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	wide := write("wide.json", `{"Version":"2012-10-17","Statement":[{"Sid":"Wide","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}`)
	public := write("public.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	bad := write("bad.json", `{"Statement":`)

	var res struct {
		Result  string `json:"result"`
		Message string `json:"message"`
		Reasons []struct {
			Description string `json:"description"`
			StatementID string `json:"statementId"`
		} `json:"reasons"`
	}
	out, code := runCLI(t, "", "policy", "check", "no-new-access", "--new", narrow, "--existing", wide)
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Result != "PASS" {
		t.Fatalf("narrower: code %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "policy", "check", "no-new-access", "--new", wide, "--existing", narrow)
	if code != 1 || json.Unmarshal([]byte(out), &res) != nil || res.Result != "FAIL" || len(res.Reasons) != 1 || res.Reasons[0].StatementID != "Wide" {
		t.Fatalf("wider: code %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "policy", "check", "access-not-granted", "--policy", wide, "--actions", "s3:GetObjectAcl")
	if code != 1 || !strings.Contains(out, `"FAIL"`) {
		t.Fatalf("access granted: code %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "policy", "check", "access-not-granted", "--policy", narrow, "--actions", "s3:PutObject", "--resources", "arn:aws:s3:::b/*")
	if code != 0 || !strings.Contains(out, `"PASS"`) {
		t.Fatalf("access not granted: code %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "policy", "check", "no-public-access", "--policy", public, "--resource-type", "AWS::S3::Bucket")
	if code != 1 || !strings.Contains(out, "Public access granted in the following statement with index: 0.") {
		t.Fatalf("public: code %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"no-new-access", "--new", bad, "--existing", narrow},
		{"no-new-access", "--new", narrow, "--existing", filepath.Join(dir, "missing.json")},
		{"no-new-access", "--new", narrow, "--existing", narrow, "--policy-type", "GROUP"},
		{"no-public-access", "--policy", public, "--resource-type", "AWS::EC2::Instance"},
		{"access-not-granted", "--policy", narrow},
	} {
		if out, code := runCLI(t, "", append([]string{"policy", "check"}, args...)...); code != 2 {
			t.Errorf("%v: code %d, want 2\n%s", args, code, out)
		}
	}
}
