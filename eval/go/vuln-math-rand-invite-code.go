package invites

import (
	"math/rand"
	"time"
)

const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func init() { rand.Seed(time.Now().UnixNano()) }

func NewInviteCode() string {
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[rand.Intn(len(alphabet))]
	}
	return string(b)
}
