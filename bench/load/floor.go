package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// The floor's one key. Its secret lives in memory only; the floor listens on
// loopback for the length of the run.
const (
	floorAccessKeyID = "AKIAFLOORFLOORFLOOR0"
	floorSecret      = "floor/floor/floor/floor/floor/floor/floo"
	floorAccount     = "000000000000"
)

// floorBody is the fixed answer: the size and shape of GetCallerIdentity's.
var floorBody = []byte(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::` + floorAccount + `:root</Arn>
    <UserId>` + floorAccount + `</UserId>
    <Account>` + floorAccount + `</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>00000000-0000-0000-0000-000000000000</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`)

// floorHandler is the cheapest signed request this machine can serve: it
// reads the body (at most 64 KiB), verifies its SigV4 signature with
// Gatehouse's sigv4 package (service sts, region us-east-1, the one key
// above) and answers floorBody, or the verifier's error in STS's XML error
// envelope with its status.
func floorHandler() (http.Handler, error) {
	v, err := sigv4.NewVerifier(sigv4.Options{
		Lookup: func(_ context.Context, id string) ([]byte, error) {
			if id == floorAccessKeyID {
				return []byte(floorSecret), nil
			}
			return nil, sigv4.ErrUnknownAccessKey
		},
		Now:     time.Now,
		Service: "sts",
		Regions: []string{"us-east-1"},
	})
	if err != nil {
		return nil, fmt.Errorf("building the verifier: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			writeFloorError(w, http.StatusBadRequest, "InvalidRequest", "the body could not be read")
			return
		}
		if _, err := v.Verify(r.Context(), r, body); err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) {
				writeFloorError(w, se.Status, se.Code, se.Message)
				return
			}
			writeFloorError(w, http.StatusInternalServerError, "InternalFailure", "verification failed")
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(floorBody) // the client went away; nothing to do
	}), nil
}

func writeFloorError(w http.ResponseWriter, status int, code, msg string) {
	var b bytes.Buffer
	b.WriteString(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>`)
	_ = xml.EscapeText(&b, []byte(code)) // a bytes.Buffer does not fail
	b.WriteString(`</Code><Message>`)
	_ = xml.EscapeText(&b, []byte(msg))
	b.WriteString(`</Message></Error></ErrorResponse>`)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// floor is the floor's server, running on 127.0.0.1:0 until closed.
type floor struct {
	srv  *http.Server
	addr string
	done chan error
}

// startFloor starts the floor's server on addr.
func startFloor(addr string, log *slog.Logger) (*floor, error) {
	h, err := floorHandler()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	f := &floor{
		// The settings of `gatehouse serve`'s server.
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10},
		addr: ln.Addr().String(),
		done: make(chan error, 1),
	}
	go func() { f.done <- f.srv.Serve(ln) }()
	log.Info("floor serving", "addr", f.addr)
	return f, nil
}

// floorTarget is GetCallerIdentity signed with the floor's key.
func floorTarget(endpoint, region string) target {
	t := newTarget("floor", endpoint, "sts", region, getCallerIdentityForm(),
		aws.Credentials{AccessKeyID: floorAccessKeyID, SecretAccessKey: floorSecret, Source: "floor"})
	t.floor = true
	return t
}

// close stops the floor's server, waiting at most 5 s for open requests.
func (f *floor) close(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = f.srv.Shutdown(ctx) // past the timeout the process ends anyway
	<-f.done
}

// serveFloor serves the floor on cfg.floorAddr until ctx ends (its deadline
// is -serve-floor) or the process is interrupted.
func serveFloor(ctx context.Context, cfg config, log *slog.Logger) error {
	f, err := startFloor(cfg.floorAddr, log)
	if err != nil {
		return fmt.Errorf("starting the floor: %w", err)
	}
	select {
	case <-ctx.Done():
	case err := <-f.done:
		return fmt.Errorf("the floor stopped: %w", err)
	}
	f.close(context.WithoutCancel(ctx))
	log.Info("floor stopped")
	return nil
}
