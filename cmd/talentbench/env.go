package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // pgx driver for the schema admin
	_ "modernc.org/sqlite"             // sqlite driver for the version

	"github.com/opentalent/opentalent/store"
)

// Machine describes where the numbers were taken.
type Machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	MemoryGB string `json:"memory"`
	OS       string `json:"os"`
	Go       string `json:"go"`
	SQLite   string `json:"sqlite"`
	Postgres string `json:"postgres"`
}

func describeMachine(ctx context.Context, opts Options) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				m.MemoryGB = fmt.Sprintf("%.1f GiB", kb/1024/1024)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += " (Linux " + strings.TrimSpace(string(b)) + ")"
	}
	if db, err := sql.Open("sqlite", ":memory:"); err == nil {
		db.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&m.SQLite)
		m.SQLite += " (modernc.org/sqlite)"
		db.Close()
	}
	if db, err := sql.Open("pgx", opts.Postgres); err == nil {
		var v string
		if db.QueryRowContext(ctx, `SHOW server_version`).Scan(&v) == nil {
			m.Postgres = v
		}
		db.Close()
	}
	return m
}

func buildServer(ctx context.Context, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/talentd")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/talentd (run from the repository root): %w", err)
	}
	return nil
}

// newDatabase returns the DSN of a new, empty database of engine and a
// function that removes it: a file in dir for SQLite, a fresh schema for
// PostgreSQL (named by search_path, as store/storetest does).
func newDatabase(ctx context.Context, opts Options, engine, dir, name string) (string, func(), error) {
	if engine == store.SQLite {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(d, "talent.db"), func() {
			if !opts.Keep {
				os.RemoveAll(d)
			}
		}, nil
	}
	admin, err := sql.Open("pgx", opts.Postgres)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	schema := "bench_" + strings.ToLower(strings.TrimPrefix(store.NewID("s"), "s_"))[:12]
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema on %s: %w", opts.Postgres, err)
	}
	u, err := url.Parse(opts.Postgres)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		if opts.Keep {
			return
		}
		if a, err := sql.Open("pgx", opts.Postgres); err == nil {
			a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	}, nil
}

// Server is a running talentd subprocess.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

// startServer runs bin serve on a free local port with dsn and waits until
// it is ready.
func startServer(ctx context.Context, bin, dsn, dir string) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dsn)
	cmd.Env = append(os.Environ(), "TALENT_BLOB_URL=file://"+filepath.ToSlash(filepath.Join(dir, "reports"))+"?create_dir=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &Server{URL: "http://" + addr, cmd: cmd, log: logf, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-s.done:
			logf.Close()
			tail, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("server exited at start (%v): %s", err, lastLines(string(tail), 10))
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, errors.New("server not ready after 2 minutes")
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Stop asks the server to shut down and kills it after 15 s.
func (s *Server) Stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.log.Close()
}

// rssBytes reads the resident set size of process pid.
func rssBytes(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(v)
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// rssSampler samples a process's RSS every 20 ms and keeps the peak.
type rssSampler struct {
	peak atomic.Int64
	n    atomic.Int64
	stop chan struct{}
	wg   sync.WaitGroup
}

func sampleRSS(pid int) *rssSampler {
	r := &rssSampler{stop: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := rssBytes(pid); err == nil {
				r.n.Add(1)
				if v > r.peak.Load() {
					r.peak.Store(v)
				}
			}
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
		}
	}()
	return r
}

// Stop ends the sampling and returns the peak RSS and the sample count.
func (r *rssSampler) Stop() (int64, int64) {
	close(r.stop)
	r.wg.Wait()
	return r.peak.Load(), r.n.Load()
}

// idleRSS waits for the server to settle and returns its RSS.
func idleRSS(pid int) int64 {
	time.Sleep(500 * time.Millisecond)
	v, _ := rssBytes(pid)
	return v
}

// client is the HTTP client of every measure.
var client = &http.Client{
	Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64, IdleConnTimeout: time.Minute},
	Timeout:   30 * time.Minute,
}

// call sends a request with a bearer token and a JSON body (raw bytes or a
// value to marshal), and decodes a JSON answer into out when set. It returns
// the status code.
func call(ctx context.Context, method, u, token string, body any, out any) (int, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, strings.TrimSpace(string(msg)))
	}
	if out != nil {
		return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}
