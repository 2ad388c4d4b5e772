package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The operations and kinds of credentials the generator knows.
const (
	opGetCallerIdentity = "GetCallerIdentity"
	opGetUser           = "GetUser"
	opAssumeRole        = "AssumeRole"

	credsRoot = "root"
	credsUser = "user"
	credsRole = "role"
)

// scenario is one operation called with one kind of credentials.
type scenario struct {
	op, creds string
}

func (s scenario) String() string { return s.op + "/" + s.creds }

// parseScenario reads "OP/CREDS" (or "OP/", "OP": the operation's default
// credentials: root, or user for AssumeRole, which AWS refuses to root).
func parseScenario(s string) (scenario, error) {
	op, creds, _ := strings.Cut(s, "/")
	switch op {
	case opGetCallerIdentity, opGetUser:
		if creds == "" {
			creds = credsRoot
		}
	case opAssumeRole:
		if creds == "" {
			creds = credsUser
		}
		if creds == credsRoot {
			// AWS answers AccessDenied "Roles may not be assumed by root
			// accounts." (as the aws CLI prints it); refused here, before
			// any load is sent.
			return scenario{}, fmt.Errorf("scenario %q: root cannot assume a role; use AssumeRole/user or AssumeRole/role", s)
		}
	default:
		return scenario{}, fmt.Errorf("scenario %q: unknown operation %q (GetCallerIdentity, GetUser, AssumeRole)", s, op)
	}
	switch creds {
	case credsRoot, credsUser, credsRole:
	default:
		return scenario{}, fmt.Errorf("scenario %q: unknown credentials %q (root, user, role)", s, creds)
	}
	return scenario{op: op, creds: creds}, nil
}

// target is what one measurement sends: one pre-built AWS Query body to one
// URL, signed for one service with one set of credentials.
type target struct {
	name        string // the report's row label
	floor       bool   // the floor, not Gatehouse
	url         string
	host        string // host:port of url, for -wire raw
	service     string // signing name: iam or sts
	region      string
	body        []byte
	payloadHash string // hex SHA-256 of body
	creds       aws.Credentials
	signed      *signedCache // the request signed for the current second (-wire raw)
}

// newTarget pre-builds the request of an operation.
func newTarget(name, endpoint, service, region string, form url.Values, creds aws.Credentials) target {
	body := []byte(form.Encode())
	sum := sha256.Sum256(body)
	host, _ := hostOf(endpoint) // -wire raw refuses other URLs in parseFlags
	return target{
		host:        host,
		name:        name,
		url:         endpoint + "/",
		service:     service,
		region:      region,
		body:        body,
		payloadHash: hex.EncodeToString(sum[:]),
		creds:       creds,
		signed:      &signedCache{},
	}
}

// getCallerIdentityForm is STS GetCallerIdentity's AWS Query body.
func getCallerIdentityForm() url.Values {
	return url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
}

// request builds and signs one request as aws-sdk-go-v2 does for an AWS
// Query operation: POST of the form, its SHA-256 as the payload hash, the
// v4 signer at the current time (adding X-Amz-Date, X-Amz-Security-Token
// for a session, and Authorization).
func (t *target) request(ctx context.Context, signer *v4.Signer) (*http.Request, error) {
	return t.requestAt(ctx, signer, time.Now().UTC())
}

// requestAt is request signed at now.
func (t *target) requestAt(ctx context.Context, signer *v4.Signer, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("User-Agent", "gatehouse-load")
	if err := signer.SignHTTP(ctx, t.creds, req, t.payloadHash, t.service, t.region, now); err != nil {
		return nil, fmt.Errorf("signing the request: %w", err)
	}
	return req, nil
}
