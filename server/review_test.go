package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestReviewStalledDownloadIsCut: a streamed response whose client stops
// reading is cut once it has made no progress for the stall timeout, as a
// streamed upload that stops sending is (progressBody). Without a write
// deadline a client that never reads holds the handler's goroutine and the
// object's open file for as long as it keeps the connection.
func TestReviewStalledDownloadIsCut(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	srv.HTTP.SetStreamStallForTest(time.Second)
	ctx := context.Background()
	root := srv.RootS3()
	const b, k, size = "review-slow", "big", 64 << 20
	if _, err := root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytes.NewReader(make([]byte, size))}); err != nil {
		t.Fatal(err)
	}
	ps, err := awss3.NewPresignClient(root).PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", u.RequestURI(), u.Host)
	time.Sleep(4 * time.Second) // the client reads nothing
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	n, err := io.Copy(io.Discard, br)
	t.Logf("read %d bytes: %v", n, err)
	if n >= size {
		t.Errorf("read %d bytes after a 4 s stall: the server waited for the client instead of cutting the response", n)
	}
}
