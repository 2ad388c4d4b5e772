// Package blackhole is a loopback TCP proxy for tests that can stop
// answering the way a network that drops packets does: connections are
// still accepted and kept open, but no byte goes through in either
// direction, so the client sees no error, only silence. It can then
// recover, and each connection that lived through the black hole either
// stays silent (as a real TCP connection does while its retransmissions are
// backing off, which can last minutes) or resumes and delivers everything
// it held (as TCP does once a retransmission gets through).
package blackhole

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards connections made to Addr to a target address.
type Proxy struct {
	target string
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	holed  bool // new connections start stalled
	links  map[*link]struct{}
	closed bool
}

// New starts a proxy on 127.0.0.1 that forwards to target, and closes it
// when the test ends.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("blackhole: listen: %v", err)
	}
	p := &Proxy{target: target, ln: ln, links: map[*link]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's address, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Blackhole stops all forwarding: connections open and new ones are
// accepted, and every byte sent either way is held.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holed = true
	for l := range p.links {
		l.stall(true)
	}
}

// Recover forwards new connections again; connections that lived through
// the black hole stay silent until Resume (or Close).
func (p *Proxy) Recover() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holed = false
}

// Resume recovers and lets every stalled connection deliver what it held
// and forward again.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holed = false
	for l := range p.links {
		l.stall(false)
	}
}

// Close stops accepting and closes every connection. It is safe to call
// more than once.
func (p *Proxy) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		p.ln.Close()
		for l := range p.links {
			l.close()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// serve forwards one client connection.
func (p *Proxy) serve(c net.Conn) {
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	l := &link{a: c, b: d}
	l.cond = sync.NewCond(&l.mu)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close()
		return
	}
	l.stalled = p.holed
	p.links[l] = struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { l.pump(d, c) })
	wg.Go(func() { l.pump(c, d) })
	wg.Wait()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// link is one forwarded connection: a (client side) and b (target side).
type link struct {
	a, b    net.Conn
	mu      sync.Mutex
	cond    *sync.Cond
	stalled bool
	closed  bool
}

func (l *link) stall(on bool) {
	l.mu.Lock()
	l.stalled = on
	l.mu.Unlock()
	l.cond.Broadcast()
}

// pass waits while the link is stalled and reports whether it is still
// open.
func (l *link) pass() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.stalled && !l.closed {
		l.cond.Wait()
	}
	return !l.closed
}

func (l *link) close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		l.a.Close()
		l.b.Close()
	}
	l.mu.Unlock()
	l.cond.Broadcast()
}

// pump copies src to dst, holding what it read (and the end of the
// stream) while the link is stalled.
func (l *link) pump(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if !l.pass() {
			return
		}
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				l.close()
				return
			}
		}
		if err != nil {
			l.close()
			return
		}
	}
}
