package vault

import (
	"crypto/aes"
	"crypto/cipher"
)

var fixedIV = []byte("0123456789abcdef")

func Seal(key, padded []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, fixedIV).CryptBlocks(out, padded)
	return out, nil
}
