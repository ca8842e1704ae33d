// Package httpserve builds Steadfast's HTTP servers (the worker's webhooks
// now, the web interface later) with the same protective limits, so a slow
// or hostile client cannot hold the process's connections or file
// descriptors:
//
//   - timeouts for the request headers, the whole request, the response and
//     an idle keep-alive connection (Limits);
//   - a cap on open connections, below the process's file-descriptor limit,
//     beyond which new connections wait in the kernel's accept queue;
//   - BodyGuard for endpoints that verify a signature over their body: the
//     signature headers are checked before a byte of the body is read, only
//     a few bodies are read at once, each under its own deadline, and a
//     refused request's connection is closed without draining its body;
//   - LimitedLogger, so refused requests cannot flood the log.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"
)

// Limits are one server's protective settings. DefaultLimits suits an
// endpoint that receives small signed webhooks and health checks.
type Limits struct {
	// ReadHeaderTimeout bounds reading the request line and headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading the whole request, body included. BodyGuard
	// sets a shorter deadline for the bodies it guards.
	ReadTimeout time.Duration
	// WriteTimeout runs from the end of the headers to the end of the
	// response, so it must cover the slowest handler (the Jira sink waits up
	// to 8 s for Temporal).
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request headers.
	MaxHeaderBytes int
	// MaxConns caps the open connections; Listen lowers it to half the
	// process's file-descriptor limit so the database pool, Temporal's
	// connections and log files always have descriptors left.
	MaxConns int
}

// DefaultLimits are the worker's limits; the figures behind them are in the
// README's Security section.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    32 << 10,
		MaxConns:          1024,
	}
}

// Server is an http.Server with Limits applied and its connections counted.
type Server struct {
	addr   string
	limits Limits
	srv    *http.Server
	ln     net.Listener
	open   atomic.Int64
	total  atomic.Int64
}

// Stats are a server's connection counts.
type Stats struct {
	Open     int64 // connections open now
	Accepted int64 // connections accepted since Listen
	MaxConns int   // the cap in force
}

// New prepares a server for addr; nothing listens until Listen. Errors the
// http package would print (a failed TLS handshake, an accept error) go to
// logger at WARN, so pass a LimitedLogger when the address is public.
func New(addr string, h http.Handler, l Limits, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{addr: addr, limits: l}
	s.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				s.open.Add(1)
				s.total.Add(1)
			case http.StateClosed, http.StateHijacked:
				s.open.Add(-1)
			}
		},
	}
	return s
}

// Listen binds the address, so a port already in use is reported at once.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	s.limits.MaxConns = connBudget(s.limits.MaxConns)
	if s.limits.MaxConns > 0 {
		ln = netutil.LimitListener(ln, s.limits.MaxConns)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address (after Listen), e.g. "127.0.0.1:41234".
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.addr
	}
	return s.ln.Addr().String()
}

// Serve answers requests until Shutdown, when it returns nil.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve HTTP on %s: %w", s.Addr(), err)
	}
	return nil
}

// Shutdown stops accepting and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// Limits are the limits in force (MaxConns as lowered by Listen).
func (s *Server) Limits() Limits { return s.limits }

// Stats counts the server's connections.
func (s *Server) Stats() Stats {
	return Stats{Open: s.open.Load(), Accepted: s.total.Load(), MaxConns: s.limits.MaxConns}
}
