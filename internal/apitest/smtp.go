package apitest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message an SMTP sink received.
type Mail struct {
	From string
	To   []string
	Data string
}

// SMTPSink is a real SMTP server, in process, that keeps what it receives.
type SMTPSink struct {
	URL  string
	mu   sync.Mutex
	mail []Mail
}

// StartSMTP runs an SMTP sink on a free port until the test ends.
func StartSMTP(tb testing.TB) *SMTPSink {
	tb.Helper()
	sink := &SMTPSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	sink.URL = "smtp://" + l.Addr().String() + "?from=invites@opentalent.test"
	return sink
}

// Messages returns a copy of what arrived so far.
func (s *SMTPSink) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// WaitFor waits until at least n messages arrived, or the timeout passes,
// and returns what arrived.
func (s *SMTPSink) WaitFor(n int, timeout time.Duration) []Mail {
	deadline := time.Now().Add(timeout)
	for {
		m := s.Messages()
		if len(m) >= n || time.Now().After(deadline) {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type sinkSession struct {
	sink *SMTPSink
	cur  Mail
}

func (s *sinkSession) Reset()        { s.cur = Mail{} }
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.From = from
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.sink.mu.Lock()
	s.sink.mail = append(s.sink.mail, s.cur)
	s.sink.mu.Unlock()
	return nil
}
