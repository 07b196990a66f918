package deploy

import (
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func Dial(addr, user string, signer ssh.Signer) (*ssh.Client, error) {
	hostKeys, err := knownhosts.New("/etc/deploy/known_hosts")
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: hostKeys,
	}
	return ssh.Dial("tcp", addr, cfg)
}
