package trail

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
)

// benchCalls are typical requests: a user's GetUser, a CreateUser with
// tags, a cross-account AssumeRole with its responseElements, an S3
// PutObject data event.
func benchCalls() map[string]*Call {
	at := time.Date(2026, 12, 6, 21, 0, 0, 123456789, time.UTC)
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	user := iamapi.User{Path: "/", UserName: "JohnDoe", UserId: "AIDAQRSTUVWXYZEXAMPLE", Arn: "arn:aws:iam::777788889999:user/JohnDoe", CreateDate: created}
	tags := []iamapi.Tag{{Key: "team", Value: "platform"}, {Key: "cost-center", Value: "1234"}}
	created2 := user
	created2.UserName, created2.Arn, created2.Tags = "Alice", "arn:aws:iam::777788889999:user/Alice", tags
	userRes := []Resource{{ARN: "arn:aws:iam::777788889999:user/JohnDoe", AccountID: "777788889999", Type: "AWS::IAM::User"}}
	common := func(op, service string) *Call {
		return &Call{RequestID: "c0ffee00-1234-5678-9abc-def012345678", Time: at, Service: service, Operation: op, Caller: userCaller(),
			Region: "us-east-2", SourceIP: "192.0.2.101", UserAgent: "aws-cli/2.15.0 Python/3.11.6 Linux/6.5 exe/x86_64.ubuntu.22 prompt/off command/iam.get-user",
			Management: true}
	}
	getUser := common("GetUser", "iam")
	getUser.Input, getUser.Output, getUser.ReadOnly, getUser.Resources = &iamapi.GetUserRequest{UserName: ptr("JohnDoe")},
		&iamapi.GetUserResponse{User: user}, true, userRes
	createUser := common("CreateUser", "iam")
	createUser.Input = &iamapi.CreateUserRequest{UserName: "Alice", Path: ptr("/"), Tags: tags}
	createUser.Output = &iamapi.CreateUserResponse{User: &created2}
	createUser.Resources = []Resource{{ARN: "arn:aws:iam::777788889999:user/Alice", AccountID: "777788889999", Type: "AWS::IAM::User"}}
	assumeRole := common("AssumeRole", "sts")
	assumeRole.Input = &stsapi.AssumeRoleRequest{RoleArn: "arn:aws:iam::111122223333:role/EC2-dev", RoleSessionName: "JohnDoe-EC2-dev", DurationSeconds: ptr(int32(3600))}
	assumeRole.Output = &stsapi.AssumeRoleResponse{
		Credentials: &stsapi.Credentials{AccessKeyId: "ASIAQRSTUVWXYZEXAMPLE", SecretAccessKey: strings.Repeat("s", 40),
			SessionToken: strings.Repeat("t", 400), Expiration: at.Add(time.Hour)},
		AssumedRoleUser: &stsapi.AssumedRoleUser{AssumedRoleId: "AROAEXAMPLE:JohnDoe-EC2-dev", Arn: "arn:aws:sts::111122223333:assumed-role/EC2-dev/JohnDoe-EC2-dev"},
	}
	assumeRole.Resources = []Resource{{ARN: "arn:aws:iam::111122223333:role/EC2-dev", AccountID: "111122223333", Type: "AWS::IAM::Role"}}
	assumeRole.ResourceAccount = "111122223333"
	putObject := common("PutObject", "s3")
	putObject.Management = false
	putObject.Input = &s3api.PutObjectRequest{Bucket: "amzn-s3-demo-bucket", Key: "reports/2026/12/06.csv", Body: strings.NewReader("body"),
		ContentLength: ptr(int64(4)), ContentType: ptr("text/csv"), Metadata: map[string]string{"owner": "jdoe"}}
	putObject.Output = &s3api.PutObjectOutput{ETag: ptr(`"d41d8cd98f00b204e9800998ecf8427e"`)}
	putObject.Resources = []Resource{{ARN: "arn:aws:s3:::amzn-s3-demo-bucket/reports/2026/12/06.csv", Type: "AWS::S3::Object"},
		{ARN: "arn:aws:s3:::amzn-s3-demo-bucket", Type: "AWS::S3::Bucket"}}
	return map[string]*Call{"GetUser": getUser, "CreateUser": createUser, "AssumeRoleCrossAccount": assumeRole, "PutObject": putObject}
}

// BenchmarkEvents measures the event of typical requests, with the
// implementation before the appender (oracle) beside it in the same run.
func BenchmarkEvents(b *testing.B) {
	calls := benchCalls()
	for _, name := range []string{"GetUser", "CreateUser", "AssumeRoleCrossAccount", "PutObject"} {
		c := calls[name]
		b.Run(name+"/new", func(b *testing.B) {
			bl := &Builder{Redaction: apiRedaction(), NewID: func() string { return "2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b21" }}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bl.Events(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/compact", func(b *testing.B) {
			bl := &Builder{Redaction: apiRedaction(), NewID: func() string { return "2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b21" }, Compact: true}
			b.ReportAllocs()
			for b.Loop() {
				es, err := bl.Events(c)
				if err != nil {
					b.Fatal(err)
				}
				bl.Release(es)
			}
		})
		b.Run(name+"/oracle", func(b *testing.B) {
			bl := &Builder{Redaction: apiRedaction(), NewID: func() string { return "2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b21" }}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := oracleEvents(bl, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeRecord measures reading a record back (a store's read of
// each event a lookup returns): a record that carries its JSON beside a
// compact one, whose JSON is rendered.
func BenchmarkDecodeRecord(b *testing.B) {
	calls := benchCalls()
	for _, name := range []string{"GetUser", "CreateUser", "AssumeRoleCrossAccount", "PutObject"} {
		for _, compact := range []bool{false, true} {
			bl := &Builder{Redaction: apiRedaction(), NewID: func() string { return "2f1c9d1e-6b0a-4c55-9a43-0d1f3e5a7b21" }, Compact: compact}
			es, err := bl.Events(calls[name])
			if err != nil {
				b.Fatal(err)
			}
			rec, err := AppendRecord(nil, &es[0])
			if err != nil {
				b.Fatal(err)
			}
			kind := "json"
			if compact {
				kind = "compact"
			}
			b.Run(name+"/"+kind, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, ok := DecodeRecord(rec); !ok {
						b.Fatal("malformed")
					}
				}
				b.ReportMetric(float64(len(rec)), "record-bytes")
			})
		}
	}
}
