package server

import (
	"encoding/json"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/workload"
)

// workloadCodec is the workload API's JSON protocol (package workload's
// route table): method and path name the operation, the body is a JSON
// document, outputs are JSON documents, errors {"code","message"} — the
// error shape of the container credentials endpoint, which SDKs read from
// GetWorkloadCredentials (with the error's members beside them: the RoleArn
// of a role that refused a workload).
type workloadCodec struct{ routes []workload.Route }

type workloadCall struct {
	route    workload.Route
	id, auth string
	body     []byte
}

func (c workloadCall) operation() string    { return c.route.Op }
func (c workloadCall) decode() (any, error) { return c.route.Decode(c.id, c.auth, c.body) }

func (wc workloadCodec) parse(r *http.Request, body []byte) (call, error) {
	route, id, found := workload.Match(wc.routes, r.Method, r.URL.Path)
	if !found {
		return nil, &awserr.Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Sender: true, Message: "No workload API operation has this path."}
	}
	if route.Op == "" {
		return nil, &awserr.Error{Code: "MethodNotAllowed", Status: http.StatusMethodNotAllowed, Sender: true, Message: "The method is not allowed on this path."}
	}
	return workloadCall{route: route, id: id, auth: r.Header.Get("Authorization"), body: body}, nil
}

func (workloadCodec) write(w http.ResponseWriter, requestID string, _ call, out any) error {
	if _, ok := out.(*operation.NoOutput); ok || out == nil {
		out = struct{}{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", requestID)
	// Credentials and tokens are never cached by intermediaries.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

func (workloadCodec) errorOf(err error) *awserr.Error {
	if ae, ok := awserr.As(err); ok {
		return unavailable(ae)
	}
	return unavailable(awserr.InternalFailure(err))
}

func (workloadCodec) bodyError(err error) error { return jsonBodyError(err, "ThrottlingException") }

func (workloadCodec) writeError(w http.ResponseWriter, _ *http.Request, requestID string, ae *awserr.Error) error {
	doc := map[string]any{}
	for k, v := range ae.Members {
		doc[k] = v
	}
	doc["code"], doc["message"] = ae.Code, ae.Message
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("X-Amzn-Errortype", ae.Code)
	w.WriteHeader(ae.Status)
	_, err = w.Write(b)
	return err
}
