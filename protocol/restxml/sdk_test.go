package restxml_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

func ptr[T any](v T) *T { return &v }

var modified = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// TestListObjectsV2RoundTrip: the SDK's query members decode, and the
// listing (flattened Contents and CommonPrefixes, continuation) parses back
// into the same values.
func TestListObjectsV2RoundTrip(t *testing.T) {
	h, c := newHarness(t, func(_ *restxml.Request, in any) (any, error) {
		l := in.(*s3api.ListObjectsV2Request)
		return &s3api.ListObjectsV2Output{
			Name: ptr(l.Bucket), Prefix: l.Prefix, Delimiter: l.Delimiter, MaxKeys: l.MaxKeys,
			IsTruncated: ptr(true), KeyCount: ptr(int32(3)),
			ContinuationToken: l.ContinuationToken, NextContinuationToken: ptr("next&<token>"),
			Contents: []s3api.Object{
				{Key: ptr("photos/a.jpg"), Size: ptr(int64(1 << 40)), ETag: ptr(`"abc"`), LastModified: &modified, StorageClass: ptr(s3api.ObjectStorageClassSTANDARD)},
				{Key: ptr("photos/b & c.jpg"), Size: ptr(int64(0)), LastModified: &modified},
			},
			CommonPrefixes: []s3api.CommonPrefix{{Prefix: ptr("photos/2025/")}, {Prefix: ptr("photos/2026/")}},
		}, nil
	})
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("photos/"),
		Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), ContinuationToken: aws.String("tok en"), StartAfter: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	_, in := h.last()
	l := in.(*s3api.ListObjectsV2Request)
	if l.Bucket != "bkt" || *l.Prefix != "photos/" || *l.Delimiter != "/" || *l.MaxKeys != 2 || *l.ContinuationToken != "tok en" || *l.StartAfter != "a" {
		t.Errorf("decoded %+v", l)
	}
	if aws.ToString(out.Name) != "bkt" || !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) != "next&<token>" ||
		aws.ToString(out.ContinuationToken) != "tok en" || aws.ToInt32(out.KeyCount) != 3 || aws.ToInt32(out.MaxKeys) != 2 {
		t.Errorf("parsed %+v", out)
	}
	if len(out.Contents) != 2 || aws.ToString(out.Contents[1].Key) != "photos/b & c.jpg" || aws.ToInt64(out.Contents[0].Size) != 1<<40 ||
		!aws.ToTime(out.Contents[0].LastModified).Equal(modified) || aws.ToString(out.Contents[0].ETag) != `"abc"` ||
		out.Contents[0].StorageClass != types.ObjectStorageClassStandard {
		t.Errorf("contents %+v", out.Contents)
	}
	if len(out.CommonPrefixes) != 2 || aws.ToString(out.CommonPrefixes[1].Prefix) != "photos/2026/" {
		t.Errorf("common prefixes %+v", out.CommonPrefixes)
	}
}

// TestPutGetObjectRoundTrip: PutObject's headers and metadata decode and
// its body is the stream the server supplied; GetObject's headers,
// metadata and streamed body parse back; a range answers 206.
func TestPutGetObjectRoundTrip(t *testing.T) {
	const content = "hello, object"
	var got []byte
	var closed bool
	h, c := newHarness(t, func(req *restxml.Request, in any) (any, error) {
		switch v := in.(type) {
		case *s3api.PutObjectRequest:
			b, err := io.ReadAll(v.Body)
			if err != nil {
				return nil, err
			}
			got = b
			return &s3api.PutObjectOutput{ETag: ptr(`"e1"`), VersionId: ptr("v1")}, nil
		case *s3api.GetObjectRequest:
			out := &s3api.GetObjectOutput{
				Body:          &closeRecorder{Reader: strings.NewReader(content), closed: &closed},
				ContentLength: ptr(int64(len(content))), ContentType: ptr("text/plain"), ETag: ptr(`"e1"`),
				LastModified: &modified, Metadata: map[string]string{"color": "blue", "owner": "ops"},
				VersionId: ptr("v1"), AcceptRanges: ptr("bytes"),
			}
			if v.Range != nil {
				out.Body = &closeRecorder{Reader: strings.NewReader(content[0:5]), closed: &closed}
				out.ContentLength = ptr(int64(5))
				out.ContentRange = ptr("bytes 0-4/13")
				return restxml.WithStatus(out, http.StatusPartialContent), nil
			}
			return out, nil
		}
		return nil, errors.New("unexpected " + req.Operation())
	})
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/my key+ü.txt"),
		Body: strings.NewReader(content), ContentType: aws.String("text/plain"),
		Metadata: map[string]string{"Color": "blue", "owner": "ops"}, ACL: types.ObjectCannedACLBucketOwnerFullControl,
		StorageClass: types.StorageClassStandardIa})
	if err != nil {
		t.Fatal(err)
	}
	_, in := h.last()
	p := in.(*s3api.PutObjectRequest)
	if string(got) != content || p.Key != "dir/my key+ü.txt" || aws.ToString(p.ContentType) != "text/plain" ||
		aws.ToInt64(p.ContentLength) != int64(len(content)) || p.Metadata["color"] != "blue" || p.Metadata["owner"] != "ops" ||
		*p.ACL != s3api.ObjectCannedACLBucketownerfullcontrol || *p.StorageClass != s3api.StorageClassSTANDARD_IA {
		t.Errorf("decoded %+v (body %q)", p, got)
	}
	if aws.ToString(put.ETag) != `"e1"` || aws.ToString(put.VersionId) != "v1" {
		t.Errorf("PutObject output %+v", put)
	}

	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(get.Body)
	_ = get.Body.Close()
	if string(body) != content || aws.ToInt64(get.ContentLength) != int64(len(content)) || aws.ToString(get.ContentType) != "text/plain" ||
		get.Metadata["color"] != "blue" || get.Metadata["owner"] != "ops" || !aws.ToTime(get.LastModified).Equal(modified) ||
		aws.ToString(get.VersionId) != "v1" || aws.ToString(get.AcceptRanges) != "bytes" {
		t.Errorf("GetObject %+v body %q", get, body)
	}
	if !closed {
		t.Error("the output stream was not closed")
	}

	get, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Range: aws.String("bytes=0-4")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(get.Body)
	_ = get.Body.Close()
	if string(body) != "hello" || aws.ToString(get.ContentRange) != "bytes 0-4/13" {
		t.Errorf("ranged GetObject %+v body %q", get, body)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err == nil || head != nil {
		// HeadObject is not handled by this handler: it must fail cleanly.
		t.Errorf("HeadObject: %v %+v", err, head)
	}
}

type closeRecorder struct {
	io.Reader
	closed *bool
}

func (c *closeRecorder) Close() error { *c.closed = true; return nil }

// TestACLRoundTrip: grants with CanonicalUser and Group grantees decode
// from PutBucketAcl's document (xsi:type attribute) and encode into
// GetBucketAcl's, which the SDK parses back.
func TestACLRoundTrip(t *testing.T) {
	var stored *s3api.AccessControlPolicy
	h, c := newHarness(t, func(_ *restxml.Request, in any) (any, error) {
		switch v := in.(type) {
		case *s3api.PutBucketAclRequest:
			stored = v.AccessControlPolicy
			return nil, nil
		case *s3api.GetBucketAclRequest:
			return &s3api.GetBucketAclOutput{Owner: stored.Owner, Grants: stored.Grants}, nil
		}
		return nil, errors.New("unexpected")
	})
	owner := &types.Owner{ID: aws.String("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"), DisplayName: aws.String("me")}
	grants := []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: owner.ID, DisplayName: aws.String("me")}, Permission: types.PermissionFullControl},
		{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: types.PermissionRead},
	}
	_, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bkt"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: owner, Grants: grants}})
	if err != nil {
		t.Fatal(err)
	}
	_, in := h.last()
	if p := in.(*s3api.PutBucketAclRequest); p.AccessControlPolicy == nil || len(p.AccessControlPolicy.Grants) != 2 ||
		p.AccessControlPolicy.Grants[1].Grantee.Type != s3api.TypeGroup || *p.AccessControlPolicy.Grants[0].Permission != s3api.PermissionFULL_CONTROL {
		t.Fatalf("decoded %+v", p.AccessControlPolicy)
	}
	out, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("bkt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Owner.ID) != aws.ToString(owner.ID) || len(out.Grants) != 2 {
		t.Fatalf("parsed %+v", out)
	}
	for i, g := range out.Grants {
		w := grants[i]
		if g.Grantee.Type != w.Grantee.Type || aws.ToString(g.Grantee.ID) != aws.ToString(w.Grantee.ID) ||
			aws.ToString(g.Grantee.URI) != aws.ToString(w.Grantee.URI) || g.Permission != w.Permission {
			t.Errorf("grant %d: %+v %+v, want %+v %+v", i, g.Grantee, g.Permission, w.Grantee, w.Permission)
		}
	}
}

// TestErrorsParsedBySDK: S3's error documents reach the SDK as its typed
// errors (NoSuchKey, NoSuchBucket), others as a smithy.APIError with the
// code and message; a HEAD error has no body and the SDK reports the
// status (NotFound for 404).
func TestErrorsParsedBySDK(t *testing.T) {
	_, c := newHarness(t, func(req *restxml.Request, _ any) (any, error) {
		switch req.Operation() {
		case "GetObject":
			return nil, awserr.New("NoSuchKey", "The specified key does not exist.").WithMembers(map[string]any{"Key": req.Key()})
		case "ListObjectsV2":
			return nil, (&awserr.Error{Code: "NoSuchBucket", Status: 404, Message: "The specified bucket does not exist."}).
				WithMembers(map[string]any{"BucketName": req.Bucket()})
		case "HeadObject":
			return nil, &awserr.Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist."}
		case "GetBucketPolicy":
			return nil, &awserr.Error{Code: "NoSuchBucketPolicy", Status: 404, Message: "The bucket policy does not exist"}
		case "DeleteBucket":
			return nil, errors.New("disk on fire")
		}
		return nil, nil
	})
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) || nsk.ErrorMessage() != "The specified key does not exist." {
		t.Errorf("GetObject: %v", err)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nope")})
	var nsb *types.NoSuchBucket
	if !errors.As(err, &nsb) {
		t.Errorf("ListObjectsV2: %v", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject: %v", err)
	}
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bkt")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "NoSuchBucketPolicy" || api.ErrorMessage() != "The bucket policy does not exist" {
		t.Errorf("GetBucketPolicy: %v", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
	if !errors.As(err, &api) || api.ErrorCode() != "InternalError" || strings.Contains(err.Error(), "fire") {
		t.Errorf("DeleteBucket: %v", err)
	}
	var re interface{ ServiceRequestID() string }
	if !errors.As(err, &re) || re.ServiceRequestID() != testRequestID {
		t.Errorf("request id not parsed: %v", err)
	}
}

// TestBucketDocumentsRoundTrip: the other payload kinds — CreateBucket's
// configuration, DeleteObjects' flattened lists, a bucket policy's raw
// JSON, tagging, versioning, ownership controls, public access block,
// policy status, GetBucketLocation's text root, multipart documents and
// GetObjectAttributes' header list — decode from and parse into the SDK's
// values.
func TestBucketDocumentsRoundTrip(t *testing.T) {
	const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}`
	h, c := newHarness(t, func(req *restxml.Request, in any) (any, error) {
		switch v := in.(type) {
		case *s3api.DeleteObjectsRequest:
			out := &s3api.DeleteObjectsOutput{}
			for _, o := range v.Delete.Objects {
				out.Deleted = append(out.Deleted, s3api.DeletedObject{Key: ptr(o.Key), VersionId: o.VersionId})
			}
			out.Errors = []s3api.Error{{Key: ptr("locked"), Code: ptr("AccessDenied"), Message: ptr("Access Denied")}}
			return out, nil
		case *s3api.GetBucketPolicyRequest:
			return &s3api.GetBucketPolicyOutput{Policy: ptr(policy)}, nil
		case *s3api.GetBucketLocationRequest:
			if v.Bucket == "us" {
				return &s3api.GetBucketLocationOutput{}, nil
			}
			return &s3api.GetBucketLocationOutput{LocationConstraint: ptr(s3api.BucketLocationConstraintEuwest1)}, nil
		case *s3api.GetBucketTaggingRequest:
			return &s3api.GetBucketTaggingOutput{TagSet: []s3api.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "a&b"}}}, nil
		case *s3api.GetBucketVersioningRequest:
			return &s3api.GetBucketVersioningOutput{Status: ptr(s3api.BucketVersioningStatusSuspended)}, nil
		case *s3api.GetBucketOwnershipControlsRequest:
			return &s3api.GetBucketOwnershipControlsOutput{OwnershipControls: &s3api.OwnershipControls{
				Rules: []s3api.OwnershipControlsRule{{ObjectOwnership: s3api.ObjectOwnershipBucketOwnerEnforced}}}}, nil
		case *s3api.GetPublicAccessBlockRequest:
			return &s3api.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &s3api.PublicAccessBlockConfiguration{
				BlockPublicAcls: ptr(true), RestrictPublicBuckets: ptr(false)}}, nil
		case *s3api.GetBucketPolicyStatusRequest:
			return &s3api.GetBucketPolicyStatusOutput{PolicyStatus: &s3api.PolicyStatus{IsPublic: ptr(true)}}, nil
		case *s3api.CreateMultipartUploadRequest:
			return &s3api.CreateMultipartUploadOutput{Bucket: ptr(v.Bucket), Key: ptr(v.Key), UploadId: ptr("up-1")}, nil
		case *s3api.CompleteMultipartUploadRequest:
			return &s3api.CompleteMultipartUploadOutput{Bucket: ptr(v.Bucket), Key: ptr(v.Key), ETag: ptr(`"x-2"`),
				Location: ptr("http://example/bkt/k")}, nil
		case *s3api.CopyObjectRequest:
			return &s3api.CopyObjectOutput{CopyObjectResult: &s3api.CopyObjectResult{ETag: ptr(`"c"`), LastModified: &modified},
				CopySourceVersionId: ptr("sv")}, nil
		case *s3api.GetObjectAttributesRequest:
			return &s3api.GetObjectAttributesOutput{ETag: ptr("e"), ObjectSize: ptr(int64(42)), LastModified: &modified}, nil
		}
		return nil, nil
	})

	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("new-bucket"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1},
		ObjectOwnership:           types.ObjectOwnershipBucketOwnerPreferred})
	if err != nil {
		t.Fatal(err)
	}
	if _, in := h.last(); in.(*s3api.CreateBucketRequest).CreateBucketConfiguration == nil ||
		*in.(*s3api.CreateBucketRequest).CreateBucketConfiguration.LocationConstraint != s3api.BucketLocationConstraintEuwest1 ||
		*in.(*s3api.CreateBucketRequest).ObjectOwnership != s3api.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("CreateBucket decoded %+v", in)
	}

	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("b<&>"), VersionId: aws.String("v2")}}, Quiet: aws.Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, in := h.last(); len(in.(*s3api.DeleteObjectsRequest).Delete.Objects) != 2 || in.(*s3api.DeleteObjectsRequest).Delete.Objects[1].Key != "b<&>" {
		t.Errorf("DeleteObjects decoded %+v", in)
	}
	if len(del.Deleted) != 2 || aws.ToString(del.Deleted[1].Key) != "b<&>" || aws.ToString(del.Deleted[1].VersionId) != "v2" ||
		len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects parsed %+v", del)
	}

	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bkt"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, in := h.last(); in.(*s3api.PutBucketPolicyRequest).Policy != policy {
		t.Errorf("PutBucketPolicy decoded %+v", in)
	}
	gp, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bkt")})
	if err != nil || aws.ToString(gp.Policy) != policy {
		t.Errorf("GetBucketPolicy %v %+v", err, gp)
	}

	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bkt")})
	if err != nil || loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("GetBucketLocation %v %+v", err, loc)
	}
	loc, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("us")})
	if err != nil || loc.LocationConstraint != "" {
		t.Errorf("GetBucketLocation us-east-1 %v %+v", err, loc)
	}

	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("bkt"), Tagging: &types.Tagging{
		TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, in := h.last(); len(in.(*s3api.PutBucketTaggingRequest).Tagging.TagSet) != 1 || in.(*s3api.PutBucketTaggingRequest).Tagging.TagSet[0].Value != "prod" {
		t.Errorf("PutBucketTagging decoded %+v", in)
	}
	tg, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("bkt")})
	if err != nil || len(tg.TagSet) != 2 || aws.ToString(tg.TagSet[1].Value) != "a&b" {
		t.Errorf("GetBucketTagging %v %+v", err, tg)
	}

	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("bkt"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	if _, in := h.last(); *in.(*s3api.PutBucketVersioningRequest).VersioningConfiguration.Status != s3api.BucketVersioningStatusEnabled {
		t.Errorf("PutBucketVersioning decoded %+v", in)
	}
	gv, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("bkt")})
	if err != nil || gv.Status != types.BucketVersioningStatusSuspended {
		t.Errorf("GetBucketVersioning %v %+v", err, gv)
	}

	oc, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("bkt")})
	if err != nil || len(oc.OwnershipControls.Rules) != 1 || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("GetBucketOwnershipControls %v %+v", err, oc)
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("bkt")})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || pab.PublicAccessBlockConfiguration.RestrictPublicBuckets == nil {
		t.Errorf("GetPublicAccessBlock %v %+v", err, pab)
	}
	ps, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("bkt")})
	if err != nil || !aws.ToBool(ps.PolicyStatus.IsPublic) {
		t.Errorf("GetBucketPolicyStatus %v %+v", err, ps)
	}

	cmu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
	if err != nil || aws.ToString(cmu.UploadId) != "up-1" || aws.ToString(cmu.Key) != "big" {
		t.Errorf("CreateMultipartUpload %v %+v", err, cmu)
	}
	comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"),
		UploadId: aws.String("up-1"), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: aws.String(`"p1"`)}, {PartNumber: aws.Int32(2), ETag: aws.String(`"p2"`)}}}})
	if err != nil || aws.ToString(comp.ETag) != `"x-2"` {
		t.Errorf("CompleteMultipartUpload %v %+v", err, comp)
	}
	if _, in := h.last(); len(in.(*s3api.CompleteMultipartUploadRequest).MultipartUpload.Parts) != 2 ||
		*in.(*s3api.CompleteMultipartUploadRequest).MultipartUpload.Parts[1].PartNumber != 2 ||
		in.(*s3api.CompleteMultipartUploadRequest).UploadId != "up-1" {
		t.Errorf("CompleteMultipartUpload decoded %+v", in)
	}

	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dst"), CopySource: aws.String("src/key%20x")})
	if err != nil || aws.ToString(cp.CopyObjectResult.ETag) != `"c"` || !aws.ToTime(cp.CopyObjectResult.LastModified).Equal(modified) ||
		aws.ToString(cp.CopySourceVersionId) != "sv" {
		t.Errorf("CopyObject %v %+v", err, cp)
	}
	if _, in := h.last(); in.(*s3api.CopyObjectRequest).CopySource != "src/key%20x" {
		t.Errorf("CopyObject decoded %+v", in)
	}

	ga, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize}})
	if err != nil || aws.ToString(ga.ETag) != "e" || aws.ToInt64(ga.ObjectSize) != 42 || !aws.ToTime(ga.LastModified).Equal(modified) {
		t.Errorf("GetObjectAttributes %v %+v", err, ga)
	}
	if _, in := h.last(); len(in.(*s3api.GetObjectAttributesRequest).ObjectAttributes) != 2 ||
		in.(*s3api.GetObjectAttributesRequest).ObjectAttributes[1] != s3api.ObjectAttributesObjectSize {
		t.Errorf("GetObjectAttributes decoded %+v", in)
	}
}
