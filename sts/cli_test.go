package sts_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// awsCLI is Debian's aws CLI v2 (awscli 2.9). Its assume-role credential
// provider creates its own STS client, which ignores --endpoint-url (and 2.9
// predates the endpoint_url setting), so the test serves the server over TLS
// and gives the CLI an HTTPS proxy that tunnels every CONNECT, whatever the
// host, to it; AWS_CA_BUNDLE trusts the test's certificate. Nothing leaves
// the machine: the proxy refuses anything but CONNECT and dials only the
// test server.
const awsCLI = "/usr/bin/aws"

// cliEnv is a test server reachable by the aws CLI.
type cliEnv struct {
	t       *testing.T
	url     string // https://127.0.0.1:port
	env     []string
	dir     string
	mu      sync.Mutex
	tunnels []string // CONNECT targets seen by the proxy
}

func startCLIEnv(t *testing.T, srv *testserver.Server) *cliEnv {
	t.Helper()
	dir := t.TempDir()
	certPEM, cert := testCert(t)
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.HTTP.Handler())
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	t.Cleanup(ts.Close)

	e := &cliEnv{t: t, url: ts.URL, dir: dir}
	target := ts.Listener.Addr().String()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusForbidden)
			return
		}
		e.mu.Lock()
		e.tunnels = append(e.tunnels, r.Host)
		e.mu.Unlock()
		up, err := net.Dial("tcp", target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { io.Copy(up, buf); up.(*net.TCPConn).CloseWrite() }()
		io.Copy(conn, up)
		conn.Close()
		up.Close()
	}))
	t.Cleanup(proxy.Close)

	home := filepath.Join(dir, "home") // the CLI caches role credentials under ~/.aws
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	e.env = []string{
		"PATH=/usr/bin:/bin", "HOME=" + home, "LC_ALL=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_CA_BUNDLE=" + caFile,
		"HTTPS_PROXY=" + proxy.URL, "NO_PROXY=127.0.0.1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
	}
	return e
}

// testCert returns a self-signed certificate for 127.0.0.1 and STS's
// endpoints, and its PEM (the CA bundle).
func testCert(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "gatehouse test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, cert
}

func (e *cliEnv) write(name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// run runs the CLI against the server with stdin, in a new session without a
// controlling terminal (so that its MFA prompt reads stdin), and returns its
// JSON output decoded.
func (e *cliEnv) run(stdin string, args ...string) map[string]any {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsCLI, append([]string{"--endpoint-url", e.url, "--output", "json", "--region", "us-east-1"}, args...)...)
	cmd.Env = e.env
	cmd.Dir = e.dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("aws %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		e.t.Fatalf("aws %s: output %q: %v", strings.Join(args, " "), stdout.String(), err)
	}
	return out
}

// TestAWSCLIProfiles: the aws CLI's role_arn + source_profile profile assumes
// the role transparently (and an mfa_serial one, reading the TOTP code it
// prompts for on stdin); get-session-token --serial-number --token-code
// issues MFA session credentials the CLI then signs with.
func TestAWSCLIProfiles(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(awsCLI); err != nil {
		t.Skipf("the aws CLI is not installed at %s", awsCLI)
	}
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "CliRole", trustAccount(acct, ""), doc(listUsers), 0)
	mfaRoleARN := newRole(t, root, "CliMFA", trustAccount(acct, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), doc(listUsers), 0)
	user := newUser(t, root, "cli", doc(
		`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":["`+roleARN+`","`+mfaRoleARN+`"]}`))
	dev, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("cli")})
	if err != nil {
		t.Fatal(err)
	}
	serial, seed := *dev.VirtualMFADevice.SerialNumber, string(dev.VirtualMFADevice.Base32StringSeed)
	now := time.Now()
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("cli"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp(t, seed, now.Add(-60*time.Second))), AuthenticationCode2: aws.String(totp(t, seed, now.Add(-30*time.Second)))}); err != nil {
		t.Fatal(err)
	}

	e := startCLIEnv(t, srv)
	e.write("credentials", "[base]\naws_access_key_id = "+user.id+"\naws_secret_access_key = "+user.secret+"\n")
	e.write("config", "[profile base]\nregion = us-east-1\n\n"+
		"[profile role]\nrole_arn = "+roleARN+"\nsource_profile = base\nregion = us-east-1\n\n"+
		"[profile mfa]\nrole_arn = "+mfaRoleARN+"\nsource_profile = base\nmfa_serial = "+serial+"\nregion = us-east-1\n")

	// role_arn + source_profile.
	id := e.run("", "sts", "get-caller-identity", "--profile", "role")
	if arn, _ := id["Arn"].(string); !strings.HasPrefix(arn, "arn:aws:sts::"+acct+":assumed-role/CliRole/") || id["Account"] != acct {
		t.Fatalf("role profile: caller %v", id)
	}
	if !e.tunneled("sts.") {
		t.Errorf("the CLI's AssumeRole did not go through the proxy: %v", e.tunnels)
	}
	// The role's credentials act as the role.
	users := e.run("", "iam", "list-users", "--profile", "role")
	if list, _ := users["Users"].([]any); len(list) != 1 {
		t.Errorf("list-users as the role: %v", users)
	}

	// mfa_serial: the CLI prompts for the code; the trust policy requires MFA.
	step1 := time.Now()
	id = e.run(totp(t, seed, step1)+"\n", "sts", "get-caller-identity", "--profile", "mfa")
	if arn, _ := id["Arn"].(string); !strings.HasPrefix(arn, "arn:aws:sts::"+acct+":assumed-role/CliMFA/") {
		t.Fatalf("mfa profile: caller %v", id)
	}

	// get-session-token with MFA, with the next code (each code is accepted once).
	code := totp(t, seed, step1.Add(30*time.Second))
	if time.Now().Unix()/30 > step1.Unix()/30+1 {
		code = totp(t, seed, time.Now())
	}
	tok := e.run("", "sts", "get-session-token", "--serial-number", serial, "--token-code", code, "--profile", "base")
	creds, _ := tok["Credentials"].(map[string]any)
	keyID, _ := creds["AccessKeyId"].(string)
	secret, _ := creds["SecretAccessKey"].(string)
	token, _ := creds["SessionToken"].(string)
	if !strings.HasPrefix(keyID, "ASIA") || secret == "" || token == "" {
		t.Fatalf("get-session-token: %v", tok)
	}
	e.write("credentials", "[base]\naws_access_key_id = "+user.id+"\naws_secret_access_key = "+user.secret+"\n\n"+
		"[sess]\naws_access_key_id = "+keyID+"\naws_secret_access_key = "+secret+"\naws_session_token = "+token+"\n")
	id = e.run("", "sts", "get-caller-identity", "--profile", "sess")
	if id["Arn"] != "arn:aws:iam::"+acct+":user/cli" {
		t.Fatalf("session credentials: caller %v", id)
	}
}

// tunneled reports whether the proxy saw a CONNECT to a host starting with
// prefix.
func (e *cliEnv) tunneled(prefix string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, h := range e.tunnels {
		if strings.HasPrefix(h, prefix) {
			return true
		}
	}
	return false
}
