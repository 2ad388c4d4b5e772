package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// benchRecord is a record of typical size (CloudTrail's are 1 to 2 kB).
var benchRecord = []byte(`{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE01","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},"eventTime":"2026-10-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.17.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.4","requestParameters":null,"responseElements":null,"requestID":"0f6e0f4c-4f9a-4d6b-9d3a-0c5e8f1a2b3c","eventID":"5b1c9e2a-7d4f-4e8a-b1c3-2d4e6f8a0b1c","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`)

// BenchmarkAppend measures one Append of a recorder's batch (1, 8 and 64
// entries: a lone request, and concurrent requests sharing a commit) into
// the cluster's database, per batch and per entry. It needs
// GATEHOUSE_TEST_POSTGRES.
func BenchmarkAppend(b *testing.B) {
	dsn := pgtest.DSN(b)
	for _, n := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			s := open(b, dsn, freshSchema(b, dsn))
			now := time.Now().UTC().Truncate(time.Second)
			batch := make([]trail.Entry, n)
			i := 0
			for b.Loop() {
				for j := range batch {
					user := fmt.Sprintf("user-%03d", i%100)
					batch[j] = trail.Entry{Account: "111122223333", EventID: fmt.Sprintf("bench-%010d", i), Time: now,
						EventName: "GetUser", EventSource: "iam.amazonaws.com", Username: user,
						AccessKeyID: "AKIAEXAMPLE" + user, Principal: "arn:aws:iam::111122223333:user/" + user,
						ReadOnly: true, Management: true, JSON: benchRecord,
						Resources: []trail.Resource{{ARN: "arn:aws:iam::111122223333:user/" + user, AccountID: "111122223333", Type: "AWS::IAM::User"}}}
					i++
				}
				if err := s.Append(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/entry")
		})
	}
}
