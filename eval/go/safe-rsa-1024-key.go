package certs

import (
	"crypto/rand"
	"crypto/rsa"
)

func newDeviceKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 3072)
}
