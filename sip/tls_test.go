package siprec

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"earshot/recorder"
)

// selfSigned makes a certificate for 127.0.0.1, for a test server.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "earshot test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestOptionsOverTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	cfg := Config{TLSListen: "127.0.0.1:0", TLS: &tls.Config{Certificates: []tls.Certificate{cert}}}
	tr := startTestRecorderWith(t, cfg, recorder.Config{PortLow: 36800, PortHigh: 36899})
	conn, err := tls.Dial("tcp", tr.tlsAddr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatalf("tls handshake with the recorder: %v", err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	fmt.Fprintf(conn, "OPTIONS sip:rec@%s;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS %s;branch=z9hG4bKtls1\r\n"+
		"From: <sip:sbc@example.com>;tag=t1\r\nTo: <sip:rec@%s>\r\nCall-ID: tls1\r\nCSeq: 1 OPTIONS\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", tr.tlsAddr, local, tr.tlsAddr)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer over tls: %v", err)
	}
	if !strings.HasPrefix(status, "SIP/2.0 200") {
		t.Errorf("answer over tls: %q, want 200", status)
	}
}
