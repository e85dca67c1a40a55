package main

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kubernetes auth as Vault serves it: auth/MOUNT/config (kubernetes_host, kubernetes_ca_cert,
// token_reviewer_jwt), and auth/MOUNT/login (role, jwt), which asks the API server's TokenReview
// who the JWT is, checks the role's bound ServiceAccount names and namespaces, and issues a token
// carrying the role's token_policies for its token_ttl.
func (s *server) kubernetesLogin(mount string, body map[string]any) (map[string]any, error) {
	config, exists := s.documents.get("config/" + mount)
	if !exists {
		return nil, &apiError{http.StatusBadRequest, "could not load backend configuration"}
	}
	roleName, _ := body["role"].(string)
	jwt, _ := body["jwt"].(string)
	role, exists := s.documents.get("role/" + mount + "/" + roleName)
	if roleName == "" || !exists {
		return nil, &apiError{http.StatusBadRequest, fmt.Sprintf("invalid role name %q", roleName)}
	}
	namespace, name, err := reviewToken(config, jwt)
	if err != nil {
		return nil, &apiError{http.StatusForbidden, "permission denied: " + err.Error()}
	}
	if !bound(role["bound_service_account_names"], name) || !bound(role["bound_service_account_namespaces"], namespace) {
		return nil, &apiError{http.StatusForbidden, "permission denied: service account name or namespace not authorized"}
	}
	policies := stringList(role["token_policies"])
	ttl := duration(role["token_ttl"], time.Hour)
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	token := "s." + hex.EncodeToString(random)
	s.tokens.issue(token, policies, ttl)
	return map[string]any{"client_token": token, "policies": policies, "token_policies": policies, "lease_duration": int(ttl.Seconds()), "renewable": true}, nil
}

// reviewToken asks the API server who a ServiceAccount JWT belongs to.
func reviewToken(config map[string]any, jwt string) (namespace, name string, err error) {
	host, _ := config["kubernetes_host"].(string)
	caPEM, _ := config["kubernetes_ca_cert"].(string)
	reviewer, _ := config["token_reviewer_jwt"].(string)
	if reviewer == "" {
		reviewer = jwt // Vault's fallback: the client's own JWT reviews itself (it then needs system:auth-delegator).
	}
	pool := x509.NewCertPool()
	if caPEM != "" && !pool.AppendCertsFromPEM([]byte(caPEM)) {
		return "", "", fmt.Errorf("kubernetes_ca_cert holds no certificate")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	review, _ := json.Marshal(map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": map[string]any{"token": jwt}})
	request, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(host, "/")+"/apis/authentication.k8s.io/v1/tokenreviews", bytes.NewReader(review))
	if err != nil {
		return "", "", err
	}
	request.Header.Set("Authorization", "Bearer "+reviewer)
	request.Header.Set("Content-Type", "application/json")
	response, err := client.Do(request)
	if err != nil {
		return "", "", err
	}
	defer response.Body.Close()
	var result struct {
		Status struct {
			Authenticated bool   `json:"authenticated"`
			Error         string `json:"error"`
			User          struct {
				Username string `json:"username"`
			} `json:"user"`
		} `json:"status"`
	}
	if response.StatusCode != http.StatusCreated && response.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("the TokenReview answered %d", response.StatusCode)
	}
	if err := json.NewDecoder(response.Body).Decode(&result); err != nil {
		return "", "", err
	}
	if !result.Status.Authenticated {
		return "", "", fmt.Errorf("the JWT is not valid: %s", result.Status.Error)
	}
	parts := strings.Split(result.Status.User.Username, ":")
	if len(parts) != 4 || parts[0] != "system" || parts[1] != "serviceaccount" {
		return "", "", fmt.Errorf("%s is not a service account", result.Status.User.Username)
	}
	return parts[2], parts[3], nil
}

func stringList(value any) []string {
	switch typed := value.(type) {
	case []any:
		var out []string
		for _, item := range typed {
			if text, ok := item.(string); ok {
				out = append(out, text)
			}
		}
		return out
	case string:
		return strings.Split(typed, ",")
	}
	return nil
}

func bound(value any, candidate string) bool {
	list := stringList(value)
	return slices.Contains(list, "*") || slices.Contains(list, candidate)
}

// duration reads a TTL as Vault takes it: seconds, or a Go duration such as 1h.
func duration(value any, fallback time.Duration) time.Duration {
	switch typed := value.(type) {
	case float64:
		return time.Duration(typed) * time.Second
	case string:
		if seconds, err := strconv.Atoi(typed); err == nil {
			return time.Duration(seconds) * time.Second
		}
		if parsed, err := time.ParseDuration(typed); err == nil {
			return parsed
		}
	}
	return fallback
}
