package workload

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// SigningName is the SigV4 service name of the workload API (the
// credential scope's service): requests signed for it go to this API.
const SigningName = "gatehouse"

// CredentialsPath is the path of the credential endpoint: a GET with the
// workload token as its Authorization header, the shape of
// AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN.
const CredentialsPath = "/v1/workload-credentials"

// WorkloadsPath is the collection of workloads of the caller's account.
const WorkloadsPath = "/v1/workloads"

// Route is one operation of the workload API on the wire: a method and a
// path, with {id} standing for one path segment, the workload id.
type Route struct {
	Method, Path string
	// Op is the operation's name in Ops.
	Op string
	// Decode builds the operation's input from the path's workload id, the
	// request's Authorization header and its body (JSON, or empty).
	Decode func(id, authorization string, body []byte) (any, error)
}

// jsonInput returns a Decode that reads the body as JSON into a new T,
// then sets the path's id.
func jsonInput[T any](body []byte, id string) (any, error) {
	in := new(T)
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, in); err != nil {
			return nil, awserr.New("SerializationException", "The request body is not a valid JSON document of the operation's input.").WithCause(err)
		}
	}
	if s, ok := any(in).(interface{ SetWorkloadID(string) }); ok && id != "" {
		s.SetWorkloadID(id)
	}
	return in, nil
}

// Routes returns the workload API's route table.
func Routes() []Route {
	return []Route{
		{Method: "POST", Path: WorkloadsPath, Op: "CreateWorkload", Decode: func(_, _ string, b []byte) (any, error) { return jsonInput[CreateWorkloadInput](b, "") }},
		{Method: "GET", Path: WorkloadsPath, Op: "ListWorkloads", Decode: func(_, _ string, b []byte) (any, error) { return jsonInput[ListWorkloadsInput](b, "") }},
		{Method: "GET", Path: WorkloadsPath + "/{id}", Op: "GetWorkload", Decode: func(id, _ string, b []byte) (any, error) { return jsonInput[WorkloadIDInput](b, id) }},
		{Method: "PUT", Path: WorkloadsPath + "/{id}/instance-profile", Op: "ReplaceWorkloadInstanceProfile", Decode: func(id, _ string, b []byte) (any, error) {
			return jsonInput[ReplaceInstanceProfileInput](b, id)
		}},
		{Method: "POST", Path: WorkloadsPath + "/{id}/token", Op: "RotateWorkloadToken", Decode: func(id, _ string, b []byte) (any, error) { return jsonInput[WorkloadIDInput](b, id) }},
		{Method: "DELETE", Path: WorkloadsPath + "/{id}", Op: "DeleteWorkload", Decode: func(id, _ string, b []byte) (any, error) { return jsonInput[WorkloadIDInput](b, id) }},
		{Method: "GET", Path: CredentialsPath, Op: "GetWorkloadCredentials", Decode: func(_, auth string, _ []byte) (any, error) {
			return &GetCredentialsInput{Token: auth}, nil
		}},
	}
}

// Match finds the route of a method and path, and the workload id the path
// names ("" when it names none). It reports false for a path no route has,
// and a route with Op "" for a known path with another method.
func Match(routes []Route, method, path string) (Route, string, bool) {
	found := false
	for _, r := range routes {
		id, ok := matchPath(r.Path, path)
		if !ok {
			continue
		}
		found = true
		if r.Method == method {
			return r, id, true
		}
	}
	return Route{}, "", found
}

// matchPath matches path against pattern, returning the {id} segment.
func matchPath(pattern, path string) (string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return "", false
	}
	id := ""
	for i, p := range ps {
		switch {
		case p == "{id}":
			if xs[i] == "" {
				return "", false
			}
			id = xs[i]
		case p != xs[i]:
			return "", false
		}
	}
	return id, true
}
