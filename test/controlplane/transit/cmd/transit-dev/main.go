// transit-dev serves the subset of the Vault/OpenBao HTTP API that crashdesk uses (sys/health,
// sys/mounts, the transit secrets engine, ACL policies, and Kubernetes auth: its config, roles and
// logins, whose tokens are held to their policies) from memory, like `bao server -dev`.
//
// The OpenBao server module is not available from the Go module proxy this project can reach,
// but its published SDK is, and the SDK's keysutil package is the key-policy engine behind
// OpenBao's transit engine: key versions, rotation, minimum decryption version and the
// "vault:vN:" ciphertext format. Only the HTTP routing below is ours.
package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/openbao/openbao/sdk/v2/helper/keysutil"
	"github.com/openbao/openbao/sdk/v2/logical"
)

type server struct {
	rootToken string
	locks     *keysutil.LockManager

	mu     sync.Mutex
	mounts map[string]logical.Storage // transit mount path -> its key storage

	documents documents // ACL policies, auth roles and auth config (sys.go)
	tokens    tokens    // tokens issued by Kubernetes-auth logins, checked against their policies (acl.go)
}

type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func main() {
	listen := flag.String("listen", "127.0.0.1:8200", "address to serve HTTP on")
	rootToken := flag.String("root-token", "root", "the only accepted X-Vault-Token")
	flag.Parse()

	locks, err := keysutil.NewLockManager(true, 0)
	if err != nil {
		log.Fatalf("creating key lock manager: %v", err)
	}
	srv := &server{rootToken: *rootToken, locks: locks, mounts: map[string]logical.Storage{}, documents: documents{items: map[string]map[string]any{}}, tokens: tokens{issued: map[string]issuedToken{}}}

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listening on %s: %v", *listen, err)
	}
	httpServer := &http.Server{Handler: srv}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
		<-stop
		_ = httpServer.Shutdown(context.Background())
	}()
	log.Printf("transit-dev listening on http://%s", listener.Addr())
	if err := httpServer.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("serving: %v", err)
	}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	if path == "sys/health" {
		writeJSON(w, http.StatusOK, map[string]any{"initialized": true, "sealed": false, "standby": false})
		return
	}
	var body map[string]any
	if r.Body != nil && r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, &apiError{http.StatusBadRequest, "failed to parse JSON input: " + err.Error()})
			return
		}
	}
	if mount, ok := strings.CutSuffix(strings.TrimPrefix(path, "auth/"), "/login"); ok && strings.HasPrefix(path, "auth/") && r.Method != http.MethodGet {
		issued, err := s.kubernetesLogin(mount, body)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"auth": issued})
		return
	}
	token := r.Header.Get("X-Vault-Token")
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.rootToken)) != 1 {
		issued, known := s.tokens.lookup(token)
		if !known || !s.allowed(issued.policies, r.Method, path, r.URL.Query().Get("list") == "true") {
			writeError(w, &apiError{http.StatusForbidden, "permission denied"})
			return
		}
	}
	data, err := s.route(r.Context(), r.Method, path, body)
	switch {
	case err != nil:
		writeError(w, err)
	case data == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	}
}

func (s *server) route(ctx context.Context, method, path string, body map[string]any) (map[string]any, error) {
	if mount, ok := strings.CutPrefix(path, "sys/mounts/"); ok {
		if method != http.MethodPost && method != http.MethodPut {
			return nil, &apiError{http.StatusMethodNotAllowed, "unsupported operation"}
		}
		return nil, s.mount(mount, body)
	}
	if data, handled, err := s.documents.route(method, path, body); handled {
		return data, err
	}
	for mount, storage := range s.snapshotMounts() {
		rest, ok := strings.CutPrefix(path, mount+"/")
		if !ok {
			continue
		}
		return transitRoute(ctx, s.locks, storage, method, rest, body)
	}
	return nil, &apiError{http.StatusNotFound, "no handler for route \"" + path + "\""}
}

func (s *server) mount(path string, body map[string]any) error {
	if kind, _ := body["type"].(string); kind != "transit" {
		return &apiError{http.StatusBadRequest, fmt.Sprintf("plugin not found in the catalog: %v", body["type"])}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.mounts[path]; exists {
		return &apiError{http.StatusBadRequest, "path is already in use at " + path + "/"}
	}
	s.mounts[path] = &logical.InmemStorage{}
	return nil
}

func (s *server) snapshotMounts() map[string]logical.Storage {
	s.mu.Lock()
	defer s.mu.Unlock()
	copied := make(map[string]logical.Storage, len(s.mounts))
	for path, storage := range s.mounts {
		copied[path] = storage
	}
	return copied
}

func writeError(w http.ResponseWriter, err error) {
	var batch *batchError
	if errors.As(err, &batch) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"data": map[string]any{"batch_results": batch.results}})
		return
	}
	var known *apiError
	if !errors.As(err, &known) {
		known = &apiError{http.StatusInternalServerError, err.Error()}
	}
	writeJSON(w, known.status, map[string]any{"errors": []string{known.message}})
}

func writeJSON(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(value)
}
