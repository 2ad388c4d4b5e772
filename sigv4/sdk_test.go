package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// sdkServer answers SDK calls after verifying them, and records the outcome.
type sdkServer struct {
	v    *Verifier
	mu   sync.Mutex
	auth []*Auth
	errs []error
}

func (s *sdkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a, err := s.v.Verify(r.Context(), r, body)
	s.mu.Lock()
	s.auth = append(s.auth, a)
	s.errs = append(s.errs, err)
	s.mu.Unlock()
	if err != nil {
		e := err.(*Error)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>`+e.Code+`</Code><Message>x</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	switch a.Service {
	case "iam":
		io.WriteString(w, `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><IsTruncated>false</IsTruncated><Users/></ListUsersResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListUsersResponse>`)
	default:
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	}
}

// TestSDKClients drives the server with the real IAM and STS clients of
// aws-sdk-go-v2 over HTTP: whatever they put on the wire must verify.
func TestSDKClients(t *testing.T) {
	v, err := NewVerifier(Options{Lookup: testKeys, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := &sdkServer{v: v}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()

	cfg := func(token string) aws.Config {
		return aws.Config{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider(testAKID, testSecret, token),
			RetryMaxAttempts: 1,
		}
	}
	iamClient := iam.NewFromConfig(cfg(""), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := iamClient.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/división/ a+b=c/"), MaxItems: aws.Int32(5)}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	stsClient := sts.NewFromConfig(cfg("session/token+=="), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}

	// A presigned GetCallerIdentity, as EKS-style token authenticators use.
	presigned, err := sts.NewPresignClient(stsClient).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(presigned.Method, presigned.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range presigned.SignedHeader {
		if k != "Host" {
			req.Header[k] = vs
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) != 3 {
		t.Fatalf("%d requests, want 3", len(s.errs))
	}
	for i, err := range s.errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if a := s.auth[1]; a == nil || a.SessionToken != "session/token+==" || a.Service != "sts" {
		t.Errorf("GetCallerIdentity auth = %+v", a)
	}
	if a := s.auth[2]; a == nil || !a.Presigned || a.SessionToken != "session/token+==" {
		t.Errorf("presigned auth = %+v", a)
	}
}
