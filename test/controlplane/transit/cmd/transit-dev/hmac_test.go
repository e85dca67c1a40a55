package main

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/openbao/openbao/sdk/v2/helper/keysutil"
	"github.com/openbao/openbao/sdk/v2/logical"
)

// The audit chain's heads are signed with transit/hmac and checked with transit/verify.
func TestHMACVerifiesAcrossRotationAndRefusesAnother(t *testing.T) {
	ctx := context.Background()
	locks, err := keysutil.NewLockManager(true, 0)
	if err != nil {
		t.Fatal(err)
	}
	storage := &logical.InmemStorage{}
	call := func(path string, body map[string]any) map[string]any {
		t.Helper()
		data, err := transitRoute(ctx, locks, storage, "POST", path, body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return data
	}
	input := base64.StdEncoding.EncodeToString([]byte(`["crashdesk-audit-head/1","london","7","ab"]`))
	call("keys/crashdesk-london", map[string]any{})
	first := call("hmac/crashdesk-london", map[string]any{"input": input})["hmac"].(string)
	if !strings.HasPrefix(first, "vault:v1:") {
		t.Fatalf("hmac %q does not name version 1", first)
	}
	call("keys/crashdesk-london/rotate", nil)
	second := call("hmac/crashdesk-london/sha2-256", map[string]any{"input": input})["hmac"].(string)
	if !strings.HasPrefix(second, "vault:v2:") || second[9:] == first[9:] {
		t.Fatalf("after rotation the hmac %q should be made with a new key version 2", second)
	}
	for _, hmac := range []string{first, second} {
		if valid := call("verify/crashdesk-london", map[string]any{"input": input, "hmac": hmac})["valid"]; valid != true {
			t.Fatalf("%s did not verify: %v", hmac, valid)
		}
	}
	other := base64.StdEncoding.EncodeToString([]byte("another head"))
	if valid := call("verify/crashdesk-london", map[string]any{"input": other, "hmac": second})["valid"]; valid != false {
		t.Fatalf("an HMAC of another input verified: %v", valid)
	}
	if _, err := transitRoute(ctx, locks, storage, "POST", "verify/crashdesk-london", map[string]any{"input": input, "hmac": "not-an-hmac"}); err == nil {
		t.Fatal("a malformed HMAC was not refused")
	}
}
