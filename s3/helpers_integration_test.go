package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// wantErr checks that err is the AWS error code with the HTTP status
// (0: any) and returns it.
func wantErr(t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	if err == nil {
		t.Errorf("got success, want %s (%d)", code, status)
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || (code != "" && ae.ErrorCode() != code) {
		t.Errorf("got %v, want %s", err, code)
	}
	if status != 0 {
		if got := httpStatus(err); got != status {
			t.Errorf("status %d, want %d (%v)", got, status, err)
		}
	}
	return ae
}

// httpStatus is the status of the response an SDK error came from.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// ok returns a function that fails the test on a call's error:
// ok(t)(c.PutObject(...)).
func ok(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// key is a user's long-term access key.
type key struct{ id, secret string }

// newUser creates a management-account user with an inline policy ("" for
// none) and an access key.
func newUser(t *testing.T, srv *testserver.Server, name, policy string) key {
	t.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	ok(t)(root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}))
	if policy != "" {
		ok(t)(root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return key{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)}
}

func (k key) s3(srv *testserver.Server, optFns ...func(*awss3.Options)) *awss3.Client {
	return srv.S3Client(k.id, k.secret, "", optFns...)
}

func mkBucket(t *testing.T, c *awss3.Client, name string) {
	t.Helper()
	ok(t)(c.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)}))
}

func put(t *testing.T, c *awss3.Client, bucket, k, body string) {
	t.Helper()
	ok(t)(c.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(body)}))
}

// get returns an object's body, or the error.
func get(c *awss3.Client, bucket, k string) (string, error) {
	out, err := c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func putPolicy(t *testing.T, c *awss3.Client, bucket, doc string) {
	t.Helper()
	ok(t)(c.PutBucketPolicy(context.Background(), &awss3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}))
}

// recorder is an HTTP client that keeps the requests' headers and the
// responses' statuses and headers, for what the SDK hides.
type recorder struct {
	mu   sync.Mutex
	base http.RoundTripper
	reqs []http.Header
	resp []*http.Response
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Header.Clone())
	r.mu.Unlock()
	base := r.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if resp != nil {
		r.mu.Lock()
		r.resp = append(r.resp, &http.Response{StatusCode: resp.StatusCode, Header: resp.Header.Clone()})
		r.mu.Unlock()
	}
	return resp, err
}

func (r *recorder) client() *http.Client { return &http.Client{Transport: r} }

func (r *recorder) last() *http.Response {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.resp) == 0 {
		return &http.Response{}
	}
	return r.resp[len(r.resp)-1]
}

// signed sends a request signed with SigV4 by the SDK's signer, for checks
// of the wire (error documents, HEAD bodies).
func signed(t *testing.T, srv *testserver.Server, k key, method, path string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret}, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// errorDoc is S3's error document
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses).
type errorDoc struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string
	Message    string
	RequestID  string `xml:"RequestId"`
	HostID     string `xml:"HostId"`
	Key        string
	BucketName string
	Resource   string
}

func parseErrorDoc(t *testing.T, b []byte) errorDoc {
	t.Helper()
	var d errorDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("error document %q: %v", b, err)
	}
	return d
}

// checkErrorDoc checks the shape S3 gives every error document: Code,
// Message, RequestId (the x-amz-request-id header) and HostId (the
// x-amz-id-2 header).
func checkErrorDoc(t *testing.T, resp *http.Response, b []byte, status int, code string) errorDoc {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	d := parseErrorDoc(t, b)
	if d.Code != code || d.Message == "" {
		t.Errorf("error %+v, want code %s with a message", d, code)
	}
	if rid := resp.Header.Get("X-Amz-Request-Id"); rid == "" || d.RequestID != rid {
		t.Errorf("RequestId %q, x-amz-request-id %q", d.RequestID, rid)
	}
	if hid := resp.Header.Get("X-Amz-Id-2"); hid == "" || d.HostID != hid {
		t.Errorf("HostId %q, x-amz-id-2 %q", d.HostID, hid)
	}
	return d
}

func asAPIError(err error) smithy.APIError {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}
