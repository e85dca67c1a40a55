package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/openbao/openbao/sdk/v2/helper/errutil"
	"github.com/openbao/openbao/sdk/v2/helper/keysutil"
	"github.com/openbao/openbao/sdk/v2/logical"
)

// transitRoute serves keys/NAME, keys/NAME/rotate, encrypt/NAME, decrypt/NAME, rewrap/NAME,
// datakey/{plaintext,wrapped}/NAME, hmac/NAME and verify/NAME (HMAC only) of one transit mount,
// with the request and response shapes of the Vault HTTP API.
func transitRoute(ctx context.Context, locks *keysutil.LockManager, storage logical.Storage, method, path string, body map[string]any) (map[string]any, error) {
	operation, name, found := strings.Cut(path, "/")
	if !found || name == "" {
		return nil, &apiError{http.StatusNotFound, "no handler for route \"" + path + "\""}
	}
	request := keysutil.PolicyRequest{Storage: storage, Name: name, KeyType: keysutil.KeyType_AES256_GCM96}
	switch {
	case operation == "keys" && strings.HasSuffix(name, "/rotate") && method == http.MethodPost:
		request.Name = strings.TrimSuffix(name, "/rotate")
		return rotateKey(ctx, locks, request)
	case operation == "keys" && strings.HasSuffix(name, "/config") && method == http.MethodPost:
		request.Name = strings.TrimSuffix(name, "/config")
		return configureKey(ctx, locks, request, body)
	case operation == "keys" && method == http.MethodDelete:
		if err := locks.DeletePolicy(ctx, storage, name); err != nil {
			return nil, &apiError{http.StatusBadRequest, err.Error()}
		}
		return nil, nil
	case operation == "keys" && method == http.MethodGet:
		return readKey(ctx, locks, request)
	case operation == "keys" && method == http.MethodPost:
		request.Upsert = true
		if keyType, _ := body["type"].(string); keyType != "" && keyType != "aes256-gcm96" {
			return nil, &apiError{http.StatusBadRequest, "unsupported key type " + keyType + " (transit-dev serves aes256-gcm96 only)"}
		}
		policy, _, err := locks.GetPolicy(ctx, request, rand.Reader)
		if err != nil {
			return nil, err
		}
		policy.Unlock()
		return readKey(ctx, locks, request)
	case operation == "encrypt" && method == http.MethodPost:
		// Like Vault, encrypting with a key that does not exist yet creates it.
		request.Upsert = true
		return eachItem(ctx, locks, request, body, encryptItem)
	case operation == "decrypt" && method == http.MethodPost:
		return eachItem(ctx, locks, request, body, decryptItem)
	case operation == "rewrap" && method == http.MethodPost:
		return eachItem(ctx, locks, request, body, rewrapItem)
	case operation == "datakey" && method == http.MethodPost:
		kind, keyName, _ := strings.Cut(name, "/")
		if (kind != "plaintext" && kind != "wrapped") || keyName == "" {
			return nil, &apiError{http.StatusBadRequest, "invalid type " + kind + ": use plaintext or wrapped"}
		}
		request.Name = keyName
		return eachItem(ctx, locks, request, body, dataKeyItem(kind == "plaintext"))
	case (operation == "hmac" || operation == "verify") && method == http.MethodPost:
		// hmac/NAME[/ALGORITHM]: sha2-256 is the default and the one algorithm served.
		keyName, algorithm, _ := strings.Cut(name, "/")
		if bodyAlgorithm, _ := body["algorithm"].(string); algorithm == "" {
			algorithm = bodyAlgorithm
		}
		if algorithm != "" && algorithm != "sha2-256" {
			return nil, &apiError{http.StatusBadRequest, "unsupported algorithm " + algorithm + " (transit-dev serves sha2-256 only)"}
		}
		request.Name = keyName
		if operation == "hmac" {
			return eachItem(ctx, locks, request, body, hmacItem)
		}
		return eachItem(ctx, locks, request, body, verifyHMACItem)
	}
	return nil, &apiError{http.StatusNotFound, "no handler for route \"" + path + "\""}
}

func readKey(ctx context.Context, locks *keysutil.LockManager, request keysutil.PolicyRequest) (map[string]any, error) {
	policy, _, err := locks.GetPolicy(ctx, request, rand.Reader)
	if err != nil {
		return nil, err
	}
	if policy == nil {
		return nil, &apiError{http.StatusNotFound, "key not found"}
	}
	defer policy.Unlock()
	versions := map[string]int64{}
	for version, entry := range policy.Keys {
		versions[version] = entry.DeprecatedCreationTime
	}
	return map[string]any{
		"name":                   policy.Name,
		"type":                   policy.Type.String(),
		"latest_version":         policy.LatestVersion,
		"min_decryption_version": policy.MinDecryptionVersion,
		"min_encryption_version": policy.MinEncryptionVersion,
		"keys":                   versions,
		"supports_encryption":    true,
		"supports_decryption":    true,
	}, nil
}

// configureKey applies keys/NAME/config's deletion_allowed, the one setting crashdesk changes.
func configureKey(ctx context.Context, locks *keysutil.LockManager, request keysutil.PolicyRequest, body map[string]any) (map[string]any, error) {
	policy, _, err := locks.GetPolicyExclusive(ctx, request, rand.Reader)
	if err != nil {
		return nil, err
	}
	if policy == nil {
		return nil, &apiError{http.StatusBadRequest, "encryption key not found"}
	}
	defer policy.Unlock()
	if allowed, ok := body["deletion_allowed"].(bool); ok {
		policy.DeletionAllowed = allowed
		if err := policy.Persist(ctx, request.Storage); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func rotateKey(ctx context.Context, locks *keysutil.LockManager, request keysutil.PolicyRequest) (map[string]any, error) {
	policy, _, err := locks.GetPolicyExclusive(ctx, request, rand.Reader)
	if err != nil {
		return nil, err
	}
	if policy == nil {
		return nil, &apiError{http.StatusBadRequest, "encryption key not found"}
	}
	err = policy.Rotate(ctx, request.Storage, rand.Reader)
	policy.Unlock()
	if err != nil {
		return nil, err
	}
	return readKey(ctx, locks, request)
}

type itemOperation func(policy *keysutil.Policy, item map[string]any) (map[string]any, error)

// eachItem applies one operation to the request body, or to each element of its batch_input.
// As in Vault, a failed element carries its own error and makes the whole response a 400.
func eachItem(ctx context.Context, locks *keysutil.LockManager, request keysutil.PolicyRequest, body map[string]any, operation itemOperation) (map[string]any, error) {
	policy, _, err := locks.GetPolicy(ctx, request, rand.Reader)
	if err != nil {
		return nil, err
	}
	if policy == nil {
		return nil, &apiError{http.StatusBadRequest, "encryption key not found"}
	}
	defer policy.Unlock()

	batch, isBatch := body["batch_input"].([]any)
	if !isBatch {
		return operation(policy, body)
	}
	results := make([]map[string]any, len(batch))
	failed := false
	for i, raw := range batch {
		item, _ := raw.(map[string]any)
		result, err := operation(policy, item)
		if err != nil {
			failed = true
			result = map[string]any{"error": err.Error()}
		}
		results[i] = result
	}
	if failed {
		return nil, &batchError{results}
	}
	return map[string]any{"batch_results": results}, nil
}

func encryptItem(policy *keysutil.Policy, item map[string]any) (map[string]any, error) {
	plaintext, ok := item["plaintext"].(string)
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "missing plaintext to encrypt"}
	}
	keyVersion, err := intField(item, "key_version")
	if err != nil {
		return nil, err
	}
	encryptionContext, err := contextField(item)
	if err != nil {
		return nil, err
	}
	ciphertext, err := policy.Encrypt(keyVersion, encryptionContext, nil, plaintext)
	if err != nil {
		return nil, userFacing(err)
	}
	if keyVersion == 0 {
		keyVersion = policy.LatestVersion
	}
	return map[string]any{"ciphertext": ciphertext, "key_version": keyVersion}, nil
}

func decryptItem(policy *keysutil.Policy, item map[string]any) (map[string]any, error) {
	ciphertext, ok := item["ciphertext"].(string)
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "missing ciphertext to decrypt"}
	}
	encryptionContext, err := contextField(item)
	if err != nil {
		return nil, err
	}
	plaintext, err := policy.Decrypt(encryptionContext, nil, ciphertext)
	if err != nil {
		return nil, userFacing(err)
	}
	return map[string]any{"plaintext": plaintext}, nil
}

func rewrapItem(policy *keysutil.Policy, item map[string]any) (map[string]any, error) {
	decrypted, err := decryptItem(policy, item)
	if err != nil {
		return nil, err
	}
	return encryptItem(policy, map[string]any{"plaintext": decrypted["plaintext"], "context": item["context"], "key_version": item["key_version"]})
}

// hmacItem returns "vault:vN:" and the base64 HMAC-SHA-256 of the base64 "input" under the HMAC
// key of version N (default: the latest), as Vault's transit/hmac does.
func hmacItem(policy *keysutil.Policy, item map[string]any) (map[string]any, error) {
	input, err := inputField(item)
	if err != nil {
		return nil, err
	}
	version, err := intField(item, "key_version")
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = policy.LatestVersion
	}
	if policy.MinEncryptionVersion > 0 && version < policy.MinEncryptionVersion {
		return nil, &apiError{http.StatusBadRequest, "cannot generate HMAC: version is too old (disallowed by policy)"}
	}
	sum, err := hmacWith(policy, version, input)
	if err != nil {
		return nil, err
	}
	return map[string]any{"hmac": fmt.Sprintf("vault:v%d:%s", version, base64.StdEncoding.EncodeToString(sum))}, nil
}

// verifyHMACItem answers whether "hmac" is the HMAC of "input", as Vault's transit/verify does for
// HMACs: valid or not for a well-formed one, an error for one it cannot check at all.
func verifyHMACItem(policy *keysutil.Policy, item map[string]any) (map[string]any, error) {
	input, err := inputField(item)
	if err != nil {
		return nil, err
	}
	given, _ := item["hmac"].(string)
	rest, ok := strings.CutPrefix(given, "vault:v")
	versionText, encoded, found := strings.Cut(rest, ":")
	version, versionErr := strconv.Atoi(versionText)
	if !ok || !found || versionErr != nil {
		return nil, &apiError{http.StatusBadRequest, "invalid HMAC to verify: no prefix"}
	}
	if version > policy.LatestVersion {
		return nil, &apiError{http.StatusBadRequest, "invalid HMAC version"}
	}
	if policy.MinDecryptionVersion > 0 && version < policy.MinDecryptionVersion {
		return nil, &apiError{http.StatusBadRequest, "HMAC key version is too old (disallowed by policy)"}
	}
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "invalid HMAC: not base64"}
	}
	sum, err := hmacWith(policy, version, input)
	if err != nil {
		return nil, err
	}
	return map[string]any{"valid": hmac.Equal(sum, decoded)}, nil
}

func hmacWith(policy *keysutil.Policy, version int, input []byte) ([]byte, error) {
	key, err := policy.HMACKey(version)
	if err != nil {
		return nil, userFacing(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(input)
	return mac.Sum(nil), nil
}

func inputField(item map[string]any) ([]byte, error) {
	value, ok := item["input"].(string)
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "missing input for HMAC"}
	}
	decoded, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "unable to decode input as base64"}
	}
	return decoded, nil
}

// contextField decodes the base64 "context" that derived keys need; plain keys ignore it.
// dataKeyItem makes a random key of `bits` (default 256) and returns it encrypted under the
// transit key, and also in plaintext for the "plaintext" flavour.
func dataKeyItem(includePlaintext bool) itemOperation {
	return func(policy *keysutil.Policy, item map[string]any) (map[string]any, error) {
		bits, err := intField(item, "bits")
		if err != nil {
			return nil, err
		}
		if bits == 0 {
			bits = 256
		}
		if bits != 128 && bits != 256 && bits != 512 {
			return nil, &apiError{http.StatusBadRequest, "invalid bits value: use 128, 256 or 512"}
		}
		dataKey := make([]byte, bits/8)
		if _, err := rand.Read(dataKey); err != nil {
			return nil, err
		}
		plaintext := base64.StdEncoding.EncodeToString(dataKey)
		encrypted, err := encryptItem(policy, map[string]any{"plaintext": plaintext, "context": item["context"]})
		if err != nil {
			return nil, err
		}
		if includePlaintext {
			encrypted["plaintext"] = plaintext
		}
		return encrypted, nil
	}
}

func contextField(item map[string]any) ([]byte, error) {
	value, _ := item["context"].(string)
	if value == "" {
		return nil, nil
	}
	decoded, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "failed to base64-decode context"}
	}
	return decoded, nil
}

func intField(item map[string]any, name string) (int, error) {
	switch value := item[name].(type) {
	case nil:
		return 0, nil
	case float64:
		return int(value), nil
	case string:
		parsed, err := strconv.Atoi(value)
		if err != nil {
			return 0, &apiError{http.StatusBadRequest, name + " must be an integer"}
		}
		return parsed, nil
	}
	return 0, &apiError{http.StatusBadRequest, name + " must be an integer"}
}

// userFacing turns the SDK's user errors (bad input, authentication failure) into 400s; anything
// else stays a 500.
func userFacing(err error) error {
	var userError errutil.UserError
	if errors.As(err, &userError) {
		return &apiError{http.StatusBadRequest, userError.Error()}
	}
	return err
}

type batchError struct {
	results []map[string]any
}

func (e *batchError) Error() string { return "one or more batch items failed" }
