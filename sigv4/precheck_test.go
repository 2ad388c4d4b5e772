package sigv4

import (
	"context"
	"testing"
	"time"
)

// TestPrecheckAgreesWithVerify checks that Precheck refuses exactly what
// Verify refuses before it needs the body — with the same error — and lets
// through what only the body's signature can decide.
func TestPrecheckAgreesWithVerify(t *testing.T) {
	ctx := context.Background()
	body := "Action=ListUsers&Version=2010-05-08"
	post := func(c clientRequest) clientRequest {
		c.method, c.url, c.body = "POST", "https://iam.amazonaws.com/", body
		c.header = map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}
		return c
	}
	tests := []struct {
		name     string
		c        clientRequest
		skew     time.Duration
		tamper   bool   // change the body after signing
		precheck string // Precheck's error code, "" for none
		verify   string // Verify's error code, "" for none
	}{
		{"valid", post(clientRequest{}), 0, false, "", ""},
		{"unknown key", post(clientRequest{akid: "AKIDNOBODY", secret: "x"}), 0, false, "InvalidClientTokenId", "InvalidClientTokenId"},
		{"skewed", post(clientRequest{}), time.Hour, false, "SignatureDoesNotMatch", "SignatureDoesNotMatch"},
		{"wrong service", post(clientRequest{service: "ec2"}), 0, false, "SignatureDoesNotMatch", "SignatureDoesNotMatch"},
		{"tampered body", post(clientRequest{}), 0, true, "", "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestVerifier(t, tt.skew, func(o *Options) { o.Service = "iam" })
			req, raw := sign(t, tt.c)
			if tt.tamper {
				raw = append([]byte(nil), raw...)
				raw[len(raw)-1] ^= 1
			}
			_, perr := v.Precheck(ctx, req)
			_, verr := v.Verify(ctx, req, raw)
			pc, vc := "", ""
			if perr != nil {
				pc, _ = errCode(t, perr)
			}
			if verr != nil {
				vc, _ = errCode(t, verr)
			}
			if pc != tt.precheck || vc != tt.verify {
				t.Errorf("Precheck %q (%v), Verify %q (%v); want %q, %q", pc, perr, vc, verr, tt.precheck, tt.verify)
			}
			// Check and Checked.Verify, a server's path that parses and
			// looks the key up once, refuse alike with the same messages.
			a, err := Parse(req)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checked, cerr := v.Check(ctx, req, a)
			if !sameError(cerr, perr) {
				t.Fatalf("Check: %v, Precheck: %v", cerr, perr)
			}
			if cerr != nil {
				return
			}
			got, err := checked.Verify(ctx, req, raw)
			if !sameError(err, verr) {
				t.Fatalf("Checked.Verify: %v, Verify: %v", err, verr)
			}
			if err == nil && got.AccessKeyID != a.AccessKeyID {
				t.Fatalf("verified %+v", got)
			}
		})
	}
}

// sameError reports whether two verification results are the same: both
// nil, or the same code and message.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}
