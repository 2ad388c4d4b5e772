package sigv4_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// ExampleVerifier_VerifyStream verifies the PUT of AWS's "Transferring
// Payload in Multiple Chunks" example (sigv4-streaming.html): the request's
// signature first, before any byte of the body is read, then each chunk's as
// the body is read. An S3 server streams the Body to storage and discards
// what it wrote if Read fails.
func ExampleVerifier_VerifyStream() {
	v, err := sigv4.NewVerifier(sigv4.Options{
		Lookup: func(ctx context.Context, accessKeyID string) ([]byte, error) {
			if accessKeyID == "AKIAIOSFODNN7EXAMPLE" {
				return []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), nil
			}
			return nil, sigv4.ErrUnknownAccessKey
		},
		Now:     func() time.Time { return time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC) },
		Service: "s3",
		Regions: []string{"us-east-1"},
		S3:      true,
	})
	if err != nil {
		panic(err)
	}

	chunk := func(size int, sig string) string {
		return fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n", size, sig, strings.Repeat("a", size))
	}
	body := chunk(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") +
		chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497") +
		chunk(0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
	r, _ := http.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(body))
	for k, v := range map[string]string{
		"X-Amz-Date":                   "20130524T000000Z",
		"X-Amz-Storage-Class":          "REDUCED_REDUNDANCY",
		"X-Amz-Content-Sha256":         "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		"Content-Encoding":             "aws-chunked",
		"Content-Length":               "66824",
		"X-Amz-Decoded-Content-Length": "66560",
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
	} {
		r.Header.Set(k, v)
	}

	auth, payload, err := v.VerifyStream(context.Background(), r)
	if err != nil {
		e := err.(*sigv4.Error)
		fmt.Println(e.Status, e.Code, e.Message)
		return
	}
	defer payload.Close()
	n, err := io.Copy(io.Discard, payload)
	fmt.Println(auth.AccessKeyID, n, err)
	// Output:
	// AKIAIOSFODNN7EXAMPLE 66560 <nil>
}
