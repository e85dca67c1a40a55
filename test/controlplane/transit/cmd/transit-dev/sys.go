package main

import (
	"net/http"
	"strings"
	"sync"
)

// documents is an in-memory store of named JSON documents: ACL policies and auth roles. Vault
// validates and compiles both; the dev server keeps what it was given, which is what a client
// reading them back (the operator's tests) can check.
type documents struct {
	mu    sync.Mutex
	items map[string]map[string]any
}

// route serves sys/policies/acl/NAME (PUT, GET, DELETE), auth/MOUNT/role/NAME (POST, PUT, GET,
// DELETE) and auth/MOUNT/config (Kubernetes auth's, POST and GET) with Vault's request and response shapes: writes and deletes answer 204, a read
// of something missing answers 404.
func (d *documents) route(method, path string, body map[string]any) (map[string]any, bool, error) {
	var key string
	var write map[string]any
	if name, ok := strings.CutPrefix(path, "sys/policies/acl/"); ok && name != "" {
		key = "policy/" + name
		if policy, _ := body["policy"].(string); policy != "" {
			write = map[string]any{"name": name, "policy": policy}
		} else if method == http.MethodPut || method == http.MethodPost {
			return nil, true, &apiError{http.StatusBadRequest, "'policy' parameter not supplied or empty"}
		}
	} else if mount, ok := strings.CutSuffix(strings.TrimPrefix(path, "auth/"), "/config"); ok && strings.HasPrefix(path, "auth/") && mount != "" {
		key = "config/" + mount
		write = body
	} else if rest, ok := strings.CutPrefix(path, "auth/"); ok {
		mount, name, found := strings.Cut(rest, "/role/")
		if !found || mount == "" || name == "" {
			return nil, false, nil
		}
		key = "role/" + mount + "/" + name
		write = body
	} else {
		return nil, false, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch method {
	case http.MethodPut, http.MethodPost:
		if write == nil {
			write = map[string]any{}
		}
		d.items[key] = write
		return nil, true, nil
	case http.MethodGet:
		item, exists := d.items[key]
		if !exists {
			return nil, true, &apiError{http.StatusNotFound, ""}
		}
		return item, true, nil
	case http.MethodDelete:
		delete(d.items, key)
		return nil, true, nil
	}
	return nil, true, &apiError{http.StatusMethodNotAllowed, "unsupported operation"}
}

func (d *documents) get(key string) (map[string]any, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	item, exists := d.items[key]
	return item, exists
}

// policyText is an ACL policy's HCL, or "" when there is none by that name.
func (d *documents) policyText(name string) (string, bool) {
	item, exists := d.get("policy/" + name)
	text, _ := item["policy"].(string)
	return text, exists
}
