package preflight

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/winchain/winchain/certs"
)

// Chain is what a server presents in its TLS handshake: the end
// certificate first, then the certificates it sends with it (they reach a
// Windows client's chain build as hAdditionalStore).
type Chain struct {
	// Certs holds the end certificate and the sent certificates, in order.
	Certs []*certs.Certificate
	// Source names where the chain came from (a file, or host:port).
	Source string
}

// Leaf returns the end certificate (nil for an empty chain).
func (c *Chain) Leaf() *certs.Certificate {
	if c == nil || len(c.Certs) == 0 {
		return nil
	}
	return c.Certs[0]
}

// Extra returns the certificates sent with the end certificate.
func (c *Chain) Extra() []*certs.Certificate {
	if c == nil || len(c.Certs) < 2 {
		return nil
	}
	return c.Certs[1:]
}

// LoadChain reads a chain file: PEM (a bundle: the first certificate is
// the end certificate, the others are sent with it), DER, or PKCS#7 (.p7b,
// whose end certificate is found by certs.LoadFile).
func LoadChain(path string) (*Chain, error) {
	cs, err := certs.LoadFile(path)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, &certs.ParseError{Input: path, Err: fmt.Errorf("%w: no certificate in the file", certs.ErrNotCertificate)}
	}
	return &Chain{Certs: cs, Source: path}, nil
}

// DefaultConnectTimeout bounds a Connect (TCP connect and TLS handshake
// together) when ConnectOptions.Timeout is zero: long enough for a server
// across the world, short enough that a firewall that drops packets does
// not hang a CI job.
const DefaultConnectTimeout = 10 * time.Second

// ConnectOptions tune Connect. The zero value connects with SNI = the host
// of the address and a DefaultConnectTimeout bound.
type ConnectOptions struct {
	// ServerName is the SNI sent; empty means the host part of the address.
	ServerName string
	// Timeout bounds the TCP connect and the handshake; zero means
	// DefaultConnectTimeout.
	Timeout time.Duration
	// Dialer, if set, opens the TCP connection (tests, proxies). Nil means
	// a net.Dialer.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// ConnectError is a failed Connect; it names the address.
type ConnectError struct {
	Addr string
	Err  error
}

// Error names the address and the cause.
func (e *ConnectError) Error() string {
	return fmt.Sprintf("--connect %s: %v", e.Addr, e.Err)
}

// Unwrap returns the cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// Connect makes a TLS handshake with addr (host:port) and returns the chain
// the server presented, in the order it was sent. No trust decision is
// made here: Go's verifier is switched off (InsecureSkipVerify) and the
// certificates are only recorded, because the point is to judge them as a
// Windows client would, with Analyze. The connection is closed before
// Connect returns. crypto/tls parses the certificates during the
// handshake, so a certificate it refuses (but Windows might load) fails
// the connection (docs/windows-divergences.md).
func Connect(ctx context.Context, addr string, opts ConnectOptions) (*Chain, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &ConnectError{Addr: addr, Err: errors.New("want host:port")}
	}
	sni := opts.ServerName
	if sni == "" {
		sni = host
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := opts.Dialer
	if dial == nil {
		d := &net.Dialer{}
		dial = d.DialContext
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, &ConnectError{Addr: addr, Err: err}
	}
	defer raw.Close()
	var presented [][]byte
	cfg := &tls.Config{
		ServerName: sni,
		// The presented chain is judged by Analyze as Windows would; Go's
		// verifier must not decide (nor refuse what Windows accepts).
		InsecureSkipVerify: true, //nolint:gosec // recording, not trusting
		VerifyPeerCertificate: func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
			presented = rawCerts
			return nil
		},
	}
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("no TLS handshake within %s: %w", timeout, err)
		}
		return nil, &ConnectError{Addr: addr, Err: err}
	}
	_ = conn.Close()
	if len(presented) == 0 {
		return nil, &ConnectError{Addr: addr, Err: errors.New("the server presented no certificate")}
	}
	ch := &Chain{Source: addr}
	for i, der := range presented {
		c, err := certs.Parse(der)
		if err != nil {
			return nil, &ConnectError{Addr: addr, Err: fmt.Errorf("presented certificate %d: %w", i, err)}
		}
		ch.Certs = append(ch.Certs, c)
	}
	return ch, nil
}
