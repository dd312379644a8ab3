package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/url"
	"strings"

	"github.com/riverqueue/river"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
)

// Mailer sends one plain-text email.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// NewMailer returns an SMTP mailer for a URL like
// smtp://user:pass@host:587?from=noreply@example.org, or, for an empty URL, a
// mailer that writes each message to the log.
func NewMailer(rawURL string, logger *slog.Logger) (Mailer, error) {
	if rawURL == "" {
		return LogMailer{Logger: logger}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("TALENT_SMTP_URL must look like smtp://[user:pass@]host:port?from=ADDRESS, got %q", rawURL)
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		u.Host = net.JoinHostPort(u.Host, "25")
	}
	from := u.Query().Get("from")
	if from == "" {
		from = "noreply@opentalent.invalid"
	}
	return &SMTPMailer{Addr: u.Host, From: from, User: u.User}, nil
}

// LogMailer records messages in the log instead of sending them.
type LogMailer struct{ Logger *slog.Logger }

// Send logs the message.
func (m LogMailer) Send(ctx context.Context, to, subject, body string) error {
	m.Logger.InfoContext(ctx, "email not sent: TALENT_SMTP_URL is not set", slog.String("to", to), slog.String("subject", subject), slog.String("body", body))
	return nil
}

// SMTPMailer sends through an SMTP server.
type SMTPMailer struct {
	Addr string
	From string
	User *url.Userinfo
}

// Send delivers the message.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	var auth smtp.Auth
	if m.User != nil {
		pass, _ := m.User.Password()
		host, _, _ := net.SplitHostPort(m.Addr)
		auth = smtp.PlainAuth("", m.User.Username(), pass, host)
	}
	// Header values never carry line breaks (no header injection).
	oneLine := strings.NewReplacer("\r", " ", "\n", " ")
	msg := "From: " + m.From + "\r\nTo: " + oneLine.Replace(to) + "\r\nSubject: " + oneLine.Replace(subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if err := smtp.SendMail(m.Addr, auth, m.From, []string{to}, []byte(msg)); err != nil {
		return fmt.Errorf("send mail to %s: %w", to, err)
	}
	return nil
}

// InviteWorker sends invitation emails. A user who is no longer Invited when
// the job runs (they signed in, or were deactivated) gets nothing.
type InviteWorker struct {
	river.WorkerDefaults[opentalent.InviteEmailArgs]
	DB     *store.DB
	Mailer Mailer
	// PublicURL is where users sign in; it appears in the message.
	PublicURL string
}

// Work sends one invitation.
func (w *InviteWorker) Work(ctx context.Context, job *river.Job[opentalent.InviteEmailArgs]) error {
	in, err := w.DB.FindInvitation(ctx, job.Args.UserID)
	if opentalent.ErrorCode(err) == opentalent.ENOTFOUND {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if in.Status != opentalent.StatusInvited {
		return nil
	}
	greeting := "Hello"
	if in.Name != "" {
		greeting += " " + in.Name
	}
	body := fmt.Sprintf("%s,\n\nYou have been invited to %s on OpenTalent.\nSign in with this address (%s) at %s to get started.\n", greeting, in.SystemName, in.Email, w.PublicURL)
	return w.Mailer.Send(ctx, in.Email, "You are invited to "+in.SystemName, body)
}
