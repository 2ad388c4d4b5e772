package s3codec_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/awserr"
)

// FuzzDecodeDocument feeds hostile documents to the reader of kept bucket
// configurations: no panic, failures are MalformedXML, and a document that
// decodes encodes (as its GET answers it) to one that decodes the same.
func FuzzDecodeDocument(f *testing.F) {
	f.Add(`<CORSConfiguration><CORSRule><ID>a</ID><AllowedOrigin>https://*.x</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`)
	f.Add(`<CORSConfiguration><CORSRule><AllowedOrigin>&lt;</AllowedOrigin><AllowedMethod></AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>`)
	f.Add(`<CORSConfiguration/>`)
	docs := s3codec.Documents()
	f.Fuzz(func(t *testing.T, doc string) {
		var cfg s3api.CORSConfiguration
		if err := docs.Decode([]byte(doc), "CORSConfiguration", &cfg); err != nil {
			if ae, ok := awserr.As(err); !ok || ae.Code != "MalformedXML" {
				t.Fatalf("error %v", err)
			}
			return
		}
		again := docs.Encode(&s3api.GetBucketCorsOutput{CORSRules: cfg.CORSRules})
		var back s3api.CORSConfiguration
		if err := docs.Decode(again, "CORSConfiguration", &back); err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
		if a, b := docs.Encode(&s3api.GetBucketCorsOutput{CORSRules: back.CORSRules}), again; string(a) != string(b) {
			t.Fatalf("round trip changed the document:\n%s\n%s", b, a)
		}
	})
}
