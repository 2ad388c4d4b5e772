package server

import (
	"context"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// sessionCaller authenticates a request signed with temporary credentials (a
// session token). Temporary credentials are issue #4: until STS issues them, no
// session token is valid.
func (s *Server) sessionCaller(r *http.Request, a *sigv4.Auth) (*identity.Caller, error) {
	return nil, awserr.New("InvalidClientTokenId", "The security token included in the request is invalid.")
}

// sessionPolicies returns the policy set of a role session or federated user.
func (s *Server) sessionPolicies(ctx context.Context, c *identity.Caller) (*policy.Set, error) {
	return &policy.Set{}, nil
}

// sessionKey is the context key under which openSession leaves an opened session.
type sessionKey struct{}

// openedSession is a session token opened for one request.
type openedSession struct {
	accessKeyID string
	secret      []byte
}

// openSession opens the session token of a request signed with temporary
// credentials and returns a context carrying its secret for the verifier.
// Until STS issues tokens (issue #4), every token is invalid.
func (s *Server) openSession(ctx context.Context, a *sigv4.Auth) (context.Context, error) {
	return ctx, awserr.New("InvalidClientTokenId", "The security token included in the request is invalid.")
}

// sessionSecret returns the secret of the session opened for this request, if
// its access key id is id.
func sessionSecret(ctx context.Context, id string) ([]byte, bool) {
	o, ok := ctx.Value(sessionKey{}).(*openedSession)
	if !ok || o.accessKeyID != id {
		return nil, false
	}
	return o.secret, true
}
