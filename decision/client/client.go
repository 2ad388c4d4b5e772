// Package client is the Go client of Gatehouse's decision API
// (POST /v1/authorize, docs/decision-api.md): it signs each call with
// aws-sdk-go-v2's SigV4 signer for the signing name "gatehouse" and returns
// the decision, or the API's error as an *Error.
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
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse-iam/gatehouse/decision"
)

// Service is the signing name of the decision API.
const Service = "gatehouse"

// maxResponse bounds a response body the client reads.
const maxResponse = 1 << 20

// Client calls one Gatehouse's decision API. It is safe for concurrent use.
type Client struct {
	url    string
	creds  aws.CredentialsProvider
	signer *v4.Signer
	// Region is the region of the credential scope (any region is
	// accepted); "us-east-1" by default.
	Region string
	// HTTPClient sends the requests; http.DefaultClient by default.
	HTTPClient *http.Client
	// Now is the signing clock; time.Now by default.
	Now func() time.Time
}

// New returns a client of the Gatehouse at endpoint (such as
// "https://gatehouse.example:8443") whose calls credentials sign.
func New(endpoint string, credentials aws.CredentialsProvider) *Client {
	if _, ok := credentials.(*aws.CredentialsCache); !ok && credentials != nil {
		credentials = aws.NewCredentialsCache(credentials)
	}
	return &Client{url: strings.TrimRight(endpoint, "/") + "/v1/authorize", creds: credentials, signer: v4.NewSigner(),
		Region: "us-east-1", HTTPClient: http.DefaultClient, Now: time.Now}
}

// Error is an error the decision API answered.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Type is the exception's name (__type), e.g. AccessDeniedException.
	Type string
	// Message is the API's message.
	Message string
	// Reason is, for ForwardedRequestNotAuthenticatedException, the SigV4
	// error code of the forwarded request.
	Reason string
	// RequestID is the request's id (X-Amzn-RequestId).
	RequestID string
}

// Error returns "Type: Message".
func (e *Error) Error() string {
	return fmt.Sprintf("gatehouse: %s (HTTP %d): %s", e.Type, e.Status, e.Message)
}

// Authorize asks for the decision of req. An answered error is an *Error.
func (c *Client) Authorize(ctx context.Context, req decision.Request) (decision.Response, error) {
	var out decision.Response
	body, err := json.Marshal(req)
	if err != nil {
		return out, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	hr.Header.Set("Content-Type", "application/json")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return out, fmt.Errorf("gatehouse: credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, hr, hex.EncodeToString(sum[:]), Service, c.Region, c.Now()); err != nil {
		return out, fmt.Errorf("gatehouse: signing: %w", err)
	}
	resp, err := c.HTTPClient.Do(hr)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return out, err
	}
	if resp.StatusCode != http.StatusOK {
		var doc struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Reason  string `json:"reason"`
		}
		_ = json.Unmarshal(b, &doc)
		if doc.Type == "" {
			doc.Type = resp.Header.Get("X-Amzn-ErrorType")
		}
		return out, &Error{Status: resp.StatusCode, Type: doc.Type, Message: doc.Message, Reason: doc.Reason,
			RequestID: resp.Header.Get("X-Amzn-RequestId")}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("gatehouse: decoding the decision: %w", err)
	}
	return out, nil
}

// Forwarded returns the request r, which a service received, as the
// decision API takes it for ActionAuthorize: its method, its path as sent
// (from RequestURI, else the URL's escaped path), its raw query, its
// headers with Host and — Go's server keeps them apart from Header —
// Content-Length, and payloadSHA256, the lower-case hex SHA-256 of the body
// the service read (or "UNSIGNED-PAYLOAD" where the signature declares it).
func Forwarded(r *http.Request, payloadSHA256 string) *decision.SignedRequest {
	path := r.URL.EscapedPath()
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		path, _, _ = strings.Cut(u, "?")
	}
	h := make(map[string][]string, len(r.Header)+2)
	for k, vs := range r.Header {
		h[k] = vs
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	h["Host"] = []string{host}
	if _, ok := r.Header["Content-Length"]; !ok && r.ContentLength > 0 {
		h["Content-Length"] = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	return &decision.SignedRequest{Method: r.Method, Path: path, Query: r.URL.RawQuery, Headers: h, PayloadSHA256: payloadSHA256}
}

// PayloadSHA256 returns the lower-case hex SHA-256 of body, for Forwarded.
func PayloadSHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
