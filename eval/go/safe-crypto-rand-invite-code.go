package invites

import (
	"crypto/rand"
	"math/big"
	mrand "math/rand"
	"time"
)

const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func NewInviteCode() (string, error) {
	b := make([]byte, 10)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b), nil
}

func retryDelay() time.Duration {
	return time.Duration(500+mrand.Intn(500)) * time.Millisecond
}
