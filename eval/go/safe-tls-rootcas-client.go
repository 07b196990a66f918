package partner

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"time"
)

func NewClient() (*http.Client, error) {
	pem, err := os.ReadFile("/etc/ssl/partner-ca.pem")
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}, nil
}
