package s3_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationConditionKeys covers condition keys S3 supplies
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html,
// the Service Authorization Reference's s3 actions) and global ones
// (reference_policies_condition-keys.md).
func TestIntegrationConditionKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "conditions"
	mkBucket(t, root, b)

	t.Run("ExistingObjectTag", func(t *testing.T) {
		// "s3:ExistingObjectTag/<tag-key>": read only objects tagged
		// classification=public
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html).
		ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("pub"), Body: strings.NewReader("p"), Tagging: aws.String("classification=public")}))
		ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("conf"), Body: strings.NewReader("c"), Tagging: aws.String("classification=confidential")}))
		put(t, root, b, "untagged", "u")
		u := newUser(t, srv, "tag-reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::conditions/*",
			"Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}}]}`).s3(srv)
		if got, err := get(u, b, "pub"); err != nil || got != "p" {
			t.Errorf("tagged public: %q %v", got, err)
		}
		_, err := get(u, b, "conf")
		wantDenied(t, err, "")
		_, err = get(u, b, "untagged")
		wantDenied(t, err, "")
	})
	t.Run("RequestObjectTag", func(t *testing.T) {
		// "s3:RequestObjectTag/<tag-key>": uploads must carry project=blue;
		// tagging on upload also needs s3:PutObjectTagging
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
		// "x-amz-tagging"; tagging-and-policies.html).
		u := newUser(t, srv, "tag-writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::conditions/*",
			"Condition":{"StringEquals":{"s3:RequestObjectTag/project":"blue"}}}]}`).s3(srv)
		if _, err := u.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("blue"), Body: strings.NewReader("x"), Tagging: aws.String("project=blue")}); err != nil {
			t.Errorf("tagged upload: %v", err)
		}
		_, err := u.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("red"), Body: strings.NewReader("x"), Tagging: aws.String("project=red")})
		wantDenied(t, err, "")
		_, err = u.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("none"), Body: strings.NewReader("x")})
		wantDenied(t, err, "")
	})
	t.Run("SourceIp", func(t *testing.T) {
		// aws:SourceIp is the requester's address: these requests come from
		// 127.0.0.1 (reference_policies_condition-keys.md#condition-keys-sourceip).
		u := newUser(t, srv, "ip-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::conditions/*",
			"Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
			{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::conditions/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`).s3(srv)
		if _, err := get(u, b, "pub"); err != nil {
			t.Errorf("from 127.0.0.1 with 127.0.0.0/8 allowed: %v", err)
		}
		_, err := u.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("ip"), Body: strings.NewReader("x")})
		wantDenied(t, err, "")
	})
	t.Run("PrincipalOrgID", func(t *testing.T) {
		// A bucket policy for "*" restricted by aws:PrincipalOrgID to a fixed
		// organization is not public, so Block Public Access lets it be put
		// ("The meaning of 'public'", access-control-block-public-access.html),
		// and it grants every account of the organization.
		member := srv.NewMember(t)
		org := member.OrgID
		mkBucket(t, root, "org-shared")
		put(t, root, "org-shared", "k", "org")
		putPolicy(t, root, "org-shared", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
			"Resource":"arn:aws:s3:::org-shared/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+org+`"}}}]}`)
		ps, err := root.GetBucketPolicyStatus(ctx, &awss3.GetBucketPolicyStatusInput{Bucket: aws.String("org-shared")})
		if err != nil || aws.ToBool(ps.PolicyStatus.IsPublic) {
			t.Errorf("policy status: %+v %v", ps, err)
		}
		reader := testserver.S3FromConfig(member.NewUserWithKey(t, srv, "org-reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
		if got, err := get(reader, "org-shared", "k"); err != nil || got != "org" {
			t.Errorf("member of the organization reads: %q %v", got, err)
		}
		_, err = get(srv.AnonymousS3(), "org-shared", "k")
		wantDenied(t, err, "Access Denied")
	})
}

// TestIntegrationVersioning covers a versioned bucket
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html):
// each PUT a new version, GET by versionId, DELETE without a version id
// adds a delete marker ("404 Not Found" with x-amz-delete-marker: true
// afterwards), ListObjectVersions lists versions and markers.
func TestIntegrationVersioning(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "versioned"
	mkBucket(t, root, b)
	v, err := root.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: aws.String(b)})
	if err != nil || v.Status != "" {
		t.Errorf("new bucket's versioning: %+v %v", v, err)
	}
	ok(t)(root.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: aws.String(b), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	p1, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("doc"), Body: strings.NewReader("one")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("doc"), Body: strings.NewReader("two")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p1.VersionId) == "" || aws.ToString(p1.VersionId) == aws.ToString(p2.VersionId) {
		t.Fatalf("version ids %q %q", aws.ToString(p1.VersionId), aws.ToString(p2.VersionId))
	}
	if got, _ := get(root, b, "doc"); got != "two" {
		t.Errorf("latest: %q", got)
	}
	g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc"), VersionId: p1.VersionId})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(g.Body)
	g.Body.Close()
	if err != nil || string(body) != "one" || aws.ToString(g.VersionId) != aws.ToString(p1.VersionId) {
		t.Errorf("version 1: %q %q %v", body, aws.ToString(g.VersionId), err)
	}
	d, err := root.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("doc")})
	if err != nil || !aws.ToBool(d.DeleteMarker) || aws.ToString(d.VersionId) == "" {
		t.Errorf("DeleteObject in a versioned bucket: %+v %v", d, err)
	}
	_, err = get(root, b, "doc")
	wantErr(t, err, "NoSuchKey", 404)
	lv, err := root.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String(b)})
	if err != nil || len(lv.Versions) != 2 || len(lv.DeleteMarkers) != 1 || !aws.ToBool(lv.DeleteMarkers[0].IsLatest) {
		t.Errorf("ListObjectVersions: %+v %v", lv, err)
	}
	// Deleting the marker by its version id brings the object back.
	ok(t)(root.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("doc"), VersionId: d.VersionId}))
	if got, err := get(root, b, "doc"); got != "two" || err != nil {
		t.Errorf("after removing the delete marker: %q %v", got, err)
	}
	// s3:GetObjectVersion is needed for a GET with versionId
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Versioning").
	u := newUser(t, srv, "latest-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::versioned/*"}]}`).s3(srv)
	if _, err := get(u, b, "doc"); err != nil {
		t.Errorf("GetObject of the latest: %v", err)
	}
	_, err = u.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc"), VersionId: p1.VersionId})
	wantDenied(t, err, `User: arn:aws:iam::123456789012:user/latest-only is not authorized to perform: s3:GetObjectVersion on resource: "arn:aws:s3:::versioned/doc" because no identity-based policy allows the s3:GetObjectVersion action`)
}
