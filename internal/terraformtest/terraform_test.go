package terraformtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/saml/samltest"
)

// mirrorDirs are where a machine without network keeps providers: the
// directory holding registry.terraform.io/hashicorp/aws.
var mirrorDirs = []string{"/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins"}

// mirror returns the local mirror of the AWS provider ($GATEHOUSE_TF_MIRROR
// first), or "".
func mirror() string {
	dirs := mirrorDirs
	if d := os.Getenv("GATEHOUSE_TF_MIRROR"); d != "" {
		dirs = append([]string{d}, dirs...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".terraform.d", "plugins"))
	}
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, "registry.terraform.io", "hashicorp", "aws")); err == nil && fi.IsDir() {
			return d
		}
	}
	return ""
}

// configs are the configurations in testdata, each applied against a
// server of its own in a parallel subtest.
var configs = []struct {
	dir string
	// want are outputs the configuration must produce after apply.
	want map[string]any
}{
	{"users", map[string]any{
		"alice_keys":       1.0,
		"ops_users":        []any{"bob", "carol"},
		"bob_boundary":     "arn:aws:iam::" + testserver.AccountID + ":policy/boundary",
		"team_users":       []any{"alice"},
		"carol_simulation": map[string]any{"s3:GetObject": true, "iam:DeleteUser": false},
		"ro_policy":        "ReadOnlyAccess",
	}},
	{"roles", map[string]any{
		"role_arn":       "arn:aws:iam::" + testserver.AccountID + ":role/app",
		"ops_roles":      []any{"admin"},
		"profile_role":   "app",
		"profiles":       []any{"app"},
		"oidc_clients":   []any{"sts.amazonaws.com"},
		"saml_name":      "corp-idp",
		"cert_path":      "/cloudfront/",
		"alias":          "gatehouse-tf-test",
		"session_issuer": "arn:aws:iam::" + testserver.AccountID + ":role/ops/admin",
		"account":        testserver.AccountID,
	}},
	{"org", map[string]any{
		"accounts":           2.0,
		"root_ous":           []any{"workloads"},
		"prod_accounts":      []any{"reports"},
		"workload_accounts":  []any{"reports"},
		"all_ous":            []any{"prod", "workloads"},
		"scps":               2.0,
		"workload_scps":      2.0,
		"deny_leave_name":    "deny-leave",
		"reports_tags":       map[string]any{"app": "reports"},
		"analyzer_admins":    []any{"reports"},
		"delegated_services": []any{"access-analyzer.amazonaws.com"},
	}},
}

// TestTerraform applies each configuration in testdata with the
// hashicorp/aws provider, plans again expecting no changes, forgets and
// imports a resource of each kind expecting the import to change nothing,
// and destroys everything.
func TestTerraform(t *testing.T) {
	if testing.Short() {
		t.Skip("Terraform takes minutes; skipped with -short")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform binary on PATH: Terraform end to end not run")
	}
	mir := mirror()
	if mir == "" {
		t.Skip("no local mirror of registry.terraform.io/hashicorp/aws (set GATEHOUSE_TF_MIRROR): Terraform end to end not run")
	}
	base := t.TempDir()
	rc := filepath.Join(base, "cli.tfrc")
	cli := `provider_installation {
  filesystem_mirror {
    path    = "` + mir + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`
	if err := os.WriteFile(rc, []byte(cli), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, err := json.Marshal(testVars(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	tr := &runner{tf: tf, rc: rc, ctx: ctx}

	// Every configuration at once: subtests started from goroutines run
	// together whatever -parallel says; each t.Run returns before this
	// function does.
	var wg sync.WaitGroup
	defer wg.Wait()
	run := func(name string, f func(t *testing.T)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, f)
		}()
	}
	run("schema", func(t *testing.T) {
		dir := filepath.Join(base, "schema")
		copyConfig(t, dir, "", vars)
		tr.must(t, dir, "init", "-input=false", "-no-color")
		checkSchema(t, tr.must(t, dir, "providers", "schema", "-json"))
	})
	for _, c := range configs {
		run(c.dir, func(t *testing.T) {
			s := testserver.Start(t)
			dir := filepath.Join(base, c.dir)
			copyConfig(t, dir, c.dir, vars)
			v := []string{"-input=false", "-no-color", "-parallelism=20", "-var", "endpoint=" + s.URL}
			tr.must(t, dir, "init", "-input=false", "-no-color")
			tr.must(t, dir, append([]string{"apply", "-auto-approve"}, v...)...)

			// What Terraform made is what the data sources read back.
			st := state(t, dir)
			for k, want := range c.want {
				got, ok := st.Outputs[k]
				if !ok || !equalJSON(got.Value, want) {
					t.Errorf("output %s = %#v, want %#v", k, got.Value, want)
				}
			}

			// Every read matches what was written: a second plan changes
			// nothing (-detailed-exitcode: 0 no changes, 2 changes).
			if code, out := tr.run(t, dir, append([]string{"plan", "-detailed-exitcode"}, v...)...); code != 0 {
				t.Fatalf("second plan exited %d (2: it would change something):\n%s", code, tail(out, 80))
			}

			importAll(t, tr, dir, c.dir, st, v)

			tr.must(t, dir, append([]string{"destroy", "-auto-approve"}, v...)...)
			if n := state(t, dir).managed(); n != 0 {
				t.Errorf("%d resources left in the state after destroy", n)
			}
		})
	}
}

// importAll forgets the resources testdata/DIR/imports.tf.tmpl names and
// imports them again through import blocks: the apply must import each and
// change nothing (what a read of an imported resource finds is what the
// configuration says).
func importAll(t *testing.T, tr *runner, dir, name string, st tfState, v []string) {
	t.Helper()
	tmpl, err := template.New("imports.tf.tmpl").Funcs(template.FuncMap{
		"attr": st.attr,
	}).ParseFiles(filepath.Join("testdata", name, "imports.tf.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, nil); err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, m := range regexp.MustCompile(`(?m)^\s*to\s*=\s*(\S+)`).FindAllStringSubmatch(b.String(), -1) {
		addrs = append(addrs, m[1])
	}
	if len(addrs) == 0 {
		t.Fatalf("testdata/%s/imports.tf.tmpl imports nothing", name)
	}
	tr.must(t, dir, append([]string{"state", "rm", "-no-color"}, addrs...)...)
	if err := os.WriteFile(filepath.Join(dir, "imports.tf"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := tr.must(t, dir, append([]string{"apply", "-auto-approve"}, v...)...)
	want := fmt.Sprintf("Resources: %d imported, 0 added, 0 changed, 0 destroyed.", len(addrs))
	if !strings.Contains(out, want) {
		t.Fatalf("import apply did not say %q:\n%s", want, tail(out, 120))
	}
	t.Logf("imported %d resources", len(addrs))
}

// runner runs terraform with the mirror's CLI configuration and the test
// server's root credentials, nothing from the machine's AWS configuration.
type runner struct {
	tf, rc string
	ctx    context.Context
}

// run runs terraform in dir and returns its exit code and output.
func (r *runner) run(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.CommandContext(r.ctx, r.tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+r.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"), "AWS_ACCESS_KEY_ID="+testserver.RootKeyID,
		"AWS_SECRET_ACCESS_KEY="+testserver.RootSecretKey, "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("terraform %s: %s", args[0], time.Since(start).Round(time.Second))
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String()
	case err != nil:
		t.Fatalf("terraform %s: %v\n%s", args[0], err, out.String())
	}
	return 0, out.String()
}

// must runs terraform and fails the test unless it exits 0.
func (r *runner) must(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out := r.run(t, dir, args...)
	if code != 0 {
		t.Fatalf("terraform %s exited %d:\n%s", args[0], code, tail(out, 120))
	}
	return out
}

// copyConfig makes dir a configuration: the shared provider.tf, the files
// of testdata/name (none when name is ""), and the variables.
func copyConfig(t *testing.T, dir, name string, vars []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join("testdata", "provider.tf")}
	if name != "" {
		fs, err := filepath.Glob(filepath.Join("testdata", name, "*.tf"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), vars, 0o600); err != nil {
		t.Fatal(err)
	}
}

// testVars makes the configurations' variables: a self-signed certificate
// with its key, an SSH public key, and a SAML identity provider's metadata.
func testVars(t *testing.T) map[string]string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "www.example.com"},
		DNSNames: []string{"www.example.com"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// IAM takes RSA SSH keys only (API_UploadSSHPublicKey).
	sshPub, err := ssh.NewPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	idp, err := samltest.New("https://idp.example.com/metadata", now)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"cert_pem":       string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		"key_pem":        string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})),
		"ssh_public_key": strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))),
		"saml_metadata":  idp.Metadata(),
	}
}

// tfState is the part of the local state file (terraform.tfstate) the test
// reads: reading the file needs no provider, unlike `terraform show`.
type tfState struct {
	Outputs   map[string]struct{ Value any } `json:"outputs"`
	Resources []struct {
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// state reads the configuration's state file.
func state(t *testing.T, dir string) tfState {
	t.Helper()
	var st tfState
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("terraform.tfstate: %v", err)
	}
	return st
}

// attr is a string attribute of the managed resource at addr (TYPE.NAME).
func (st tfState) attr(addr, key string) (string, error) {
	for _, r := range st.Resources {
		if r.Mode == "managed" && r.Type+"."+r.Name == addr && len(r.Instances) == 1 {
			if s, ok := r.Instances[0].Attributes[key].(string); ok {
				return s, nil
			}
			return "", fmt.Errorf("%s has no string %s", addr, key)
		}
	}
	return "", fmt.Errorf("no %s in the state", addr)
}

// managed counts the managed resources in the state.
func (st tfState) managed() int {
	n := 0
	for _, r := range st.Resources {
		if r.Mode == "managed" {
			n += len(r.Instances)
		}
	}
	return n
}

// equalJSON compares two JSON-decoded values.
func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// checkSchema compares the installed provider's resources and data sources
// of the families with the lists committed in coverage.go.
func checkSchema(t *testing.T, out string) {
	t.Helper()
	var s struct {
		Providers map[string]struct {
			Resources   map[string]json.RawMessage `json:"resource_schemas"`
			DataSources map[string]json.RawMessage `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("providers schema -json: %v", err)
	}
	p, ok := s.Providers["registry.terraform.io/hashicorp/aws"]
	if !ok {
		t.Fatal("no hashicorp/aws in the provider schemas")
	}
	for _, c := range []struct {
		kind      string
		installed map[string]json.RawMessage
		listed    []string
	}{{"resources", p.Resources, providerResources}, {"data sources", p.DataSources, providerDataSources}} {
		var names []string
		for n := range c.installed {
			if inFamily(n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if !slices.Contains(c.listed, n) {
				t.Errorf("the provider has %s %s, which coverage.go does not list", c.kind, n)
			}
		}
		for _, n := range c.listed {
			if !slices.Contains(names, n) {
				t.Errorf("coverage.go lists %s %s, which the installed provider lacks", c.kind, n)
			}
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
