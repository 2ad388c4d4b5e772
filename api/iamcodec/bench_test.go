package iamcodec_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/iamcodec"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

// BenchmarkCodec measures the codec's part of a request: decoding a
// CreateUser form (with tags) and writing a GetUser response, through the
// runtime's entry points the server calls.
func BenchmarkCodec(b *testing.B) {
	svc := iamcodec.Service()
	create, _ := iamcodec.LookupOperation("CreateUser")
	get, _ := iamcodec.LookupOperation("GetUser")
	form := url.Values{"Action": {"CreateUser"}, "Version": {iamapi.APIVersion}, "UserName": {"alice"}, "Path": {"/eng/"},
		"Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"blue"}, "Tags.member.2.Key": {"cost"}, "Tags.member.2.Value": {"42"}}
	req := &query.Request{Action: "CreateUser", Version: iamapi.APIVersion, Params: form}
	name, path, id, arn := "alice", "/eng/", "AIDAEXAMPLE0000000001", "arn:aws:iam::123456789012:user/eng/alice"
	out := &iamapi.GetUserResponse{User: iamapi.User{UserName: name, Path: path, UserId: id, Arn: arn, CreateDate: time.Unix(1700000000, 0),
		Tags: []iamapi.Tag{{Key: "team", Value: "blue"}, {Key: "cost", Value: "42"}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Decode(create, req); err != nil {
			b.Fatal(err)
		}
		_ = svc.MarshalResponse(get, "req-1", out)
	}
}
