// Package client is the Go client of Gatehouse's workload API: the
// management calls, signed with SigV4 for the signing name "gatehouse" with
// the caller's AWS credentials (aws-sdk-go-v2's signer), and the credential
// endpoint's call, authenticated by a workload token. `gatehouse workload`
// and `gatehouse agent` use it.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse-iam/gatehouse/workload"
)

// maxResponse bounds the response bodies the client reads.
const maxResponse = 4 << 20

// Error is an error answered by the API.
type Error struct {
	// Status is the HTTP status; Code and Message the error document's.
	Status  int
	Code    string
	Message string
	// RoleArn is, when the role refused to be assumed for the workload,
	// the role's ARN.
	RoleArn string
}

// RoleARN returns the ARN of the role that refused, if any.
func (e *Error) RoleARN() string { return e.RoleArn }

// Error returns "Code: Message (HTTP status)".
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// ErrorCode returns the error's code.
func (e *Error) ErrorCode() string { return e.Code }

// Client calls the workload API of one Gatehouse.
type Client struct {
	// Endpoint is the Gatehouse's base URL, e.g. https://gatehouse:8080.
	Endpoint string
	// Credentials sign the management calls.
	Credentials aws.CredentialsProvider
	// Region is the signing region (default us-east-1).
	Region string
	// HTTP is the HTTP client (default http.DefaultClient).
	HTTP *http.Client
	// Now is the signing clock (default time.Now).
	Now func() time.Time
}

// Create creates a workload bound to an instance profile; the output holds
// the workload token, shown once.
func (c *Client) Create(ctx context.Context, name, instanceProfile string) (*workload.WorkloadOutput, error) {
	var out workload.WorkloadOutput
	return &out, c.call(ctx, "POST", workload.WorkloadsPath, workload.CreateWorkloadInput{Name: name, InstanceProfileName: instanceProfile}, &out)
}

// List lists the workloads of the caller's account.
func (c *Client) List(ctx context.Context) ([]workload.Workload, error) {
	var out workload.ListWorkloadsOutput
	err := c.call(ctx, "GET", workload.WorkloadsPath, nil, &out)
	return out.Workloads, err
}

// Get describes a workload.
func (c *Client) Get(ctx context.Context, id string) (*workload.WorkloadOutput, error) {
	var out workload.WorkloadOutput
	return &out, c.call(ctx, "GET", workload.WorkloadsPath+"/"+id, nil, &out)
}

// ReplaceInstanceProfile binds a workload to another instance profile.
func (c *Client) ReplaceInstanceProfile(ctx context.Context, id, instanceProfile string) (*workload.WorkloadOutput, error) {
	var out workload.WorkloadOutput
	return &out, c.call(ctx, "PUT", workload.WorkloadsPath+"/"+id+"/instance-profile", workload.ReplaceInstanceProfileInput{InstanceProfileName: instanceProfile}, &out)
}

// RotateToken issues a new workload token; the old one stops working.
func (c *Client) RotateToken(ctx context.Context, id string) (*workload.WorkloadOutput, error) {
	var out workload.WorkloadOutput
	return &out, c.call(ctx, "POST", workload.WorkloadsPath+"/"+id+"/token", nil, &out)
}

// Delete deletes a workload.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", workload.WorkloadsPath+"/"+id, nil, nil)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// call signs and sends one management call.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Credentials == nil {
		return fmt.Errorf("workload client: no AWS credentials to sign with")
	}
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("workload client: AWS credentials: %w", err)
	}
	region, now := c.Region, time.Now
	if region == "" {
		region = "us-east-1"
	}
	if c.Now != nil {
		now = c.Now
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), workload.SigningName, region, now()); err != nil {
		return fmt.Errorf("workload client: signing: %w", err)
	}
	return c.do(req, out)
}

// do sends req and decodes a JSON answer into out, or the error document.
func (c *Client) do(req *http.Request, out any) error {
	return do(c.httpClient(), req, out)
}

func do(hc *http.Client, req *http.Request, out any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode}
		var doc struct{ Code, Message, RoleArn string }
		if json.Unmarshal(b, &doc) == nil && doc.Code != "" {
			e.Code, e.Message, e.RoleArn = doc.Code, doc.Message, doc.RoleArn
		} else {
			e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(b))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("workload client: decoding the answer: %w", err)
	}
	return nil
}

// FetchCredentials obtains the role credentials of the workload whose token
// is given, from the credential endpoint of the Gatehouse at endpoint.
func FetchCredentials(ctx context.Context, hc *http.Client, endpoint, token string) (*workload.Credentials, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(endpoint, "/")+workload.CredentialsPath, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", token)
	var out workload.Credentials
	if err := do(hc, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
