package preflight_test

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/preflight"
)

// tlsServer starts a loopback TLS server presenting leaf and its issuer and
// records the SNI it was asked for.
func tlsServer(t *testing.T, leaf, inter *testpki.CA) (addr string, sni <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 4)
	cert := tls.Certificate{Certificate: [][]byte{leaf.Cert.X.Raw, inter.Cert.X.Raw}, PrivateKey: leaf.Key}
	cfg := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		got <- h.ServerName
		return &cert, nil
	}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := tls.Server(c, cfg)
				_ = tc.Handshake()
			}()
		}
	}()
	return ln.Addr().String(), got
}

// Connect records the chain a real TLS server presents, in order, sends
// the host as SNI, and makes no trust decision of its own (the test root
// is trusted nowhere).
func TestConnectRecordsPresentedChain(t *testing.T) {
	root := testpki.NewRoot("Connect Root", testpki.ECDSA)
	inter := root.NewIntermediate("Connect CA", testpki.ECDSA)
	leaf := inter.NewLeaf("mail.contoso.test", testpki.ECDSA)
	addr, sni := tlsServer(t, leaf, inter)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	ch, err := preflight.Connect(context.Background(), "mail.contoso.test:443", preflight.ConnectOptions{Dialer: dial})
	require.NoError(t, err)
	require.Len(t, ch.Certs, 2)
	assert.Equal(t, leaf.Cert.SHA1, ch.Leaf().SHA1)
	assert.Equal(t, inter.Cert.SHA1, ch.Extra()[0].SHA1)
	assert.Equal(t, "mail.contoso.test:443", ch.Source)
	assert.Equal(t, "mail.contoso.test", <-sni)

	_, err = preflight.Connect(context.Background(), "mail.contoso.test:443", preflight.ConnectOptions{Dialer: dial, ServerName: "owa.contoso.test"})
	require.NoError(t, err)
	assert.Equal(t, "owa.contoso.test", <-sni)
}

// A server that accepts the connection but never answers the handshake is
// bounded by the timeout; an address without a port is refused.
func TestConnectBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent
		}
	}()
	start := time.Now()
	_, err = preflight.Connect(context.Background(), ln.Addr().String(), preflight.ConnectOptions{Timeout: 300 * time.Millisecond})
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	var ce *preflight.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "no TLS handshake within 300ms")
	assert.Contains(t, err.Error(), ln.Addr().String())

	_, err = preflight.Connect(context.Background(), "mail.contoso.test", preflight.ConnectOptions{})
	assert.ErrorContains(t, err, "want host:port")
}
