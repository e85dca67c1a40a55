// testpki writes the certificates a throwaway control plane needs into one directory: a CA, the
// kube-apiserver serving certificate, one client certificate per identity and the service-account
// signing key. Node's crypto module cannot issue X.509 certificates, and relying on an openssl
// binary would be one more thing for a fresh machine to lack.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

type identity struct {
	file         string
	commonName   string
	organization []string
}

// The identities follow the names that kube-apiserver's bootstrap RBAC policy grants rights to.
var clients = []identity{
	{"admin", "crashdesk-admin", []string{"system:masters"}},
	{"kube-controller-manager", "system:kube-controller-manager", nil},
	{"kube-scheduler", "system:kube-scheduler", nil},
	// The API server's aggregation layer presents this one to extension API servers.
	{"front-proxy-client", "front-proxy-client", nil},
}

func main() {
	dir := flag.String("dir", "", "directory to write the PEM files into")
	serviceIP := flag.String("service-ip", "10.0.0.1", "cluster IP of the kubernetes Service")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "testpki: -dir is required")
		os.Exit(2)
	}
	if err := writeAll(*dir, net.ParseIP(*serviceIP)); err != nil {
		fmt.Fprintln(os.Stderr, "testpki:", err)
		os.Exit(1)
	}
}

func writeAll(dir string, serviceIP net.IP) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTemplate := template("crashdesk-test-ca", nil)
	caTemplate.IsCA = true
	caTemplate.BasicConstraintsValid = true
	caTemplate.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, caKey.Public(), caKey)
	if err != nil {
		return fmt.Errorf("creating CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writePair(dir, "ca", caDER, caKey); err != nil {
		return err
	}

	serving := template("kube-apiserver", nil)
	serving.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	serving.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, serviceIP}
	serving.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
	if err := issue(dir, "apiserver", serving, ca, caKey); err != nil {
		return err
	}
	for _, client := range clients {
		clientTemplate := template(client.commonName, client.organization)
		clientTemplate.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		if err := issue(dir, client.file, clientTemplate, ca, caKey); err != nil {
			return err
		}
	}

	serviceAccountKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	if err := writeKey(filepath.Join(dir, "service-account.key"), serviceAccountKey); err != nil {
		return err
	}
	publicDER, err := x509.MarshalPKIXPublicKey(serviceAccountKey.Public())
	if err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "service-account.pub"), "PUBLIC KEY", publicDER)
}

func template(commonName string, organization []string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName, Organization: organization},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
}

func issue(dir, name string, certTemplate, ca *x509.Certificate, caKey crypto.Signer) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, certTemplate, ca, key.Public(), caKey)
	if err != nil {
		return fmt.Errorf("issuing %s certificate: %w", name, err)
	}
	return writePair(dir, name, der, key)
}

func writePair(dir, name string, certificateDER []byte, key *ecdsa.PrivateKey) error {
	if err := writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", certificateDER); err != nil {
		return err
	}
	return writeKey(filepath.Join(dir, name+".key"), key)
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der)
}

func writePEM(path, blockType string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600)
}
