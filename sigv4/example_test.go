package sigv4_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// Example verifies the signed IAM ListUsers request of AWS's documentation.
// A server builds one Verifier per service, reads each request's body once,
// and renders any *sigv4.Error it gets back.
func Example() {
	secrets := map[string][]byte{"AKIDEXAMPLE": []byte("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")}
	v, err := sigv4.NewVerifier(sigv4.Options{
		Lookup: func(ctx context.Context, accessKeyID string) ([]byte, error) {
			if s, ok := secrets[accessKeyID]; ok {
				return s, nil
			}
			return nil, sigv4.ErrUnknownAccessKey
		},
		Now:     func() time.Time { return time.Date(2015, 8, 30, 12, 40, 0, 0, time.UTC) },
		Service: "iam",
		Regions: []string{"us-east-1"},
	})
	if err != nil {
		panic(err)
	}

	r, _ := http.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")

	auth, err := v.Verify(context.Background(), r, nil)
	if err != nil {
		e := err.(*sigv4.Error)
		fmt.Println(e.Status, e.Code, e.Message)
		return
	}
	fmt.Println(auth.AccessKeyID, auth.Region, auth.Service, auth.Date.Format(time.RFC3339))

	r.Header.Set("X-Amz-Date", "20150830T123601Z") // tampered
	_, err = v.Verify(context.Background(), r, nil)
	e := err.(*sigv4.Error)
	fmt.Println(e.Status, e.Code)
	// Output:
	// AKIDEXAMPLE us-east-1 iam 2015-08-30T12:36:00Z
	// 403 SignatureDoesNotMatch
}
