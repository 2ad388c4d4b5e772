package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

// readyTimeout bounds the store round trip of /readyz: a probe must answer
// quickly, whatever the store's own timeout.
const readyTimeout = 2 * time.Second

// readyz answers readiness probes: 200 "ok" when the store answers within
// readyTimeout, else 503 with a short reason ("store unavailable" or "store
// error"; the cause goes to the log, never to the client). /healthz stays
// the liveness probe: it touches nothing, so an orchestrator does not
// restart nodes that only wait for their database, while /readyz takes them
// out of a load balancer until it is back.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	err := s.dir.Ping(ctx)
	if err == nil {
		io.WriteString(w, "ok\n")
		return
	}
	reason := "store error"
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		reason = "store unavailable"
	}
	s.log.Warn("not ready", "reason", reason, "err", err)
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, reason+"\n")
}
