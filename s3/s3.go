// Package s3 is Gatehouse's Amazon S3: buckets that belong to accounts,
// objects kept by an object backend (package objectstore), and every
// request authorized as AWS authorizes S3 — the caller's identity-based
// policies, boundary, session policies, the organization's SCPs and RCPs,
// the bucket policy and the ACLs, Object Ownership and Block Public Access
// (package s3/access decides what a request asks for; package authz
// assembles and decides it).
//
// Bucket configuration (owner, policy, ACL, ownership controls, public
// access block, tags, and the sub-resource configurations of config.go:
// CORS, website, lifecycle, default encryption, logging, request payment,
// acceleration, notifications, replication, Object Lock) is kept in
// Gatehouse's store, so every node of a cluster decides alike; objects, their metadata and multipart uploads are
// the backend's. Like the other services it takes Go types in and gives Go
// types out: the S3 REST-XML codec (protocol/restxml, api/s3api) is the
// server's.
package s3

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Config holds the service's dependencies.
type Config struct {
	// Store keeps bucket configuration.
	Store store.Store
	// Buckets is the in-memory view of the store's buckets and account
	// settings (the authorization view), brought up to date after each
	// write.
	Buckets Buckets
	// Backend keeps objects.
	Backend objectstore.Backend
	// Authorizer assembles what each check is decided against.
	Authorizer *authz.Authorizer
	// Rand is the source of ids.
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	Log *slog.Logger
	// Documents reads and writes the XML documents bucket configurations
	// are kept as (api/s3codec.Documents).
	Documents s3api.Documents
}

// Buckets reads bucket configuration from memory (implemented by
// authview.Directory, which follows the store's change feed).
type Buckets interface {
	Bucket(name string) (store.Bucket, bool)
	AccountS3(account string) store.AccountS3
	// Sync brings the view up to date with the store.
	Sync(ctx context.Context) error
}

// Service is the S3 service.
type Service struct {
	store   store.Store
	buckets Buckets
	backend objectstore.Backend
	authz   *authz.Authorizer
	decider *access.Decider
	rand    io.Reader
	now     func() time.Time
	log     *slog.Logger
	docs    s3api.Documents
	// keys serializes Object Lock's checks with the deletes and changes
	// they guard (keylock.go).
	keys *keyLocks
}

// New returns the service.
func New(c Config) *Service {
	return &Service{store: c.Store, buckets: c.Buckets, backend: c.Backend, authz: c.Authorizer, decider: access.NewDecider(0), rand: c.Rand, now: c.Now, log: c.Log, docs: c.Documents,
		keys: newKeyLocks()}
}

// Request is one S3 request: its operation, the bucket and key it
// addresses, the headers and query authorization reads condition keys
// from, and the operation's decoded input (an api/s3api input type).
type Request struct {
	Operation string
	// Method is the request's HTTP method (what a CORS rule's
	// AllowedMethod matches).
	Method      string
	Bucket, Key string
	Header      map[string][]string `json:"-"` // never recorded: it holds signatures, tokens and SSE-C keys
	Query       map[string][]string `json:"-"` // never recorded: presigned URLs carry signatures and tokens
	Input       any

	// object is the object the request addresses as authorization read
	// it, for the operation to serve (objectread.go).
	object *objectRead
}
