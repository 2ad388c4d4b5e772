package terraformtest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
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

// TestTerraform applies testdata/*.tf with the hashicorp/aws provider,
// plans again expecting no changes, and destroys everything.
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
	s := testserver.Start(t)
	dir := t.TempDir()
	for _, f := range []string{"iam.tf", "org.tf"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rc := filepath.Join(dir, "cli.tfrc")
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
	ctx, cancel := context.WithTimeout(t.Context(), 12*time.Minute)
	defer cancel()
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"), "AWS_ACCESS_KEY_ID="+testserver.RootKeyID,
		"AWS_SECRET_ACCESS_KEY="+testserver.RootSecretKey, "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	run := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode(), out.String()
		case err != nil:
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out.String())
		}
		return 0, out.String()
	}
	must := func(args ...string) string {
		t.Helper()
		code, out := run(args...)
		if code != 0 {
			t.Fatalf("terraform %s exited %d:\n%s", args[0], code, tail(out, 80))
		}
		return out
	}
	vars := []string{"-input=false", "-no-color", "-var", "endpoint=" + s.URL}
	must("init", "-input=false", "-no-color")
	must(append([]string{"apply", "-auto-approve", "-parallelism=20"}, vars...)...)

	// What Terraform made is what the API shows.
	iam := s.RootIAM()
	groups, err := iam.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("alice")})
	if err != nil || len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].Path) != "/teams/" {
		t.Fatalf("alice's groups: %+v %v", groups, err)
	}
	u, err := iam.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("bob")})
	if err != nil || u.User.PermissionsBoundary == nil || !strings.HasSuffix(aws.ToString(u.User.PermissionsBoundary.PermissionsBoundaryArn), ":policy/boundary") {
		t.Fatalf("bob: %+v %v", u, err)
	}

	// Every read matches what was written: a second plan changes nothing
	// (-detailed-exitcode: 0 no changes, 2 changes).
	if code, out := run(append([]string{"plan", "-detailed-exitcode", "-parallelism=20"}, vars...)...); code != 0 {
		t.Fatalf("second plan exited %d (2: it would change something):\n%s", code, tail(out, 80))
	}

	must(append([]string{"destroy", "-auto-approve", "-parallelism=20"}, vars...)...)
	users, err := iam.ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil || len(users.Users) != 0 {
		t.Fatalf("users left after destroy: %+v %v", users, err)
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
